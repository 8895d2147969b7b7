#!/usr/bin/env php
<?php
// Per-message CGI in PHP (ws-supervisor --mode=cgi ./cgi-hello.php): one run per
// message, like a PHP page per request. The message is on stdin, the connection's CGI
// variables in $_SERVER (QUERY_STRING, HTTP_COOKIE, REMOTE_ADDR...), plus CONTENT_LENGTH
// and WS_MESSAGE_TYPE; everything echoed is the reply. A crash or a slow run affects
// this one message: the next message gets a fresh process.
$message = stream_get_contents(STDIN);
echo json_encode([
    'reply' => 'Hello, ' . trim($message) . '!',
    'bytes' => (int)($_SERVER['CONTENT_LENGTH'] ?? 0),
    'type' => $_SERVER['WS_MESSAGE_TYPE'] ?? 'text',
    'connection' => $_SERVER['WS_CONNECTION_ID'] ?? null,
    'pid' => getmypid(),
]);
