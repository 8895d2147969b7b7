<?php
// Every connection of user $user gets $text; returns how many connections it reached.
// Throws if the server is not running or refuses the request: one line either way.
function ws_send_user(string $user, string $text, string $socket = '/run/ws-supervisor/control.sock'): int
{
    $conn = @stream_socket_client("unix://$socket", $errno, $error, 2);
    if ($conn === false) throw new RuntimeException("ws-supervisor is not running: $error");
    stream_set_timeout($conn, 2);
    fwrite($conn, "send user $user $text\n"); // $text must be one line: json_encode's is
    $answer = trim((string) fgets($conn)); // "ok 2", or "error ..."
    fclose($conn);
    if (!str_starts_with($answer, 'ok ')) throw new RuntimeException("ws-supervisor: $answer");
    return (int) substr($answer, 3);
}

$socket = getenv('WS_CONTROL_SOCKET') ?: '/run/ws-supervisor/control.sock';
echo ws_send_user('42', json_encode(['progress' => 40]), $socket), "\n";
