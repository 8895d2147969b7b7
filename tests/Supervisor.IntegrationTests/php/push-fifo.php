<?php
// Every connected client gets $line: one line written to the global FIFO. False if the
// server is not running (a bare fopen would hang, or create a plain file at the path).
function ws_broadcast(string $line, string $fifo = '/run/ws-supervisor/global.fifo'): bool
{
    if (@filetype($fifo) !== 'fifo') return false;
    $f = @fopen($fifo, 'wn'); // n = O_NONBLOCK: fails at once when nobody holds the FIFO open
    if ($f === false) return false;
    stream_set_blocking($f, true); // then wait while the pipe is full rather than lose the line
    $ok = fwrite($f, "$line\n") !== false; // one fwrite of <= 4096 bytes is never mixed with others
    fclose($f);
    return $ok;
}

$fifo = getenv('WS_FIFO') ?: '/run/ws-supervisor/global.fifo';
ws_broadcast(json_encode(['event' => 'deploy', 'status' => 'finished']), $fifo) or exit(1);
