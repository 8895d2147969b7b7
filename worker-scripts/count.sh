#!/bin/bash
# Count: server push with no input at all. Sends 1 to 10, one message every
# 0.1 s, then exits 0, which closes the connection normally (1000).
# websocketd's classic first example.
for ((i = 1; i <= 10; i++)); do
    printf '%d\n' "$i"
    sleep 0.1
done
