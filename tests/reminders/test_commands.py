"""Settings from the environment, and the ``tracker reminders`` commands in-process."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from service.cli import main
from tests.command_line import scenario_database
from tracker.errors import InvalidInput
from tracker.events.open import open_store
from tracker.events.reminders import RemindersMuted, RemindersUnmuted
from tracker.reminders.history import reminder_stream
from tracker.reminders.muting import mutes_stream
from tracker.settings import ReminderSettings, Settings, load_settings


def test_reminder_settings_have_the_issues_defaults() -> None:
    config = load_settings({}).reminders
    assert config == ReminderSettings()
    assert (config.reminders_cron, config.reminders_timezone, config.digest_weekday) == (
        "0 8 * * mon-fri",
        "Europe/London",
        "mon",
    )
    assert (config.signoff_reminder_days, config.signoff_escalation_days) == (3, 8)
    assert (config.milestone_reminder_days, config.stale_raid_days) == (10, 30)
    assert config.base_url == "http://127.0.0.1:8000"


def test_reminder_settings_are_read_from_tracker_variables() -> None:
    config = load_settings(
        {
            "TRACKER_SMTP_URL": "smtp://u:p@mail.lcc.example:587",
            "TRACKER_MAIL_FROM": "Tracker <tracker@lcc.example>",
            "TRACKER_BASE_URL": "https://tracker.lcc.example",
            "TRACKER_REMINDERS_CRON": "30 7 * * mon-fri",
            "TRACKER_DIGEST_WEEKDAY": "fri",
            "TRACKER_SIGNOFF_REMINDER_DAYS": "2",
            "TRACKER_SMTP_BACKOFF_SECONDS": "0.5",
        }
    ).reminders
    assert config.smtp_url == "smtp://u:p@mail.lcc.example:587"
    assert (config.digest_weekday, config.signoff_reminder_days) == ("fri", 2)
    assert config.smtp_backoff_seconds == 0.5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TRACKER_DIGEST_WEEKDAY", "monday"),
        ("TRACKER_STALE_RAID_DAYS", "thirty"),
        ("TRACKER_SMTP_ATTEMPTS", "0"),
        ("TRACKER_MILESTONE_REMINDER_DAYS", "-1"),
    ],
)
def test_bad_reminder_settings_are_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(InvalidInput, match=name):
        load_settings({name: value})


def test_an_unsafe_identity_gets_a_derived_stream_id() -> None:
    assert reminder_stream("glyn.peach@lcc.example") == "reminders:glyn.peach@lcc.example"
    derived = reminder_stream("name:Antony Draper")
    assert derived.startswith("reminders:") and " " not in derived


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return scenario_database(tmp_path, monkeypatch)


def test_mute_and_unmute_on_the_command_line(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    key, glyn = "digital-transition", "glyn.peach@lcc.example"
    assert main(["reminders", "mute", key, glyn, "--reason", "on leave"]) == 0
    assert main(["reminders", "mute", key, glyn]) == 0
    assert main(["reminders", "unmute", key, glyn]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-3:] == [
        f"{glyn} muted on {key}",
        "already muted",
        f"{glyn} unmuted on {key}",
    ]

    async def events() -> list[object]:
        store = open_store(Settings(database_url=database))
        try:
            return [e.data for e in await store.read_stream(mutes_stream(key))]
        finally:
            await store.close()

    muted, unmuted = asyncio.run(events())
    assert isinstance(muted, RemindersMuted) and muted.reason == "on leave"
    assert isinstance(unmuted, RemindersUnmuted)
    assert main(["reminders", "mute", "no-such-programme", glyn]) == 2


def test_a_dry_run_on_the_command_line_lists_what_is_due(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reminders", "run", "--today", "2021-03-15", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "planned andrew.rogers@socitm.example (1 reminders)" in out
    assert "  Digital transition: 'Service catalogue' awaits your endorsement" in out
    assert out.strip().endswith("5 planned")
    assert main(["reminders", "run", "--today", "2021-04-05", "--dry-run"]) == 0
    assert "Monday 2021-04-05 is not a working day: no reminders" in capsys.readouterr().out


def test_a_run_without_a_mail_server_configured_says_what_to_set(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reminders", "run", "--today", "2021-03-15"]) == 2
    assert "TRACKER_SMTP_URL is not set" in capsys.readouterr().err
