"""The pages' own settings, read from ``TRACKER_*`` environment variables when the app is made.

- ``TRACKER_SESSION_SECRET``: at least 43 characters of random text (32 random bytes, as
  ``openssl rand -base64 32`` or ``-hex 32`` prints them); a shorter one stops the app at
  start-up naming the variable. The CSRF tokens' HMAC key is derived from it with HKDF-SHA256
  under its own label. Unset (``scripts/start``, development), each process makes a random one:
  sessions survive a restart (they are rows in the database), forms open across a restart need
  a reload, and several processes behind one address need the variable. Sessions do not depend
  on it: the cookie holds a random id, not something signed (docs/deployment.md, rotation).
- ``TRACKER_SECURE_COOKIES``: ``true`` or ``false``; by default true when ``TRACKER_BASE_URL``
  is an ``https://`` address (cookies then travel over HTTPS only).
- ``TRACKER_SESSION_HOURS``: how long a sign-in lasts at most (default 8, a working day).
- ``TRACKER_SESSION_IDLE_MINUTES``: a session unused this long ends (default 30).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Final

import msgspec
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tracker.errors import InvalidInput

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})
SECRET_VARIABLE: Final = "TRACKER_SESSION_SECRET"
MIN_SECRET_CHARACTERS: Final = 43
"""32 random bytes in URL-safe base64; hex (64) and standard base64 (44) are longer."""
KDF_SALT: Final = b"tracker pages"
CSRF_INFO: Final = b"tracker csrf key v1"


def derive_key(secret: bytes, info: bytes) -> bytes:
    """A 32-byte key for one use (``info``) from the secret: HKDF-SHA256 (RFC 5869). The
    secret is random and long (checked), so a fast KDF is right; a password KDF would only
    slow start-up."""
    return HKDF(algorithm=SHA256(), length=32, salt=KDF_SALT, info=info).derive(secret)


class PageSettings(msgspec.Struct, frozen=True, kw_only=True):
    secret: bytes
    """The root of the CSRF key: ``TRACKER_SESSION_SECRET`` or 32 random bytes."""
    secure_cookies: bool = False
    session_hours: float = 8.0
    session_idle_minutes: float = 30.0

    @property
    def csrf_key(self) -> str:
        return derive_key(self.secret, CSRF_INFO).hex()

    @property
    def lifetime_seconds(self) -> float:
        return self.session_hours * 3600

    @property
    def idle_seconds(self) -> float:
        return self.session_idle_minutes * 60


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise InvalidInput(f"{name} must be true or false, got {raw!r}")


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError as exc:
        raise InvalidInput(f"{name} must be a number, got {raw!r}") from exc
    if not value > 0:
        raise InvalidInput(f"{name} must be positive, got {raw!r}")
    return value


def session_secret(env: Mapping[str, str]) -> bytes:
    """The configured secret, refused when too short to be random; unset, a random one."""
    given = env.get(SECRET_VARIABLE, "").strip()
    if not given:
        return secrets.token_bytes(32)
    if len(given) < MIN_SECRET_CHARACTERS:
        raise InvalidInput(
            f"{SECRET_VARIABLE} is {len(given)} characters: it must be at least "
            f"{MIN_SECRET_CHARACTERS} characters of random text (32 random bytes); make one "
            "with `openssl rand -base64 32` (docs/deployment.md)",
            code="weak_session_secret",
        )
    return given.encode("utf-8")


def load_page_settings(env: Mapping[str, str] | None = None) -> PageSettings:
    env = os.environ if env is None else env
    https = env.get("TRACKER_BASE_URL", "").strip().lower().startswith("https://")
    return PageSettings(
        secret=session_secret(env),
        secure_cookies=_flag(env, "TRACKER_SECURE_COOKIES", https),
        session_hours=_positive(env, "TRACKER_SESSION_HOURS", 8.0),
        session_idle_minutes=_positive(env, "TRACKER_SESSION_IDLE_MINUTES", 30.0),
    )
