#!/bin/bash
# Per-message CGI (ws-supervisor --mode=cgi ./cgi-echo.sh): this program runs once per
# message, with the message on stdin (then EOF) and the request's CGI variables plus
# CONTENT_LENGTH and WS_MESSAGE_TYPE; all it prints is the reply (text if valid UTF-8,
# else binary). Under --dir, the "cgi-" name prefix selects cgi mode.
exec cat
