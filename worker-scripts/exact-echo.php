#!/usr/bin/env php
<?php
// Echo in exact mode (ws-supervisor --mode=exact ./exact-echo.php): each message
// arrives as "T LEN\n" or "B LEN\n", exactly LEN bytes, "\n"; each reply is written the
// same way, so any bytes (newlines, NUL) cross intact.
while (($header = fgets(STDIN)) !== false) {
    [$type, $len] = explode(' ', rtrim($header, "\n"));
    $payload = $len > 0 ? stream_get_contents(STDIN, (int)$len) : '';
    fgets(STDIN); // the newline after the payload
    fwrite(STDOUT, $type . ' ' . strlen($payload) . "\n" . $payload . "\n");
    fflush(STDOUT);
}
