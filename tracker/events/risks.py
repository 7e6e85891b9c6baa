"""Events of a RAID item stream (``risk:<uuid>``): risks, issues, assumptions, dependencies.

The ``Risk*`` names cover all four kinds; ``kind`` says which. Scores are 1 to 5; likelihood is
for risks only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import ClassVar
from uuid import UUID

from tracker.events.base import Event, event_type
from tracker.events.programmes import RaidKind
from tracker.events.values import PersonRef


@event_type
class RiskRaised(Event, frozen=True, kw_only=True):
    item_id: UUID
    programme_key: str
    ref: str
    kind: RaidKind
    description: str
    owner: PersonRef
    impact: int | None = None
    likelihood: int | None = None
    mitigation: str = ""


@event_type
class RiskRescored(Event, frozen=True, kw_only=True):
    item_id: UUID
    programme_key: str
    impact: int | None
    likelihood: int | None
    reason: str = ""


@event_type
class RiskUpdateLogged(Event, frozen=True, kw_only=True):
    """One dated line of the log (the report's "Latest Update")."""

    item_id: UUID
    programme_key: str
    logged_on: date
    text: str


@event_type
class RiskOwnerChanged(Event, frozen=True, kw_only=True):
    personal_fields: ClassVar[Mapping[str, str]] = {"previous_owner": "previous_owner"}
    item_id: UUID
    programme_key: str
    owner: PersonRef
    previous_owner: str


@event_type
class RiskClosed(Event, frozen=True, kw_only=True):
    item_id: UUID
    programme_key: str
    note: str
