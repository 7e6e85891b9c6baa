"""The pages' settings: the session key, secure cookies and the sign-in's lifetime."""

from __future__ import annotations

import pytest

from api.pages.errors import safe_next
from api.pages.settings import load_page_settings
from tracker.errors import InvalidInput


def test_one_passphrase_gives_the_same_keys_in_every_process() -> None:
    first = load_page_settings({"TRACKER_SESSION_SECRET": "correct horse"})
    again = load_page_settings({"TRACKER_SESSION_SECRET": "correct horse"})
    assert first.session_key == again.session_key and len(first.session_key) == 32
    assert first.csrf_key == again.csrf_key and first.csrf_key != first.session_key.hex()


def test_without_a_passphrase_each_process_makes_its_own_key() -> None:
    assert load_page_settings({}).session_key != load_page_settings({}).session_key


def test_cookies_are_secure_behind_https_unless_told_otherwise() -> None:
    assert load_page_settings({"TRACKER_BASE_URL": "https://tracker.council.gov.uk"}).secure_cookies
    assert not load_page_settings({"TRACKER_BASE_URL": "http://127.0.0.1:8000"}).secure_cookies
    assert load_page_settings({"TRACKER_SECURE_COOKIES": "true"}).secure_cookies
    with pytest.raises(InvalidInput):
        load_page_settings({"TRACKER_SECURE_COOKIES": "maybe"})


def test_a_sign_in_lasts_a_working_day_by_default() -> None:
    assert load_page_settings({}).session_hours == 8
    assert load_page_settings({"TRACKER_SESSION_HOURS": "1.5"}).session_hours == 1.5
    with pytest.raises(InvalidInput):
        load_page_settings({"TRACKER_SESSION_HOURS": "0"})


def test_after_sign_in_only_a_path_of_this_site_is_followed() -> None:
    assert safe_next("/programmes/btls-transition?as_of=2021-01-01").startswith("/programmes")
    for elsewhere in ("//evil.example", "https://evil.example", "/\\evil", "", None):
        assert safe_next(elsewhere) == "/"
