#!/bin/bash
# Ignore-EOF: a stubborn app that never reads stdin and ignores SIGINT and SIGTERM,
# so only SIGKILL (after --closems) ends it. Exercises the termination ladder.
# sleep inherits the ignored signals; its fds are detached so it never holds the pipes.
trap '' INT TERM
while :; do sleep 1; done </dev/null >/dev/null 2>&1
