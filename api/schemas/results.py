"""Response bodies the API defines itself. The reports (sign-off status, milestone board, RAID
log, closure report, portfolio, inbox) are the projections' own Structs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from tracker.projections.reports.gates import GateRow
from tracker.projections.reports.milestone_board import MilestoneRow
from tracker.projections.reports.raid_log import RaidRow
from tracker.projections.reports.signoff_status import SignOffItem


class WriteResult(msgspec.Struct, frozen=True, kw_only=True):
    """What a write did. ``version`` is the stream's version (also the ETag); ``position`` the
    store position to pass as ``min_position`` to read your own write."""

    id: str | None
    stream_id: str
    version: int
    position: int
    written: bool
    """False when the command changed nothing (a repeated endorsement, an unchanged roster)."""
    recorded: list[str]
    """The types of the events written, in order."""


class ProgrammeSummary(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    key: str
    name: str
    lifecycle: str
    starts_on: date | None
    planned_end_on: date | None
    closed_on: date | None
    position: int


class ProgrammePage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ProgrammeSummary]
    next_after: str | None
    """Pass as ``after`` for the next page; null on the last page."""
    limit: int


class WorkstreamOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    key: str
    title: str
    description: str = ""


class OutcomeOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    number: int
    title: str


class RosterOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    email: str
    name: str
    role_title: str
    raci: Annotated[str, Meta(description="their letters on this programme: R, A, C or I")]


class DelegationOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    deputy: str
    deputy_name: str
    principal: Annotated[str, Meta(description="whose deputy (their e-mail address)")]
    starts_on: date
    ends_on: Annotated[date, Meta(description="inclusive: the deputy may act on this day")]
    revoked_on: Annotated[
        date | None, Meta(description="the day the revocation takes effect; null if none")
    ]


class ProgrammeDetail(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    key: str
    name: str
    purpose: str
    scope: str
    governance: str
    lifecycle: str
    starts_on: date | None
    planned_end_on: date | None
    closed_on: date | None
    workstreams: list[WorkstreamOut]
    outcomes: list[OutcomeOut]
    roster: list[RosterOut]
    delegations: list[DelegationOut]
    deliverables: int
    milestones: int
    raid_items: int
    version: int
    """The programme stream's version: send it as If-Match to change the programme safely."""
    position: int
    as_of: datetime | None = None
    known_at: datetime | None = None


class ItemDetail(msgspec.Struct, frozen=True, kw_only=True):
    """One item with its stream version (send it as If-Match) and the store position read."""

    id: str
    programme_key: str
    version: int
    position: int


class DeliverableDetail(ItemDetail, frozen=True, kw_only=True):
    """A deliverable's sign-off status (ETag: its version)"""

    item: SignOffItem


class MilestoneDetail(ItemDetail, frozen=True, kw_only=True):
    """A milestone's row of the board (ETag: its version)"""

    item: MilestoneRow


class GateDetail(ItemDetail, frozen=True, kw_only=True):
    """A phase gate: its state, what blocks it, RAG and approvals (ETag: its version)"""

    item: GateRow


class RiskDetail(ItemDetail, frozen=True, kw_only=True):
    """A RAID item's row of the log (ETag: its version)"""

    item: RaidRow


class EventOut(msgspec.Struct, frozen=True, kw_only=True):
    position: int
    id: str
    """The event id."""
    stream_id: str
    version: int
    type: str
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    data: dict[str, object]
    metadata: dict[str, object]


class EventPage(msgspec.Struct, frozen=True, kw_only=True):
    events: list[EventOut]
    next_after: int
    """The position to pass as ``after`` next (the last position read)."""
    head_position: int


class TokenOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    prefix: str
    person: str
    name: str
    scope: str
    created_at: str
    revoked_at: str | None
    expires_at: str
    """When it stops working (UTC); refused after with 401 ``token_expired``."""
    expired: bool


class IssuedTokenOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    token: str
    """Shown once: only its hash is stored."""
    person: str
    scope: str
    expires_at: str


class ErasureOut(msgspec.Struct, frozen=True, kw_only=True):
    """An erasure: the person now shows as ``shown`` wherever the tracker named them.
    ``erased`` is false when they had been erased before (nothing changed)."""

    pseudonym: str
    number: int
    shown: str
    erased: bool
    programmes: list[str]
    tokens_revoked: int
    records_removed: int


class TokenList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[TokenOut]
