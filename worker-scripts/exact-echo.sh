#!/bin/bash
# Echo in exact mode (ws-supervisor --mode=exact ./exact-echo.sh): every message comes
# back with its type and every byte, newlines and NUL bytes included. A message arrives
# as a header line "T LEN" (text) or "B LEN" (binary), then exactly LEN bytes, then a
# newline; a reply is written the same way. Under --dir, the "exact-" name prefix
# selects exact mode. (GNU head -c reads no more than LEN bytes from a pipe.)
while read -r type len; do
    printf '%s %d\n' "$type" "$len"
    head -c "$len"   # the payload, straight through: a bash variable cannot hold NUL
    read -r          # the newline after the payload
    printf '\n'
done
