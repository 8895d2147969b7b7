#!/bin/bash
# Echo: every message the client sends comes straight back.
# The whole app contract in three lines: one message in = one line on stdin,
# one line on stdout = one message out. Run: ws-supervisor --port=8080 ./echo.sh
while IFS= read -r line; do printf '%s\n' "$line"; done
