#!/usr/bin/env php
<?php
// Chat in PHP (php-cli): every line this client sends is written to the global FIFO
// (getenv('WS_FIFO')), so every client, this one included, gets it as "NAME: text";
// nothing is echoed to STDOUT. NAME is ?name= from the URL, else the connection id's
// first 6 characters. Run: ws-supervisor --port=8080 --dir=worker-scripts, open /chat.php
$fifo = getenv('WS_FIFO');
if ($fifo === false || $fifo === '') {
    fwrite(STDERR, "chat.php: WS_FIFO is not set (the server runs with --fifo=off?)\n");
    exit(1);
}
parse_str(getenv('QUERY_STRING') ?: '', $query);
$name = substr(preg_replace('/[^A-Za-z0-9_.-]/', '', (string)($query['name'] ?? '')), 0, 16);
if ($name === '') {
    $name = substr((string)getenv('WS_CONNECTION_ID'), 0, 6);
}

// Opened once: the server holds the FIFO open, so this never blocks while it runs.
// A write while the server is down fails (EPIPE) instead of killing PHP with SIGPIPE.
if (function_exists('pcntl_signal')) {
    pcntl_signal(SIGPIPE, SIG_IGN);
}
$out = fopen($fifo, 'w');
$limit = 4096 - strlen($name) - 3; // "NAME: " plus "\n": one write of at most PIPE_BUF bytes is atomic

while (($line = fgets(STDIN)) !== false) {
    $text = substr(rtrim($line, "\r\n"), 0, $limit);
    if (@fwrite($out, "$name: $text\n") === false) {
        echo "(not delivered: the server is restarting)\n";
        flush();
    }
}
