#!/bin/bash
# A socket-mode app (it owns the upgraded connection at fd 3): says in one text frame
# whether that socket is in blocking mode ("blocking") or not ("nonblocking"), then
# exits, which drops the connection. SocketModeTests use it to check the contract.
flags=$(awk '/^flags:/ { print $2 }' /proc/self/fdinfo/3)
if (( 8#$flags & 8#4000 )); then msg=nonblocking; else msg=blocking; fi
printf "\x81\\x$(printf %02x ${#msg})%s" "$msg" >&3
