"""A webhook receiver on 127.0.0.1 for ``benchmarks.webhooks``: HTTP/1.1 with keep-alive, in
its own thread with its own event loop, answering every request ``200`` with an empty body.

It records, per request, the time the whole body had arrived (``time.monotonic()``, the clock the
writer stamps commits with, system-wide on Linux; and the wall clock, to set against the
outbox's own timestamps), the path, the ``Tracker-Delivery-Id`` header, and the body's
``position``, ``programme`` and ``recorded_at``. Nothing is verified or stored elsewhere: the
receiver is kept as small as it can be, so that what is measured is the sender.

Why its own thread: the deliverer under test runs in this process's main loop; a receiver in
that loop would read a request only when the deliverer's current step yields, so the loop's
queue would be counted as delivery time and would slow the deliverer's own POSTs. In a thread
with its own selector it reads as soon as it gets the interpreter (the GIL is shared: a busy
main thread can hold it up to the 5 ms switch interval each time; the report's timing of the
deliverer's ``http.post`` bounds what that adds).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Final

HOST: Final = "127.0.0.1"
OK: Final = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
START_TIMEOUT_S: Final = 10.0


@dataclass(frozen=True)
class Arrival:
    at: float
    """``time.monotonic()`` once the whole body had been read."""
    wall: float
    """``time.time()`` at the same moment."""
    path: str
    delivery_id: str
    position: int
    programme: str
    recorded_at: str


@dataclass
class Receiver:
    url: str = ""
    arrivals: list[Arrival] = field(default_factory=list)
    """In arrival order; appended by the receiver's thread only (list appends are atomic)."""
    positions: dict[str, set[int]] = field(default_factory=dict)
    """The positions received on each path (for a cheap "all there yet?")."""
    connections: int = 0
    malformed: int = 0
    serving: dict[asyncio.StreamWriter, asyncio.Task[None]] = field(default_factory=dict)
    """The open connections and their tasks, closed when the receiver stops."""

    def on(self, path: str) -> list[Arrival]:
        return [a for a in list(self.arrivals) if a.path == path]

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        if task is not None:
            self.serving[writer] = task
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request, *lines = head.decode("latin-1").split("\r\n")
                headers: dict[str, str] = {}
                for line in lines:
                    name, _, value = line.partition(":")
                    if name:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                at, wall = time.monotonic(), time.time()
                writer.write(OK)
                self.record(at, wall, request.split(" ")[1], headers, body)
                if headers.get("connection", "").lower() == "close":
                    break
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client closed its end: normal at the end of a keep-alive connection
        finally:
            writer.close()
            self.serving.pop(writer, None)

    def record(
        self, at: float, wall: float, path: str, headers: dict[str, str], body: bytes
    ) -> None:
        try:
            payload = json.loads(body)
            self.arrivals.append(
                Arrival(
                    at=at,
                    wall=wall,
                    path=path,
                    delivery_id=headers.get("tracker-delivery-id", ""),
                    position=int(payload["position"]),
                    programme=str(payload["programme"]),
                    recorded_at=str(payload.get("recorded_at", "")),
                )
            )
            self.positions.setdefault(path, set()).add(int(payload["position"]))
        except (ValueError, KeyError, TypeError):
            self.malformed += 1


@contextmanager
def receiving() -> Iterator[Receiver]:
    """A receiver on a free port of 127.0.0.1, serving until the block ends."""
    found = Receiver()
    ready = threading.Event()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def serve() -> None:
        server = await asyncio.start_server(found.connection, HOST, 0, backlog=256)
        port = server.sockets[0].getsockname()[1]
        found.url = f"http://{HOST}:{port}"
        ready.set()
        async with server:
            await stop.wait()
            left = dict(found.serving)
            for writer in left:
                writer.close()  # its reader sees the end and its task returns
            if left:
                await asyncio.wait(left.values(), timeout=START_TIMEOUT_S)

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    if not ready.wait(START_TIMEOUT_S):
        raise RuntimeError("the receiver did not start")
    try:
        yield found
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=START_TIMEOUT_S)
        loop.close()
