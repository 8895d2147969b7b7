#!/bin/bash
# Stderr: echoes each message back and also writes it to stderr as "log: LINE";
# stderr never reaches the client, it goes to the server's log.
while IFS= read -r line; do
    printf '%s\n' "$line"
    printf 'log: %s\n' "$line" >&2
done
