"""One loader reads every section of the settings from the environment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker.errors import InvalidInput
from tracker.settings import ApiSettings, Settings, environment_variables, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_an_empty_environment_gives_every_default() -> None:
    loaded = load_settings({})
    defaults = Settings()
    assert loaded.api == ApiSettings() and loaded.reminders == defaults.reminders
    assert loaded.database_url == "sqlite+aiosqlite:///tracker.db"
    assert loaded.backdating_working_days == 5 and loaded.pages.session_hours == 8


def test_each_section_reads_its_own_variables() -> None:
    loaded = load_settings(
        {
            "TRACKER_DATABASE_URL": "postgresql://postgres@db:5432/tracker",
            "TRACKER_PROJECTOR_BATCH": "500",
            "TRACKER_API_WRITES_PER_MINUTE": "60",
            "TRACKER_API_TOKEN_CACHE_SECONDS": "0.5",
            "TRACKER_READY_MAX_LAG_SECONDS": "12",
            "TRACKER_SHUTDOWN_GRACE_SECONDS": "3",
            "TRACKER_KEEP_ALIVE_SECONDS": "90",
            "TRACKER_SMTP_ATTEMPTS": "5",
            "TRACKER_SESSION_IDLE_MINUTES": "10",
        }
    )
    assert loaded.database_url == "postgresql+asyncpg://postgres@db:5432/tracker"
    assert loaded.projector_batch == 500
    assert loaded.api.writes_per_minute == 60 and loaded.api.token_cache_seconds == 0.5
    assert loaded.api.ready_max_lag_seconds == 12 and loaded.api.shutdown_grace_seconds == 3
    assert loaded.api.keep_alive_seconds == 90
    assert loaded.reminders.smtp_attempts == 5
    assert loaded.pages.idle_seconds == 600


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("TRACKER_API_MAX_PAGE", "lots", "must be an integer"),
        ("TRACKER_API_WRITES_PER_MINUTE", "-1", "must not be negative"),
        ("TRACKER_READY_MAX_LAG_SECONDS", "soon", "must be a number"),
        ("TRACKER_PROJECTOR_BATCH", "1e3", "must be an integer"),
        ("TRACKER_BACKDATING_WORKING_DAYS", "261", "0 to 260"),
        ("TRACKER_SECURE_COOKIES", "maybe", "true or false"),
        ("TRACKER_KEEP_ALIVE_SECONDS", "0", "1 to 3600"),
        ("TRACKER_KEEP_ALIVE_SECONDS", "86400", "1 to 3600"),
    ],
)
def test_a_bad_value_stops_start_up_naming_its_variable(
    variable: str, value: str, says: str
) -> None:
    with pytest.raises(InvalidInput, match=variable) as refused:
        load_settings({variable: value})
    assert says in str(refused.value)


def test_every_variable_the_readme_documents_is_one_the_loader_reads() -> None:
    documented = set(re.findall(r"^\| `(TRACKER_[A-Z0-9_]+)`", README.read_text(), re.M))
    read_by_logging = {"TRACKER_LOG_FORMAT", "TRACKER_LOG_LEVEL"}  # tracker.logs, before settings
    assert documented - read_by_logging <= environment_variables()
    assert "TRACKER_API_MAX_BODY_BYTES" in environment_variables()
