#!/bin/bash
# Answers every message with this process's scheduling policy: field 41 of
# /proc/PID/stat, 0 for SCHED_OTHER (the default), 3 for SCHED_BATCH. In cgi mode
# the message comes without a final newline, hence the test after read.
while IFS= read -r line || [ -n "$line" ]; do
    read -r -a stat < "/proc/$$/stat"
    printf '%s\n' "${stat[40]}"
done
