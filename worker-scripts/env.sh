#!/bin/bash
# Env: sends its environment, sorted, one VAR=value per message, then exits;
# shows the CGI variables (REMOTE_ADDR, QUERY_STRING, HTTP_* ...) an app receives.
# Newlines inside a value become spaces so each variable stays one message.
env -0 | LC_ALL=C sort -z | tr '\n\0' ' \n'
