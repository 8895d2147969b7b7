#!/usr/bin/env php
<?php
// Per-message CGI in PHP (ws-supervisor --mode=cgi ./cgi-hello.php): one run per
// message, like a PHP page per request. The message is on stdin, the connection's CGI
// variables in $_SERVER (QUERY_STRING, HTTP_COOKIE, REMOTE_ADDR...), plus CONTENT_LENGTH
// and WS_MESSAGE_TYPE; everything echoed is the reply. Each message gets a fresh
// process, so a crash affects this one reply (its output, maybe empty, is still sent);
// a run past --cgi-timeout is killed and closes the connection with 1011.
$message = stream_get_contents(STDIN);
// A binary message need not be UTF-8: without the flag, json_encode returns false on it
// and the reply is empty.
echo json_encode([
    'reply' => 'Hello, ' . trim($message) . '!',
    'bytes' => (int)($_SERVER['CONTENT_LENGTH'] ?? 0),
    'type' => $_SERVER['WS_MESSAGE_TYPE'] ?? 'text',
    'connection' => $_SERVER['WS_CONNECTION_ID'] ?? null,
    'pid' => getmypid(),
], JSON_INVALID_UTF8_SUBSTITUTE);
