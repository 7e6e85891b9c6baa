"""The pages' settings: the CSRF key and its secret, secure cookies, the session's lifetimes."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from api.pages.errors import safe_next
from tracker.errors import InvalidInput
from tracker.settings import load_settings

SECRET = (
    "q9JmU0r2m5pXo8aYbL3vN1cTz7eWk4sHd6fGj0iQ2uR"  # 43 characters, as secrets.token_urlsafe(32)
)


def test_one_secret_gives_the_same_key_in_every_process() -> None:
    first = load_settings({"TRACKER_SESSION_SECRET": SECRET}).pages
    again = load_settings({"TRACKER_SESSION_SECRET": SECRET}).pages
    assert first.csrf_key == again.csrf_key and len(bytes.fromhex(first.csrf_key)) == 32


def test_without_a_secret_each_process_makes_its_own_key() -> None:
    assert load_settings({}).pages.csrf_key != load_settings({}).pages.csrf_key


def test_finding_8_a_short_session_secret_is_refused_naming_the_variable() -> None:
    for weak in ("correct horse", "pages-test-secret", "x" * 42):
        with pytest.raises(InvalidInput, match="TRACKER_SESSION_SECRET") as refused:
            load_settings({"TRACKER_SESSION_SECRET": weak})
        assert "openssl rand" in str(refused.value)
    assert load_settings({"TRACKER_SESSION_SECRET": "x" * 43}).pages.csrf_key


def test_finding_8_the_csrf_key_is_derived_with_hkdf_not_a_plain_hash() -> None:
    key = load_settings({"TRACKER_SESSION_SECRET": SECRET}).pages.csrf_key
    hkdf = HKDF(algorithm=SHA256(), length=32, salt=b"tracker pages", info=b"tracker csrf key v1")
    assert key == hkdf.derive(SECRET.encode()).hex()
    plain = hashlib.sha256(SECRET.encode()).digest()  # what the key used to be made from
    assert key != hashlib.sha256(b"tracker-csrf\0" + plain).hexdigest()


def test_cookies_are_secure_behind_https_unless_told_otherwise() -> None:
    assert load_settings(
        {"TRACKER_BASE_URL": "https://tracker.council.gov.uk"}
    ).pages.secure_cookies
    assert not load_settings({"TRACKER_BASE_URL": "http://127.0.0.1:8000"}).pages.secure_cookies
    assert load_settings({"TRACKER_SECURE_COOKIES": "true"}).pages.secure_cookies
    with pytest.raises(InvalidInput):
        load_settings({"TRACKER_SECURE_COOKIES": "maybe"})


def test_a_sign_in_lasts_a_working_day_by_default() -> None:
    assert load_settings({}).pages.session_hours == 8
    assert load_settings({"TRACKER_SESSION_HOURS": "1.5"}).pages.session_hours == 1.5
    with pytest.raises(InvalidInput):
        load_settings({"TRACKER_SESSION_HOURS": "0"})


def test_a_session_ends_after_thirty_idle_minutes_by_default() -> None:
    assert load_settings({}).pages.idle_seconds == 30 * 60
    assert load_settings({"TRACKER_SESSION_IDLE_MINUTES": "5"}).pages.idle_seconds == 300
    for bad in ("0", "-1", "soon"):
        with pytest.raises(InvalidInput, match="TRACKER_SESSION_IDLE_MINUTES"):
            load_settings({"TRACKER_SESSION_IDLE_MINUTES": bad})


def test_after_sign_in_only_a_path_of_this_site_is_followed() -> None:
    assert safe_next("/programmes/btls-transition?as_of=2021-01-01").startswith("/programmes")
    for elsewhere in ("//evil.example", "https://evil.example", "/\\evil", "", None):
        assert safe_next(elsewhere) == "/"
