"""``tracker serve`` as a real process on a free port, and ``tracker token`` from the shell."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

TRACKER = str(Path(sys.executable).with_name("tracker"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def tracker(database_url: str, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        TRACKER,
        *args,
        env={**os.environ, "TRACKER_DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


@pytest.fixture
async def served(database_url: str) -> AsyncIterator[str]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        TRACKER,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env={**os.environ, "TRACKER_DATABASE_URL": database_url},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(200):
                try:
                    if (await client.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            else:
                pytest.fail("tracker serve did not answer /health within 10 s")
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), timeout=15)
        except TimeoutError:
            process.kill()
            await process.wait()


async def test_token_commands_issue_list_and_revoke(database_url: str) -> None:
    code, out, _ = await tracker(
        database_url,
        "token",
        "issue",
        "--email",
        "Ada@Lancashire.gov.uk",
        "--name",
        "Ada",
        "--scope",
        "admin",
    )
    assert code == 0
    token = out.strip().splitlines()[-1]
    assert token.startswith("trk_") and " " not in token
    code, out, _ = await tracker(database_url, "token", "list")
    assert code == 0 and "ada@lancashire.gov.uk" in out and "admin" in out and token not in out
    code, out, _ = await tracker(
        database_url, "token", "revoke", "--email", "ada@lancashire.gov.uk"
    )
    assert code == 0 and "revoked" in out
    code, _, err = await tracker(
        database_url, "token", "issue", "--email", "x@y.example", "--scope", "root"
    )
    assert code != 0 and "root" in err


async def test_a_served_process_answers_http_with_tokens_and_streams_events(
    database_url: str, served: str
) -> None:
    code, out, _ = await tracker(
        database_url, "token", "issue", "--email", "ada@lancashire.gov.uk", "--scope", "admin"
    )
    assert code == 0
    admin = {"Authorization": f"Bearer {out.strip().splitlines()[-1]}"}
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        assert (await client.get("/api/v1/programmes")).status_code == 401
        assert (await client.get("/ready")).json()["database"] == "reachable"
        created = await client.post(
            "/api/v1/programmes",
            json={"key": "served", "name": "Served", "start": "2020-01-06"},
            headers=admin,
        )
        assert created.status_code == 201
        position = created.json()["position"]
        listed = await client.get("/api/v1/programmes", headers=admin)
        assert [p["key"] for p in listed.json()["items"]] == ["served"]
        schema = await client.get("/schema/openapi.json")
        assert schema.json()["openapi"].startswith("3.1")
        seen: list[int] = []
        async with client.stream(
            "GET", "/api/v1/events/stream", headers={**admin, "Last-Event-ID": "0"}
        ) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            async for line in stream.aiter_lines():
                if line.startswith("id: "):
                    seen.append(int(line[4:]))
                if seen and seen[-1] >= position:
                    break
        assert seen == sorted(seen) and seen[-1] == position
