"""``tracker people erase`` and ``tracker keys export|import`` in-process, on SQLite."""

from __future__ import annotations

import asyncio
import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.cli import main
from tests.command_line import scenario_database
from tracker.events.open import open_store
from tracker.events.people import PersonErased
from tracker.events.programmes import RosterMemberAssigned
from tracker.people.store import SealingStore
from tracker.settings import Settings

GLYN = "glyn.peach@lcc.example"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return scenario_database(tmp_path, monkeypatch)


def roster(url: str) -> list[tuple[str, str]]:
    async def read() -> list[tuple[str, str]]:
        store = open_store(Settings(database_url=url))
        try:
            events = await store.read_stream("programme:digital-transition")
        finally:
            await store.close()
        return [
            (e.data.email, e.data.name) for e in events if isinstance(e.data, RosterMemberAssigned)
        ]

    return asyncio.run(read())


def test_erase_on_the_command_line_then_again_then_someone_unknown(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (GLYN, "Glyn Peach") in roster(database)
    assert main(["people", "erase", GLYN, "--reason", "SAR-41", "--by", "dpo@lcc.example"]) == 0
    out = capsys.readouterr().out
    assert "erased: shown as Erased person 1 (p_" in out
    assert "programmes naming them: digital-transition" in out
    assert ("erased-1@erased.invalid", "Erased person 1") in roster(database)
    assert not any("Glyn" in name for _, name in roster(database))

    assert main(["people", "erase", GLYN, "--reason", "again"]) == 0
    assert "already erased: shown as Erased person 1; nothing changed" in capsys.readouterr().out
    assert main(["people", "erase", "nobody@lcc.example", "--reason", "x"]) == 2
    assert "holds no one with that address" in capsys.readouterr().err
    assert main(["people", "erase", "not-an-address", "--reason", "x"]) == 2
    assert main(["people", "erase", "mike.kirby@lcc.example", "--reason", "  "]) == 2
    assert "needs a reason" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["people", "erase", GLYN])  # --reason is required


def test_keys_export_is_private_and_imports_only_what_is_missing(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "keys.json"
    assert main(["keys", "export", str(path)]) == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    exported = json.loads(path.read_text())
    assert exported["format"] == "tracker-person-keys-v1"
    assert exported["people_key"] and len(exported["keys"]) >= 6
    assert "glyn" not in path.read_text().lower()
    assert f"exported {len(exported['keys'])} person keys" in capsys.readouterr().out

    assert main(["keys", "import", str(path)]) == 0
    assert "imported 0 person keys" in capsys.readouterr().out
    path.write_text("{}")
    assert main(["keys", "import", str(path)]) == 2
    assert "not a key export" in capsys.readouterr().err


def test_an_erasure_that_stopped_after_deleting_the_key_is_finished_by_the_next(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The key deleted, then the process died: the next attempt records the erasure, scrubs,
    rebuilds and compacts, rather than answering 'already erased' with the rest undone."""

    async def only_the_key() -> None:
        store = open_store(Settings(database_url=database))
        assert isinstance(store, SealingStore)
        try:
            keys = await store.keys()
            await keys.erase(keys.keyring.pseudonym(GLYN), datetime(2026, 12, 6, tzinfo=UTC))
        finally:
            await store.close()

    asyncio.run(only_the_key())
    assert main(["people", "erase", GLYN, "--reason", "SAR-41, retried"]) == 0
    assert "erased: shown as Erased person 1" in capsys.readouterr().out

    async def erased_events() -> list[object]:
        store = open_store(Settings(database_url=database))
        try:
            return [e.data for e in await store.read_stream(f"person:{GLYN}")]
        finally:
            await store.close()

    (recorded,) = asyncio.run(erased_events())
    assert isinstance(recorded, PersonErased) and recorded.number == 1
    assert recorded.reason == "SAR-41, retried"
    assert main(["people", "erase", GLYN, "--reason", "again"]) == 0
    assert "already erased" in capsys.readouterr().out
