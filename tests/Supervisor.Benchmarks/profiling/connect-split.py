#!/usr/bin/python3
"""connect-split.py SERVER_PID PORT [CONNECTIONS]

Opens CONNECTIONS (default 300) WebSocket connections to 127.0.0.1:PORT one after
another, each: connect, upgrade, one message, its echo, close. Prints where the time of
one went, as the client saw it (TCP connect, request to 101, 101 to echo: the last is
mostly the app starting), then where the server's CPU went per connection: by process
kind (the server's own process, ws-supervisor's workers) and thread name, with how many
times each was switched in per connection, from /proc/PID/task/TID/schedstat; and the
apps, which have exited by then, from the reaped-children times in /proc/PID/stat (whole
ticks, so only their sum over many connections means anything).
"""
import collections
import os
import socket
import statistics
import sys
import time

from proctree import descendants

REQUEST = (b'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
           b'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')
MESSAGE = b'hello'
FRAME = bytes([0x81, 0x80 | len(MESSAGE), 0, 0, 0, 0]) + MESSAGE  # masked with a zero key
CLOSE = bytes([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8])


def read_until(s, received, done, what):
    while not done(received):
        chunk = s.recv(4096)
        if not chunk:
            sys.exit(f'the server closed the connection before {what}')
        received += chunk
    return received


def one_connection(port):
    """(connect, request to 101, 101 to echo) in milliseconds."""
    t0 = time.perf_counter()
    s = socket.create_connection(('127.0.0.1', port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t1 = time.perf_counter()
    s.sendall(REQUEST)
    received = read_until(s, b'', lambda r: b'\r\n\r\n' in r, 'its 101')
    t2 = time.perf_counter()
    s.sendall(FRAME)
    rest = received.split(b'\r\n\r\n', 1)[1]
    read_until(s, rest, lambda r: len(r) >= 2 + len(MESSAGE), 'the echo')
    t3 = time.perf_counter()
    s.sendall(CLOSE)
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass
    s.close()
    return (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3


def snapshot(root):
    """({(pid, tid): (kind, thread name, run ns, times switched in)}, reaped children's ticks)."""
    threads, reaped = {}, 0
    with open(f'/proc/{root}/comm') as f:
        server = f.read().strip()
    for pid in descendants(root):
        try:
            with open(f'/proc/{pid}/stat') as f:
                fields = f.read().rsplit(')', 1)[1].split()
            reaped += int(fields[13]) + int(fields[14])  # cutime + cstime
            with open(f'/proc/{pid}/comm') as f:
                process = f.read().strip()
            kind = 'server' if pid == root else 'worker' if process == server else process
            for tid in os.listdir(f'/proc/{pid}/task'):
                with open(f'/proc/{pid}/task/{tid}/comm') as f:
                    thread = f.read().strip()
                with open(f'/proc/{pid}/task/{tid}/schedstat') as f:
                    run_ns, _, slices = map(int, f.read().split())
                threads[(pid, int(tid))] = (kind, thread, run_ns, slices)
        except OSError:
            pass  # exited meanwhile: its time is in its parent's reaped figures
    return threads, reaped


def main():
    root, port = int(sys.argv[1]), int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    for _ in range(10):
        one_connection(port)  # warm up: spare workers started, caches filled
    before, reaped_before = snapshot(root)
    phases = [one_connection(port) for _ in range(count)]
    after, reaped_after = snapshot(root)

    def median(values):
        return statistics.median(values)

    def p99(values):
        return sorted(values)[int(0.99 * (len(values) - 1))]

    print(f'{count} connections one at a time, medians (p99) in ms:')
    for i, name in enumerate(('TCP connect', 'request to 101', '101 to echo')):
        column = [p[i] for p in phases]
        print(f'  {name:16} {median(column):6.3f} ({p99(column):.3f})')
    totals = [sum(p) for p in phases]
    print(f'  {"total":16} {median(totals):6.3f} ({p99(totals):.3f})')

    groups = collections.defaultdict(lambda: [0, 0])
    for key, (kind, thread, run_ns, slices) in after.items():
        earlier = before.get(key, (kind, thread, 0, 0))
        groups[(kind, thread)][0] += run_ns - earlier[2]
        groups[(kind, thread)][1] += slices - earlier[3]
    print('CPU per connection:')
    for (kind, thread), (run_ns, slices) in sorted(groups.items(), key=lambda g: -g[1][0]):
        if run_ns > 0:
            print(f'  {kind:14} {thread:16} {run_ns / 1e3 / count:7.1f} us  {slices / count:5.2f} runs')
    hz = os.sysconf('SC_CLK_TCK')
    print(f'  {"apps (reaped)":31} {(reaped_after - reaped_before) * 1e6 / hz / count:7.1f} us')


if __name__ == '__main__':
    main()
