#!/usr/bin/env python3
# Echo in exact mode (ws-supervisor --mode=exact ./exact-echo.py): each message arrives
# as b"T LEN\n" or b"B LEN\n", exactly LEN bytes, b"\n"; each reply is written the same
# way, so any bytes (newlines, NUL) cross intact. Bytes, not str: sys.std*.buffer.
import sys

stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
while header := stdin.readline():
    kind, length = header.split()
    payload = stdin.read(int(length))
    stdin.read(1)  # the newline after the payload
    stdout.write(b"%s %d\n%s\n" % (kind, len(payload), payload))
    stdout.flush()
