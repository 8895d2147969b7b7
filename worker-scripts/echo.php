#!/usr/bin/env php
<?php
// Echo in PHP (php-cli): each message arrives as one line on STDIN; each line
// written to STDOUT is one message back. flush() after every line, so the client
// gets it now and not when a buffer fills.
while (($line = fgets(STDIN)) !== false) {
    echo rtrim($line, "\n"), "\n";
    flush();
}
