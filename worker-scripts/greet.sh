#!/bin/bash
# Greet: a request/response app: reads one message (a name), answers
# "Hello, NAME!" and exits 0, so the server closes the connection (1000).
IFS= read -r name
printf 'Hello, %s!\n' "$name"
