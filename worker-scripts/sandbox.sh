#!/bin/bash
# Sandbox: what an app runs as, and the --limit-* flags at work. Send:
#   whoami      → uid=… gid=… groups=…  (try the server with --user=nobody, as root)
#   limits      → the app's address space, CPU time, open files and processes limits
#   alloc MB    → holds MB (1–1024) of memory; past --limit-as it fails, the app exits 1 (→ 1011)
#   spin        → burns CPU until --limit-cpu stops it with SIGXCPU (→ 1011)
# Run: ws-supervisor --limit-as=256M --limit-cpu=2 --dir=worker-scripts, open /sandbox.sh
while IFS= read -r line; do
    case "$line" in
        whoami)
            echo "uid=$(id -u) gid=$(id -g) groups=$(id -G | tr ' ' ',')" ;;
        limits)
            grep -E '^Max (address space|cpu time|open files|processes)' /proc/self/limits | awk '{$1 = $1} 1' ;;
        alloc\ *)
            mb=${line#alloc }
            # A bound, so the demo cannot be asked for all the machine's memory.
            if [[ ! $mb =~ ^[0-9]+$ ]] || ((10#$mb < 1 || 10#$mb > 1024)); then
                echo "alloc takes a number of MB from 1 to 1024"
                continue
            fi
            # tail keeps its whole input when it has no newline: MB of memory, held at once.
            if head -c "${mb}M" /dev/zero | tail >/dev/null; then
                echo "allocated $mb MB"
            else
                echo "could not allocate $mb MB" >&2
                exit 1
            fi ;;
        spin)
            while :; do :; done ;;
        *)
            echo "unknown command: $line (whoami, limits, alloc MB, spin)" ;;
    esac
done
