#!/bin/bash
# No-line: writes "partial" with no trailing newline and exits 0. A last line
# without a newline is still sent as a message when the app exits.
printf '%s' "partial"
