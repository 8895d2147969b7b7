#!/usr/bin/env python3
# Echo in Python 3: each message arrives as one line on stdin; each line printed
# is one message back. flush=True, so the client gets it now and not when
# Python's pipe buffer fills.
import sys

for line in sys.stdin:
    print(line.rstrip("\n"), flush=True)
