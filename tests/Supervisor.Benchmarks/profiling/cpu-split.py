#!/usr/bin/python3
"""cpu-split.py SERVER_PID PORT [CONNECTIONS MESSAGES]

Runs echo-load against a server already listening on 127.0.0.1:PORT and prints where the
server's CPU went per echo, by command name: the server's own processes (for
ws-supervisor, by thread name too) and the apps. Each thread's run time comes from
/proc/PID/task/TID/schedstat (nanoseconds), read once every connection is open and again
when the last echo is in, while all of them are still alive. The last column divides the
server's CPU by the app's: the app does the same work under any server, so that ratio
moves less with the machine's load than either figure. echo-load is looked for next to
this script, built (cc -O2 -o echo-load echo-load.c).
"""
import collections
import os
import subprocess
import sys
import time

from proctree import descendants


def snapshot(root):
    """(pid, tid) -> (process name, thread name, run ns, voluntary switches)."""
    threads = {}
    for pid in descendants(root):
        try:
            with open(f'/proc/{pid}/comm') as f:
                process = f.read().strip()
            for tid in os.listdir(f'/proc/{pid}/task'):
                task = f'/proc/{pid}/task/{tid}'
                with open(f'{task}/comm') as f:
                    thread = f.read().strip()
                with open(f'{task}/schedstat') as f:
                    run_ns = int(f.read().split()[0])
                with open(f'{task}/status') as f:
                    voluntary = int(f.read().split('voluntary_ctxt_switches:')[1].split()[0])
                threads[(pid, tid)] = (process, thread, run_ns, voluntary)
        except OSError:
            pass
    return threads


def main():
    root, port = int(sys.argv[1]), sys.argv[2]
    connections, messages = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else ('100', '300')
    load = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'echo-load')
    client = subprocess.Popen([load, port, connections, messages, '1', '1'],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if client.stderr.readline().strip() != 'open':
        sys.exit('echo-load could not open its connections')
    time.sleep(0.5)
    before = snapshot(root)
    rate = client.stdout.readline().strip()
    after = snapshot(root)
    client.wait()

    echoes = int(connections) * int(messages)
    groups = collections.defaultdict(lambda: [0, 0])
    for key, (process, thread, run_ns, voluntary) in after.items():
        if key in before:
            name = process if process == 'bash' or process == thread else f'{process}/{thread}'
            groups[name][0] += run_ns - before[key][2]
            groups[name][1] += voluntary - before[key][3]
    print(rate)
    app_us = groups['bash'][0] / 1e3 / echoes
    server_us = sum(ns for name, (ns, _) in groups.items() if name != 'bash') / 1e3 / echoes
    for name, (ns, voluntary) in sorted(groups.items(), key=lambda g: -g[1][0]):
        if ns > 0:
            print(f'  {name:32} {ns / 1e3 / echoes:7.2f} us/echo  {voluntary / echoes:5.2f} sleeps/echo')
    print(f'  server / app: {server_us / app_us:.3f}' if app_us else '  (no app CPU seen)')


if __name__ == '__main__':
    main()
