"""The signature header on every delivery, so a receiver knows the tracker sent it, unaltered,
recently.

``t=<unix seconds>,v1=<hex HMAC-SHA256>``: the HMAC's key is the subscription's secret (UTF-8)
and its message ``"<t>." + body``, the exact bytes sent. Binding the timestamp stops a captured
delivery being replayed later; a receiver refuses timestamps more than ``tolerance`` seconds
from its own clock. While a secret is being rotated the header carries one ``v1`` per secret,
and a receiver accepts the delivery if any of them matches.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Final

SECRET_PREFIX: Final = "whsec_"
DEFAULT_TOLERANCE: Final = 300

_TIMESTAMP: Final = re.compile(r"[0-9]{1,15}")
_HEX_DIGEST: Final = re.compile(r"[0-9a-f]{64}")


def _digest(secret: str, body: bytes, timestamp: int) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value for ``body`` sent at ``timestamp`` (unix seconds)."""
    return f"t={timestamp},v1={_digest(secret, body, timestamp)}"


def _parse(header: str) -> tuple[int, list[str]] | None:
    """The timestamp and every ``v1`` signature, or None if the header is malformed (no single
    ``t``, no ``v1``). Unknown parts are ignored so that later schemes can be added alongside."""
    stamps: list[str] = []
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            stamps.append(value)
        elif key == "v1":
            signatures.append(value)
    if len(stamps) != 1 or not _TIMESTAMP.fullmatch(stamps[0]) or not signatures:
        return None
    return int(stamps[0]), signatures


def verify(
    header: str, body: bytes, secret: str, *, now: int, tolerance: int = DEFAULT_TOLERANCE
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` at a time within ``tolerance`` seconds
    of ``now`` (either way). Malformed headers are False, never an exception."""
    parsed = _parse(header)
    if parsed is None:
        return False
    timestamp, signatures = parsed
    if abs(now - timestamp) > tolerance:
        return False
    expected = _digest(secret, body, timestamp)
    # Only well-formed candidates reach compare_digest, which raises on non-ASCII text.
    return any(
        hmac.compare_digest(expected, candidate)
        for candidate in signatures
        if _HEX_DIGEST.fullmatch(candidate)
    )


def new_secret() -> str:
    """A fresh signing secret: 32 random bytes, URL-safe, with a recognisable prefix."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)
