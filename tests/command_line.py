"""A SQLite database for the ``tracker`` command run in-process: migrated by the command
itself, with the reminder scenario's 'Digital transition' stored (``tests/reminders/scenario``)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.cli import main
from tests.projections.builders import append_all
from tests.reminders.scenario import digital_transition
from tracker.clock import FixedClock
from tracker.events.open import open_store
from tracker.settings import Settings


def scenario_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Its URL, set as ``TRACKER_DATABASE_URL``; no mail server or people key from the
    environment of the machine running the tests."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    monkeypatch.delenv("TRACKER_SMTP_URL", raising=False)
    monkeypatch.delenv("TRACKER_PEOPLE_KEY", raising=False)
    assert main(["db", "upgrade"]) == 0

    async def given() -> None:
        clock = FixedClock(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
        store = open_store(Settings(database_url=url), clock=clock)
        try:
            await append_all(store, digital_transition()[0], clock)
        finally:
            await store.close()

    asyncio.run(given())
    return url
