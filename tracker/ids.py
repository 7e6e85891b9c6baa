"""Identifiers. A person is their lower-cased e-mail address; names are not identities."""

from __future__ import annotations

import re
from typing import Final, NewType
from uuid import UUID, uuid5

from tracker.errors import InvalidInput

PersonId = NewType("PersonId", str)
ProgrammeKey = NewType("ProgrammeKey", str)
StreamId = NewType("StreamId", str)

EMAIL_PATTERN: Final = (
    r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$"
)
"""What ``person_id`` accepts: also the pattern the API documents for an e-mail in a path."""
_EMAIL = re.compile(EMAIL_PATTERN)
_PROGRAMME_KEY = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_STREAM_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}:[A-Za-z0-9._@+\-:]{1,200}$")

# The namespace for deterministic ids (seed data, idempotent commands).
TRACKER_NAMESPACE = UUID("6f1b4d3e-7a2c-5e8f-9b0a-1c2d3e4f5a6b")


def person_id(email: str) -> PersonId:
    """E-mail addresses compare case-insensitively: the id is the lower-cased address."""
    cleaned = email.strip()
    if not _EMAIL.match(cleaned):
        raise InvalidInput(f"{email!r} is not an e-mail address")
    return PersonId(cleaned.lower())


def programme_key(key: str) -> ProgrammeKey:
    if not _PROGRAMME_KEY.match(key):
        raise InvalidInput(
            f"programme key {key!r} must be lower-case letters, digits and hyphens (a slug)"
        )
    return ProgrammeKey(key)


def stream_id(value: str) -> StreamId:
    """Stream ids are ``category:identifier``, e.g. ``programme:btls-transition``."""
    if not _STREAM_ID.match(value):
        raise InvalidInput(
            f"stream id {value!r} is malformed: expected 'category:identifier' "
            "(category: lower-case letters, digits, underscore; identifier: letters, digits, "
            "and . _ @ + - :)"
        )
    return StreamId(value)


def deterministic_uuid(*parts: str) -> UUID:
    """A stable UUID from its parts, for seed data and replay-safe ids."""
    return uuid5(TRACKER_NAMESPACE, "\x1f".join(parts))
