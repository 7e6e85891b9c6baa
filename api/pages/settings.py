"""The pages' own settings, read from ``TRACKER_*`` environment variables when the app is made.

- ``TRACKER_SESSION_SECRET``: any passphrase; the session cookie's AES-GCM key and the CSRF
  tokens' HMAC key are derived from it. Unset, a random key is made per process: sessions then
  end when the process restarts, and several processes behind one address need the variable.
- ``TRACKER_SECURE_COOKIES``: ``true`` or ``false``; by default true when ``TRACKER_BASE_URL``
  is an ``https://`` address (cookies then travel over HTTPS only).
- ``TRACKER_SESSION_HOURS``: how long a sign-in lasts (default 8, a working day).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Mapping

import msgspec

from tracker.errors import InvalidInput

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


class PageSettings(msgspec.Struct, frozen=True, kw_only=True):
    secret: bytes
    """32 bytes: the root of the session and CSRF keys."""
    secure_cookies: bool = False
    session_hours: float = 8.0

    @property
    def session_key(self) -> bytes:
        return hashlib.sha256(b"tracker-session\0" + self.secret).digest()

    @property
    def csrf_key(self) -> str:
        return hashlib.sha256(b"tracker-csrf\0" + self.secret).hexdigest()


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise InvalidInput(f"{name} must be true or false, got {raw!r}")


def load_page_settings(env: Mapping[str, str] | None = None) -> PageSettings:
    env = os.environ if env is None else env
    passphrase = env.get("TRACKER_SESSION_SECRET", "")
    secret = (
        hashlib.sha256(passphrase.encode("utf-8")).digest()
        if passphrase
        else secrets.token_bytes(32)
    )
    https = env.get("TRACKER_BASE_URL", "").strip().lower().startswith("https://")
    raw_hours = env.get("TRACKER_SESSION_HOURS", "").strip()
    try:
        hours = float(raw_hours) if raw_hours else 8.0
    except ValueError as exc:
        raise InvalidInput(f"TRACKER_SESSION_HOURS must be a number, got {raw_hours!r}") from exc
    if hours <= 0:
        raise InvalidInput(f"TRACKER_SESSION_HOURS must be positive, got {raw_hours!r}")
    return PageSettings(
        secret=secret,
        secure_cookies=_flag(env, "TRACKER_SECURE_COOKIES", https),
        session_hours=hours,
    )
