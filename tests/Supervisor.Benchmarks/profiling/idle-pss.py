#!/usr/bin/python3
"""The median idle worker's PSS, with or without permessage-deflate.

    idle-pss.py SERVER_PID PORT [CONNECTIONS] [--no-deflate] [--echoes=N]

Opens CONNECTIONS (default 100) to a running ws-supervisor serving a line echo, each
echoing a 4 KiB JSON line N times (default 1; compressible: with deflate agreed it goes
compressed both ways, which the script checks), holds them all open, waits a second, and prints the
median PSS of the serving workers (those with an app below them) from smaps_rollup.
The client is Python's `websockets` (Debian: python3-websockets), an implementation of
RFC 7692 independent of ours; it offers permessage-deflate unless --no-deflate.
Start a fresh server for each run: a worker that served earlier connections keeps what
its heap grew to.
"""
import asyncio
import json
import random
import statistics
import sys

import websockets
from websockets.extensions.permessage_deflate import PerMessageDeflate

from proctree import descendants

compressed_in = 0
_decode = PerMessageDeflate.decode


def counting_decode(self, frame, *, max_size=None):
    global compressed_in
    if frame.rsv1:
        compressed_in += 1
    return _decode(self, frame, max_size=max_size)


PerMessageDeflate.decode = counting_decode


def kb(pid, name):
    with open(f'/proc/{pid}/smaps_rollup') as rollup:
        for line in rollup:
            if line.startswith(name):
                return int(line.split()[1])
    raise ValueError(f'no {name} for {pid}')


async def main(server_pid, port, count, deflate, echoes):
    rng = random.Random(7692)
    line = ''.join(json.dumps({'user': rng.randrange(1000), 'text': 'hello there', 'ts': 1_700_000_000 + rng.randrange(100_000)}) + ' '
                   for _ in range(90))[:4096]
    connections = []
    try:
        for i in range(count):
            ws = await websockets.connect(f'ws://127.0.0.1:{port}/idle{i}', compression='deflate' if deflate else None)
            connections.append(ws)
            for _ in range(echoes):
                await ws.send(line)
                if await ws.recv() != line:
                    sys.exit(f'connection {i}: the echo differs')
        await asyncio.sleep(1)
        parent = {pid: parent_of(pid) for pid in descendants(server_pid)}
        serving = {p for p in parent.values() if parent.get(p) == server_pid}  # a worker with an app
        pss = sorted(kb(pid, 'Pss:') for pid in serving)
        agreed = connections[0].response_headers.get('Sec-WebSocket-Extensions')
        print(f'{"deflate" if deflate else "no deflate"}: {len(pss)} serving workers, median PSS {statistics.median(pss):.0f} kB '
              f'(min {pss[0]}, max {pss[-1]}); {compressed_in} of {count * echoes} echoes came compressed; agreed: {agreed}')
    finally:
        for ws in connections:
            await ws.close()


def parent_of(pid):
    try:
        with open(f'/proc/{pid}/stat') as stat:
            return int(stat.read().rsplit(')', 1)[1].split()[1])
    except OSError:
        return None  # gone meanwhile


if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    if len(args) < 2:
        sys.exit(__doc__)
    echoes = next((int(a.split('=', 1)[1]) for a in sys.argv if a.startswith('--echoes=')), 1)
    asyncio.run(main(int(args[0]), int(args[1]), int(args[2]) if len(args) > 2 else 100, '--no-deflate' not in sys.argv, echoes))
