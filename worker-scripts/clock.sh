#!/bin/bash
# Clock: server push. Sends the server's time as one JSON message every second until
# the client leaves; no input needed. bash's own printf %(...)T reads the clock, so a
# tick costs no process. A message looks like:
#   {"type":"clock","time":"14:03:07","date":"2025-11-21","zone":"UTC","epoch":1763733787}
# The "type" lets a page tell these from global-FIFO broadcasts, which reach every
# connection, this one included.
tick() {
    local now
    printf -v now '%(%s)T' -1
    printf '{"type":"clock","time":"%(%H:%M:%S)T","date":"%(%Y-%m-%d)T","zone":"%(%Z)T","epoch":%s}\n' \
        "$now" "$now" "$now" "$now"
}

tick
while true; do
    read -r -t 1 line
    status=$?
    if ((status > 128)); then
        tick # a second passed with no input
    elif ((status != 0)); then
        exit 0 # stdin EOF: the client left
    fi
done
