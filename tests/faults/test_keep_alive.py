"""``tracker serve`` keeps an idle connection open for ``TRACKER_KEEP_ALIVE_SECONDS``, then
closes it. A server that closes an idle connection at the moment a client reuses it answers that
request with a reset: with uvicorn's and httpx's defaults both at 5 s, the two-of-everything load
test lost a replayed write that way (``httpx.ReadError``). So the server's keep-alive is set above
the clients' (75 s by default), and this checks that the setting reaches the server."""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import pytest

from tests.faults.processes import processes, tracker_env

pytestmark = [pytest.mark.db, pytest.mark.slow]

KEEP_ALIVE = 2


def ask_health(connection: socket.socket) -> bytes:
    """One keep-alive GET /health on an open connection; the raw answer, b'' once closed."""
    connection.sendall(b"GET /health HTTP/1.1\r\nHost: tracker\r\n\r\n")
    answer = b""
    while not complete(answer):
        chunk = connection.recv(65536)
        if not chunk:
            break
        answer += chunk
    return answer


def complete(answer: bytes) -> bool:
    head, separator, body = answer.partition(b"\r\n\r\n")
    if not separator:
        return False
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    assert length is not None, head
    return len(body) >= int(length.group(1))


def closed_by_server(connection: socket.socket) -> bool:
    """True once the server has closed its side (a read returns end of file)."""
    connection.settimeout(0.5)
    try:
        return connection.recv(1) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_an_idle_connection_stays_open_for_the_keep_alive_then_closes(
    sqlite_url: str, tmp_path: Path
) -> None:
    env = tracker_env(sqlite_url, TRACKER_KEEP_ALIVE_SECONDS=str(KEEP_ALIVE))
    with processes(tmp_path) as group:
        _, base = group.serve("serve", env)
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as connection:
            assert ask_health(connection).startswith(b"HTTP/1.1 200")
            time.sleep(KEEP_ALIVE / 2)
            assert ask_health(connection).startswith(b"HTTP/1.1 200"), "closed too early"
            idle_from = time.monotonic()
            while not closed_by_server(connection):
                assert time.monotonic() - idle_from < KEEP_ALIVE + 10, "never closed"
            idle = time.monotonic() - idle_from
            # uvicorn's own default (5 s) would close it after 5 s, not after about 2.
            assert KEEP_ALIVE - 0.5 <= idle <= KEEP_ALIVE + 1.5, idle


def test_the_default_keep_alive_outlasts_a_client_pool_and_a_proxy() -> None:
    """httpx keeps an idle connection 5 s, nginx's upstream keep-alive 60 s."""
    from tracker.settings import load_settings

    assert load_settings({}).api.keep_alive_seconds > 60
