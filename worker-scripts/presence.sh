#!/bin/bash
# Presence: the live count of connections and users, for a "who is here" box. Every 2 s
# it asks the server (`ws-supervisor status --json` through the control socket) and
# sends the counts when they changed:
#   {"type":"presence","connections":6,"users":0,"paths":{"/chat.sh":2,"/clock.sh":2,"/presence.sh":2}}
# "users" counts distinct signed-in users (--auth); "paths" counts connections per app.
# First it sends where the message bus is, which the demo page turns into commands to paste:
#   {"type":"bus","fifo":"/run/ws-supervisor/global.fifo","control":"...","binary":"..."}
# (A demo: a public page should not tell every visitor the server's paths.)
set -u

json_string() { # $1 → a JSON string literal in the variable named $2
    local s=$1
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    printf -v "$2" '"%s"' "$s"
}

json_string "${WS_FIFO:-}" fifo
json_string "${WS_CONTROL_SOCKET:-}" control
json_string "${WS_SUPERVISOR:-}" binary
printf '{"type":"bus","fifo":%s,"control":%s,"binary":%s}\n' "$fifo" "$control" "$binary"

last=""
while true; do
    if [[ -n ${WS_CONTROL_SOCKET:-} && -n ${WS_SUPERVISOR:-} ]]; then
        status=$("$WS_SUPERVISOR" status --json --control="$WS_CONTROL_SOCKET" 2> /dev/null)
        # {"count":{"connections":N,"users":U,"paths":{...}},"connections":[...]}: keep the
        # counts, not the list (it holds every client's address).
        if [[ $status =~ ^\{\"count\":\{([^{}]*\{[^{}]*\})\} ]]; then
            counts=${BASH_REMATCH[1]}
            if [[ $counts != "$last" ]]; then
                printf '{"type":"presence",%s}\n' "$counts"
                last=$counts
            fi
        fi
    elif [[ -z $last ]]; then
        printf '{"type":"presence","error":"the control socket is off (--control=off)"}\n'
        last=off
    fi
    read -r -t 2 line
    got=$?
    ((got == 0 || got > 128)) || exit 0 # 0: a line (ignored); >128: 2 s passed; else EOF: the client left
done
