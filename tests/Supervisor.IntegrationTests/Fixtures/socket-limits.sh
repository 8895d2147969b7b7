#!/bin/bash
# A socket-mode app (it owns the upgraded connection at fd 3): sends its address space,
# CPU time, open files and processes limits, one text frame each (as sandbox.sh prints
# them: "Max open files 16 16 files"), then exits, which drops the connection.
# SocketModeTests use it to check that --limit-* bind socket-mode apps too.
grep -E '^Max (address space|cpu time|open files|processes)' /proc/self/limits | awk '{$1 = $1} 1' |
while IFS= read -r line; do
    printf "\x81\\x$(printf %02x ${#line})%s" "$line" >&3
done
