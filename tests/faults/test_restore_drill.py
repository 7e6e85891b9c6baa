"""The backup drill, with the commands an operator types (docs/operations.md): seed and write
through the API, ``tracker export``, restore into a brand-new database (``tracker db upgrade``,
``tracker import``, ``tracker verify``, ``tracker projections rebuild``), and find the restored
store and its reports identical. Then the two refusals an operator meets: a store that is not
empty, and a damaged export line."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.databases import ADMIN_DSN
from tests.faults.processes import (
    TRACKER,
    issue_admin_token,
    processes,
    run_tracker,
    tracker_env,
)
from tests.faults.read_model import head, read_model_rows
from tracker.db import is_sqlite

pytestmark = [pytest.mark.db, pytest.mark.slow]

EMAIL = "ops@lancashire.gov.uk"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@asynccontextmanager
async def brand_new_database(like: str, directory: Path) -> AsyncIterator[str]:
    """An empty database of the same kind as ``like``, not even migrated; dropped after."""
    name = f"tracker_restore_{uuid.uuid4().hex[:12]}"
    if is_sqlite(like):
        yield f"sqlite+aiosqlite:///{directory / name}.db"
        return
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base, _, _ = ADMIN_DSN.rpartition("/")
    try:
        yield f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://", 1)
    finally:
        admin = await asyncpg.connect(ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def refused(env: dict[str, str], *args: str) -> str:
    """A ``tracker`` command that must fail as refused input (exit 2); its error output."""
    done = subprocess.run([TRACKER, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, f"tracker {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return done.stderr


def timed(timings: dict[str, float], step: str, env: dict[str, str], *args: str) -> str:
    started = time.monotonic()
    out = run_tracker(env, *args)
    timings[step] = round(time.monotonic() - started, 2)
    return out


async def write_through_the_api(base: str, token: str) -> None:
    """A few writes as a programme manager makes them: a new programme with some structure."""
    async with httpx.AsyncClient(
        base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        writes = [
            ("/programmes", {"key": "drill", "name": "Restore drill", "start": "2021-01-04"}),
            ("/programmes/drill/workstreams", {"key": "data", "name": "Data migration"}),
            ("/programmes/drill/workstreams", {"key": "people", "name": "People"}),
            ("/programmes/drill/outcomes", {"number": 1, "title": "Backups restore cleanly"}),
            ("/programmes/drill/learning-points", {"description": "Rehearse the restore"}),
            ("/programmes/drill/next-steps", {"description": "Repeat the drill quarterly"}),
        ]
        for path, body in writes:
            answer = await api.post(path, json=body)
            assert answer.status_code in (200, 201), f"{path}: {answer.text}"


async def served_reports(base: str, token: str) -> dict[str, object]:
    """The programme list and every programme's closure report, as the API serves them."""
    async with httpx.AsyncClient(
        base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        listed = await api.get("/programmes", params={"limit": 100})
        assert listed.status_code == 200, listed.text
        served: dict[str, object] = {"programmes": listed.json()}
        for item in listed.json()["items"]:
            report = await api.get(f"/programmes/{item['key']}/closure-report")
            assert report.status_code == 200, report.text
            served[item["key"]] = report.json()
        return served


async def test_a_restore_into_a_new_database_is_identical_to_the_original(
    database: str, tmp_path: Path
) -> None:
    timings: dict[str, float] = {}
    source = tracker_env(database)
    timed(timings, "seed", source, "seed")
    token = issue_admin_token(source, EMAIL)
    with processes(tmp_path) as group:
        _, base = group.serve("serve-source", source)
        await write_through_the_api(base, token)
    run_tracker(source, "projections", "rebuild")
    backup = tmp_path / "backup.jsonl"
    exported = timed(timings, "export", source, "export", str(backup))
    _, events = await head(database)
    assert f"exported {events} events" in exported and events > 521
    keys = tmp_path / "keys.json"
    assert "person keys" in timed(timings, "keys export", source, "keys", "export", str(keys))

    async with brand_new_database(database, tmp_path) as restored_url:
        restored = tracker_env(restored_url)
        timed(timings, "db upgrade", restored, "db", "upgrade")
        imported = timed(timings, "import", restored, "import", str(backup))
        assert f"imported {events} events" in imported
        timed(timings, "keys import", restored, "keys", "import", str(keys))
        verified = timed(timings, "verify", restored, "verify")
        assert verified.startswith(f"ok: {events} events")
        timed(timings, "projections rebuild", restored, "projections", "rebuild")
        again = tmp_path / "restored.jsonl"
        timed(timings, "export again", restored, "export", str(again))
        assert again.read_bytes() == backup.read_bytes()
        assert await read_model_rows(restored_url) == await read_model_rows(database)

        # The same person's token on the restored store adds no event: they are known.
        restored_token = issue_admin_token(restored, EMAIL)
        assert (await head(restored_url))[1] == events
        with processes(tmp_path) as group:
            _, source_base = group.serve("serve-source-again", source)
            _, restored_base = group.serve("serve-restored", restored)
            original = await served_reports(source_base, token)
            assert len(original) > 5  # the list and the closure reports of every programme
            assert await served_reports(restored_base, restored_token) == original

        # An operator importing twice: refused, with the reason, and the store unchanged.
        error = refused(restored, "import", str(backup))
        assert "import needs an empty store" in error and "nothing imported" in error
        assert (await head(restored_url))[1] == events
    print(f"restore drill: {events} events, {backup.stat().st_size} bytes; seconds: {timings}")


async def test_a_damaged_export_is_refused_naming_the_line_and_nothing_is_imported(
    database: str, tmp_path: Path
) -> None:
    source = tracker_env(database)
    run_tracker(source, "seed")
    backup = tmp_path / "backup.jsonl"
    run_tracker(source, "export", str(backup))
    lines = backup.read_bytes().splitlines(keepends=True)
    corrupt = tmp_path / "corrupt.jsonl"  # line 37 cut in half, the rest intact
    corrupt.write_bytes(b"".join([*lines[:36], lines[36][: len(lines[36]) // 2] + b"\n"]))
    corrupt.write_bytes(corrupt.read_bytes() + b"".join(lines[37:]))
    cut = tmp_path / "cut.jsonl"  # a copy interrupted mid-line
    cut.write_bytes(b"".join(lines[:200]) + lines[200][:-40])
    cut_at_the_line_end = tmp_path / "cut-before-newline.jsonl"
    cut_at_the_line_end.write_bytes(b"".join(lines[:300]) + lines[300][:-1])

    async with brand_new_database(database, tmp_path) as restored_url:
        restored = tracker_env(restored_url)
        run_tracker(restored, "db", "upgrade")
        for damaged, line in ((corrupt, 37), (cut, 201), (cut_at_the_line_end, 301)):
            error = refused(restored, "import", str(damaged))
            assert f"{damaged}:{line}:" in error and "nothing imported" in error, error
            assert await head(restored_url) == (0, 0)
        # The intact file still restores into the same database afterwards.
        assert f"imported {len(lines)} events" in run_tracker(restored, "import", str(backup))
        assert run_tracker(restored, "verify").startswith(f"ok: {len(lines)} events")
