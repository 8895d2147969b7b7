#!/usr/bin/python3
"""slow-connects.py: what ran on the CPUs during the slowest connections.

  slow-connects.py record PORT CONNECTIONS MARKS
      opens CONNECTIONS one after another (upgrade, one echo, close; the next at once, as
      the benchmark's connect metric does) and writes each one's CLOCK_MONOTONIC times to
      MARKS: start, TCP connected, 101 received, echo received. Run it under
        perf record -k CLOCK_MONOTONIC -e sched:sched_switch,sched:sched_wakeup \\
            -e sched:sched_process_exec -a -o sched.data -- ./slow-connects.py record ...
      so that perf's timestamps and these are on one clock.
  slow-connects.py report MARKS SCHED_DATA [COUNT]
      prints the phases' percentiles, then for the COUNT (default 5) slowest connections
      every context switch, wake-up and exec in their window, in ms from the connection's
      start: who left which CPU in what state, and who came in.

How the benchmark's own client was found to take a core for milliseconds at a time (its
tiered compiler, its thread pool spinning): the same report, with the benchmark's
connections marked instead of these.
"""
import re
import socket
import statistics
import subprocess
import sys
import time

REQUEST = (b'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
           b'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')
MESSAGE = b'0123456789abcdefghijklmnopqrstuv'
FRAME = bytes([0x81, 0x80 | len(MESSAGE), 0, 0, 0, 0]) + MESSAGE  # masked with a zero key
CLOSE = bytes([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8])
EVENT = re.compile(r'\s*(.+?)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+\S+:(\S+):\s*(.*)')
SWITCH = re.compile(r'prev_comm=(.+?) prev_pid=(\d+) .*prev_state=(\S+) ==> next_comm=(.+?) next_pid=(\d+)')
WAKEUP = re.compile(r'comm=(.+?) pid=(\d+) .*target_cpu=(\d+)')


def now():
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def read_until(s, received, done):
    while not done(received):
        chunk = s.recv(4096)
        if not chunk:
            sys.exit('the server closed a connection early')
        received += chunk
    return received


def one_connection(port):
    """(start, connected, 101, echo) on CLOCK_MONOTONIC; the close is answered, not timed."""
    t0 = now()
    s = socket.create_connection(('127.0.0.1', port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t1 = now()
    s.sendall(REQUEST)
    received = read_until(s, b'', lambda r: b'\r\n\r\n' in r)
    t2 = now()
    s.sendall(FRAME)
    received = read_until(s, received.split(b'\r\n\r\n', 1)[1], lambda r: len(r) >= 2 + len(MESSAGE))
    t3 = now()
    s.sendall(CLOSE)
    read_until(s, received[2 + len(MESSAGE):], lambda r: len(r) >= 2 and r[0] == 0x88)
    s.close()
    return t0, t1, t2, t3


def record(port, count, marks):
    with open(marks, 'w') as out:
        for _ in range(count):
            out.write('%.6f %.6f %.6f %.6f\n' % one_connection(port))


def events(sched_data):
    script = subprocess.run(['perf', 'script', '-i', sched_data, '-F', 'comm,tid,cpu,time,event,trace'],
                            capture_output=True, text=True, check=True).stdout
    for line in script.splitlines():
        m = EVENT.match(line)
        if m:
            comm, tid, cpu, ts, name, trace = m.groups()
            yield float(ts), int(cpu), comm, int(tid), name, trace


def describe(event, start):
    ts, cpu, comm, tid, name, trace = event
    at = '  %+8.3f cpu%d ' % ((ts - start) * 1e3, cpu)
    if name == 'sched_switch' and (m := SWITCH.search(trace)):
        return at + '%s/%s %s -> %s/%s' % m.groups()
    if name == 'sched_wakeup' and (m := WAKEUP.search(trace)):
        return at + '%s/%d wakes %s/%s on cpu%s' % (comm, tid, *m.groups())
    return at + '%s %s' % (name, trace[:70])


def report(marks, sched_data, count):
    connections = [tuple(map(float, line.split())) for line in open(marks)]
    phases = {'TCP connect': [], 'request -> 101': [], '101 -> echo': [], 'total': []}
    for t0, t1, t2, t3 in connections:
        for name, ms in zip(phases, ((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, (t3 - t0) * 1e3)):
            phases[name].append(ms)
    for name, values in phases.items():
        q = statistics.quantiles(values, n=100)
        print('%-15s p50 %6.2f  p90 %6.2f  p99 %6.2f ms' % (name, q[49], q[89], q[98]))
    all_events = list(events(sched_data))
    slowest = sorted(connections, key=lambda c: c[3] - c[0])[-count:]
    for t0, t1, t2, t3 in slowest:
        print('\n--- %.2f ms: TCP %.2f, request -> 101 %.2f, 101 -> echo %.2f'
              % ((t3 - t0) * 1e3, (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3))
        for event in all_events:
            if t0 <= event[0] <= t3:
                print(describe(event, t0))


def main(args):
    if len(args) == 4 and args[0] == 'record':
        record(int(args[1]), int(args[2]), args[3])
    elif len(args) in (3, 4) and args[0] == 'report':
        report(args[1], args[2], int(args[3]) if len(args) == 4 else 5)
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv[1:])
