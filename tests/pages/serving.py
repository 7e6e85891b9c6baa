"""``tracker serve`` as a real process on a free port, for the browser."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import msgspec
import pytest

from tests.pages.given import Given

T = TypeVar("T")
TRACKER = str(Path(sys.executable).with_name("tracker"))


class Site(msgspec.Struct, frozen=True, kw_only=True):
    base_url: str
    given: Given


def run_async(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to the end in a thread of its own: Playwright's sync API keeps an event loop
    in this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(database_url: str, log: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": database_url,
        "TRACKER_SESSION_SECRET": "pages-test-secret-of-at-least-forty-three-characters",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [TRACKER, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"tracker serve did not start: see {log}")
                time.sleep(0.1)
            yield base
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
