#!/bin/bash
# Fail: a crashing app. Sends one message, writes a line to stderr (it goes to
# the server's log, not the client) and exits 3; the client sees close 1011.
printf '%s\n' "about to fail"
printf '%s\n' "fail.sh: exiting with status 3" >&2
exit 3
