#!/usr/bin/env php
<?php
// Progress of a long job (php-cli): the job runs in this process and reports each step
// as one JSON message; when it is done the script exits, which closes the connection
// normally (1000), so the page's client does not reconnect and start the job again.
//   {"type":"progress","step":3,"total":20,"percent":15,"message":"Step 3 of 20"}
//   {"type":"progress","done":true,"total":20,"percent":100,"seconds":5.1}
// ?steps=N (1-100, default 20) and ?delay=MS per step (0-5000, default 250) from the URL.
// A job started elsewhere (a PHP page, a cron job) pushes progress to one user through
// the control socket instead: see docs/demo.md.
parse_str(getenv('QUERY_STRING') ?: '', $query);
$steps = max(1, min(100, (int)($query['steps'] ?? 20)));
$delayMs = max(0, min(5000, (int)($query['delay'] ?? 250)));

function send(array $message): void
{
    echo json_encode($message), "\n";
    flush(); // one line = one message, now, not when a buffer fills
}

$started = microtime(true);
for ($step = 1; $step <= $steps; $step++) {
    usleep($delayMs * 1000); // the real work goes here
    send([
        'type' => 'progress',
        'step' => $step,
        'total' => $steps,
        'percent' => intdiv(100 * $step, $steps),
        'message' => "Step $step of $steps",
    ]);
}
send([
    'type' => 'progress',
    'done' => true,
    'total' => $steps,
    'percent' => 100,
    'seconds' => round(microtime(true) - $started, 1),
]);
