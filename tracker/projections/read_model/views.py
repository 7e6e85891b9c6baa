"""The programme view: everything the reports need, folded from a programme's events.

One fold (``fold.py``) feeds every report (sign-off status, milestone board, RAID log, closure
report, portfolio). RAG depends on "today", so it is computed when a report is rendered, never
stored.

The read model stores a view in pieces (``rows.py``): the **header** (a ``ProgrammeView`` whose
item collections are empty) and one **item row** per deliverable, milestone and RAID item. A
view assembled from them equals the view folded from the events. Every struct here is
``gc=False``: views are trees (no reference cycles), so the cyclic collector need not walk them.
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from tracker.events.closure import ReportSection
from tracker.events.values import DateValue, PersonRef


class Provenance(msgspec.Struct, kw_only=True, gc=False):
    """Where a fact came from: the event, and the source document row when seeded."""

    position: int
    stream_id: str
    version: int
    source: dict[str, str] = {}


class Signature(msgspec.Struct, kw_only=True, gc=False):
    """An endorsement or approval: who acted, for whom, when it happened, when recorded."""

    person: str
    name: str
    actor: str
    actor_name: str
    on_behalf_of: str | None
    on: date
    recorded_at: datetime


class LateMark(msgspec.Struct, kw_only=True, gc=False):
    """An entry dated further back than the back-dating rule allows without a reason
    (``tracker.backdating``): the day it carries, the day it was recorded, and why."""

    on: date
    recorded_on: date
    reason: str


class LateEntry(msgspec.Struct, kw_only=True, gc=False):
    """One back-dated event of the programme, for the data-quality findings."""

    stream_id: str
    type: str
    mark: LateMark


class PaperNote(msgspec.Struct, kw_only=True, gc=False):
    """An oddity of the source paper, as the seed recorded it in an event's ``source``
    (``oddity``: "rule: sentence"): for the data-quality findings."""

    rule: str
    text: str
    stream_id: str
    document: str = ""
    line: str = ""


class HistoryEntry(msgspec.Struct, kw_only=True, gc=False):
    on: date
    what: str
    """e.g. "submitted", "returned", "replanned", "deferred", "reopened"."""
    detail: str = ""
    actor: str | None = None


class DeliverableView(msgspec.Struct, kw_only=True, gc=False):
    id: str
    title: str
    due_on: date
    approvers: list[PersonRef]
    endorsers: list[PersonRef]
    outcome_number: int | None = None
    workstream: str | None = None
    due_assumed: bool = False
    """The due date is a placeholder the source does not give (until re-planned)."""
    state: str = "planned"
    """planned, submitted, returned, signed_off or deferred."""
    round: int = 0
    endorsements: list[Signature] = []
    approvals: list[Signature] = []
    signed_off_on: date | None = None
    signed_off_late: LateMark | None = None
    """Set when the sign-off was recorded with a back-dating reason."""
    deferred_reason: str | None = None
    deferred_destination: str | None = None
    returned_comment: str | None = None
    submitted_on: date | None = None
    history: list[HistoryEntry] = []
    provenance: Provenance | None = None
    version: int = 0
    """The version of the item's stream folded in (its ETag)."""


class MilestoneChange(msgspec.Struct, kw_only=True, gc=False):
    on: date
    kind: str
    """reforecast or rebaseline."""
    value: DateValue
    previous: DateValue
    reason: str


class MilestoneView(msgspec.Struct, kw_only=True, gc=False):
    id: str
    title: str
    original_baseline: DateValue
    baseline: DateValue
    forecast: DateValue
    actual: DateValue | None = None
    workstream: str | None = None
    changes: list[MilestoneChange] = []
    provenance: Provenance | None = None
    source_status: str = ""
    """The status the latest source to give one printed ("On Target"): a milestone a later
    paper re-dates shows that paper's words, not the first paper's."""
    version: int = 0
    """The version of the item's stream folded in (its ETag)."""


class RaidUpdate(msgspec.Struct, kw_only=True, gc=False):
    on: date
    text: str


class RaidView(msgspec.Struct, kw_only=True, gc=False):
    id: str
    ref: str
    kind: str
    description: str
    owner: PersonRef
    raised_on: date
    impact: int | None = None
    likelihood: int | None = None
    mitigation: str = ""
    is_open: bool = True
    closed_on: date | None = None
    closing_note: str | None = None
    updates: list[RaidUpdate] = []
    provenance: Provenance | None = None
    version: int = 0
    """The version of the item's stream folded in (its ETag)."""


class GateView(msgspec.Struct, kw_only=True, gc=False):
    """A phase gate: what it waits for (deliverable and milestone ids), who approves it, the
    approvals given and the day it passed. Held in the programme's header (a programme has a
    handful), its own stream (``gate:<uuid>``) folded there."""

    id: str
    title: str
    order: int
    deliverables: list[str]
    milestones: list[str]
    approvers: list[PersonRef]
    defined_on: date
    approvals: list[Signature] = []
    passed_on: date | None = None
    provenance: Provenance | None = None
    version: int = 0
    """The version of the gate's stream folded in (its ETag)."""


class RosterEntry(msgspec.Struct, kw_only=True, gc=False):
    email: str
    name: str
    role_title: str
    raci: str
    provenance: Provenance | None = None


class Delegation(msgspec.Struct, kw_only=True, gc=False):
    id: str
    deputy: str
    deputy_name: str
    principal: str
    starts_on: date
    ends_on: date
    revoked_on: date | None = None


class NumberedNote(msgspec.Struct, kw_only=True, gc=False):
    """A learning point, close-out recommendation or next step."""

    id: str
    number: int
    description: str
    responsible: str
    recommendation: str = ""
    deliverable_id: str | None = None
    provenance: Provenance | None = None


class ClosureView(msgspec.Struct, kw_only=True, gc=False):
    state: str = "not_submitted"
    """not_submitted, submitted or approved."""
    revision: int = 0
    approver: PersonRef | None = None
    endorsers: list[PersonRef] = []
    informed: list[PersonRef] = []
    endorsements: list[Signature] = []
    approval: Signature | None = None
    override_reason: str | None = None
    endorsements_missing_at_approval: list[str] = []
    submitted_on: date | None = None
    summary: str = ""
    presenters: list[str] = []
    """Who presented the report, as its paper prints them."""
    sections: list[ReportSection] = []
    """The paper's own section numbers and titles, when the report is a paper."""
    provenance: Provenance | None = None
    """The submission's: where its date, presenters and sections came from."""


class ProgrammeView(msgspec.Struct, kw_only=True, gc=False):
    key: str
    name: str = ""
    purpose: str = ""
    scope: str = ""
    governance: str = ""
    starts_on: date | None = None
    planned_end_on: date | None = None
    lifecycle: str = "active"
    """active, closing (closure report submitted) or closed (approved)."""
    closed_on: date | None = None
    workstreams: dict[str, str] = {}
    workstream_descriptions: dict[str, str] = {}
    """By workstream key, where one was given."""
    outcome_source_status: dict[int, str] = {}
    """By outcome number: the status its source printed ("Complete"), where it gave one."""
    roster: dict[str, RosterEntry] = {}
    delegations: dict[str, Delegation] = {}
    people: dict[str, str] = {}
    """Display names by e-mail, from every place a person is named."""
    outcomes: dict[int, str] = {}
    deliverables: dict[str, DeliverableView] = {}
    milestones: dict[str, MilestoneView] = {}
    raid: dict[str, RaidView] = {}
    gates: dict[str, GateView] = {}
    learning_points: list[NumberedNote] = []
    recommendations: list[NumberedNote] = []
    next_steps: list[NumberedNote] = []
    closure: ClosureView = msgspec.field(default_factory=ClosureView)
    position: int = 0
    """The store position of the last event folded in."""
    events: int = 0
    version: int = 0
    """The version of the programme stream folded in."""
    named: dict[str, int] = {}
    """How many deliverables name each e-mail as endorser or approver (for access and inboxes,
    without reading the items)."""
    unopened: list[str] = []
    """Item streams the programme stream lists whose first event is not folded yet (a listing
    and its item are one append, but a page of the log may end between them)."""
    occurred_until: datetime | None = None
    """The latest ``occurred_at`` folded in (a snapshot serves ``as_of`` from here on)."""
    recorded_until: datetime | None = None
    """The latest ``recorded_at`` folded in (a snapshot serves ``known_at`` from here on)."""
    late_entries: list[LateEntry] = []
    """Events recorded with a back-dating reason, in the order folded."""
    paper_notes: list[PaperNote] = []
    """The source papers' oddities the events carry, each once, in the order folded."""
