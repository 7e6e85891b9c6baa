"""People: identified by lower-cased e-mail; the display name is only a label."""

from __future__ import annotations

from typing import Any, ClassVar

from tracker.events.base import Event, event_type, registry


@event_type
class PersonRegistered(Event, frozen=True, kw_only=True):
    """Schema 2 renamed ``full_name`` to ``name`` and lower-cased the e-mail."""

    schema_version: ClassVar[int] = 2
    email: str
    name: str


@registry.upcaster("PersonRegistered", from_version=1)
def _person_registered_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 stored ``{"email": <as typed>, "full_name": ...}``."""
    return {"email": str(data["email"]).strip().lower(), "name": data["full_name"]}


@event_type
class PersonRenamed(Event, frozen=True, kw_only=True):
    email: str
    name: str
