"""Soak the mock: many requests through a real ``honcho-mock`` process, its memory sampled.

    python tests/soak.py [--requests 200000] [--connections 8] [-- MOCK FLAGS...]

The requests mix what a client sends: valid bodies (each to its own workspace, so every
journal entry and dream differs), invalid ones, forced 422s and unknown paths, over
keep-alive connections. The mock's resident memory (``VmRSS``) is printed after a warm-up
and at every tenth of the run; with the journal capped it stays flat. Linux only (reads
``/proc``). Not part of the test run: ``tests/test_soak.py`` runs it briefly.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from cli_process import MockProcess, console_script  # beside this script, on sys.path

WARM_UP = 2000


def requests(host: str) -> Iterator[bytes]:
    """The request mix, forever: each one complete bytes on the wire."""
    for index in itertools.count():
        kind = index % 20
        path = f"/v2/workspaces/ws-{index}/trigger_dream"
        headers = ""
        if kind < 12:
            body = f'{{"observer": "peer-{index}", "dream_type": "agent"}}'
        elif kind < 17:
            body = f'{{"observer": {index}, "dream_type": "sleep"}}'
        elif kind < 19:
            body = '{"observer": "alice", "dream_type": "consolidate"}'
            headers = "prefer: code=422\r\n"
        else:
            path, body = f"/v2/nowhere/{index}", "{}"
        yield (
            f"POST {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\n"
            f"{headers}content-length: {len(body)}\r\n\r\n{body}"
        ).encode()


async def _connection(host: str, port: int, work: Iterator[bytes], statuses: Counter[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for request in work:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            statuses[int(head.split(b" ", 2)[1])] += 1
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    await reader.readexactly(int(line.split(b":", 1)[1]))
    finally:
        writer.close()


async def send(url: str, work: Iterator[bytes], connections: int, statuses: Counter[int]) -> None:
    """Send each request of ``work`` once, over ``connections`` keep-alive connections."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    await asyncio.gather(
        *(_connection(host, int(port), work, statuses) for _ in range(connections))
    )


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tests/soak.py", description=__doc__)
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("mock_flags", nargs="*", help="flags for honcho-mock (after --)")
    args = parser.parse_args(argv)
    command = [console_script("honcho-mock"), "--port", "0", "--log-level", "warning"]
    mock = MockProcess([*command, *args.mock_flags])
    url = mock.wait_listening()
    pid = mock.process.pid
    stream = requests(url.removeprefix("http://"))
    statuses: Counter[int] = Counter()
    try:
        asyncio.run(send(url, itertools.islice(stream, WARM_UP), args.connections, Counter()))
        start = rss_kb(pid)
        print(f"honcho-mock {' '.join(args.mock_flags)} pid {pid}: RSS after warm-up {start} kB")
        step = max(1, args.requests // 10)
        done, began = 0, time.monotonic()
        while done < args.requests:
            batch = min(step, args.requests - done)
            asyncio.run(send(url, itertools.islice(stream, batch), args.connections, statuses))
            done += batch
            rate = done / (time.monotonic() - began)
            print(f"{done:>8} requests  RSS {rss_kb(pid)} kB  ({rate:,.0f} req/s)", flush=True)
        end = rss_kb(pid)
    finally:
        code, err = mock.stop(signal.SIGTERM)
    print(f"statuses: {dict(sorted(statuses.items()))}")
    growth = None if start is None or end is None else end - start
    print(f"rss_start_kb={start} rss_end_kb={end} growth_kb={growth} requests={args.requests}")
    if code != 0:
        print(err, file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
