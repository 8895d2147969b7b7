#!/bin/bash
# Chat: every line this client sends goes to the server's global FIFO ($WS_FIFO),
# so every connected client, this one included, receives it as "NAME: text".
# NAME is ?name= from the URL (letters, digits, _ . -), else the connection id's
# first 6 characters. Run: ws-supervisor --port=8080 --dir=worker-scripts, open /chat.sh
set -u
export LC_ALL=C # byte lengths: a FIFO write is atomic up to PIPE_BUF (4096) bytes

if [[ -z "${WS_FIFO:-}" ]]; then
    echo "chat.sh: WS_FIFO is not set (the server runs with --fifo=off?)" >&2
    exit 1
fi

name=""
IFS='&' read -r -a params <<< "${QUERY_STRING:-}"
for param in "${params[@]}"; do
    [[ "$param" == name=* ]] && name="${param#name=}"
done
name="${name//[^A-Za-z0-9_.-]/}"
name="${name:0:16}"
[[ -n "$name" ]] || name="${WS_CONNECTION_ID:0:6}"

# Opened once: the server holds the FIFO open, so this never blocks while it runs.
# If the server stops, writes fail (EPIPE, not a signal, thanks to the trap) until it
# is back; the line is then lost and this client is told so.
exec 3> "$WS_FIFO"
trap '' PIPE

limit=$((4096 - ${#name} - 3)) # "NAME: " plus the newline
while IFS= read -r line; do
    line="${line%$'\r'}"
    # One printf = one write(2) of at most 4096 bytes: never torn by other writers.
    printf '%s: %s\n' "$name" "${line:0:limit}" >&3 2> /dev/null \
        || printf '(not delivered: the server is restarting)\n'
done
