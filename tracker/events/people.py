"""People: identified by lower-cased e-mail; the display name is only a label."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from tracker.events.base import Event, event_type, registry


@event_type
class PersonRegistered(Event, frozen=True, kw_only=True):
    """Schema 2 renamed ``full_name`` to ``name`` and lower-cased the e-mail."""

    personal_fields: ClassVar[Mapping[str, str]] = {"email": "email", "name": "email"}

    schema_version: ClassVar[int] = 2
    email: str
    name: str


@registry.upcaster("PersonRegistered", from_version=1)
def _person_registered_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 stored ``{"email": <as typed>, "full_name": ...}``."""
    return {"email": str(data["email"]).strip().lower(), "name": data["full_name"]}


@event_type
class PersonRenamed(Event, frozen=True, kw_only=True):
    personal_fields: ClassVar[Mapping[str, str]] = {"email": "email", "name": "email"}
    email: str
    name: str


@event_type
class PersonErased(Event, frozen=True, kw_only=True):
    """The person's data key was deleted (``tracker people erase``): wherever the tracker named
    them it now shows "Erased person ``number``", their roles, letters, dates and decisions
    kept. ``pseudonym`` is the stable id their sealed values carry; ``reason`` is the request
    answered (their own names in it replaced); ``erased_by`` is the admin who erased."""

    personal_fields: ClassVar[Mapping[str, str]] = {"erased_by": "erased_by"}
    pseudonym: str
    number: int
    reason: str
    erased_by: str


@event_type
class ProgrammePersonErased(Event, frozen=True, kw_only=True):
    """Someone this programme's history names was erased (``PersonErased``). Recorded in the
    programme's stream so that everything kept for an older version of it is read again."""

    programme_key: str
    number: int
