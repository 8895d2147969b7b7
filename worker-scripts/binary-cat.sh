#!/bin/bash
# Binary mode (ws-supervisor --binary ./binary-cat.sh), as websocketd's --binary: raw
# bytes both ways. Each message's bytes go to stdin as they are (text or binary);
# whatever one read of stdout returns goes back as one binary message, so message
# boundaries are the pipe's, not the app's. cat copies stdin to stdout: an echo for
# bytes. Under --dir, the "binary-" name prefix selects binary mode.
exec cat
