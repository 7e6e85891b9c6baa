"""The programme: registration, description, workstreams, outcomes, closing notes, the index of
its items, and its lifecycle. Pure: state is a fold over the programme stream.

Lifecycle: active, closing (closure report submitted), closed (closure report approved). A
closed programme refuses plan changes, naming its state.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal, assert_never
from uuid import UUID

import msgspec

from tracker.errors import InvalidInput, NotFound, RuleBroken
from tracker.events.closure import (
    ClosureReportApproved,
    ClosureReportEndorsed,
    ClosureReportSubmitted,
    ProgrammeClosed,
)
from tracker.events.people import ProgrammePersonErased
from tracker.events.programmes import (
    CloseOutRecommendationRecorded,
    DeliverableListed,
    DeputyAppointed,
    DeputyRevoked,
    GateListed,
    LearningPointRecorded,
    MilestoneListed,
    NextStepRecorded,
    OutcomeDefined,
    ProgrammeDescribed,
    ProgrammeRegistered,
    RaciLetter,
    RaidKind,
    RaidRefReserved,
    RosterMemberAssigned,
    RosterMemberChanged,
    RosterMemberRevoked,
    WorkstreamAdded,
)
from tracker.signoff import Delegation

ProgrammeEvent = (
    ProgrammeRegistered
    | ProgrammeDescribed
    | WorkstreamAdded
    | RosterMemberAssigned
    | RosterMemberChanged
    | RosterMemberRevoked
    | DeputyAppointed
    | DeputyRevoked
    | OutcomeDefined
    | LearningPointRecorded
    | CloseOutRecommendationRecorded
    | NextStepRecorded
    | DeliverableListed
    | MilestoneListed
    | RaidRefReserved
    | GateListed
    | ClosureReportSubmitted
    | ClosureReportEndorsed
    | ClosureReportApproved
    | ProgrammeClosed
    | ProgrammePersonErased
)
"""Everything the programme stream holds."""

PROGRAMME_EVENT_TYPES = (
    ProgrammeRegistered,
    ProgrammeDescribed,
    WorkstreamAdded,
    RosterMemberAssigned,
    RosterMemberChanged,
    RosterMemberRevoked,
    DeputyAppointed,
    DeputyRevoked,
    OutcomeDefined,
    LearningPointRecorded,
    CloseOutRecommendationRecorded,
    NextStepRecorded,
    DeliverableListed,
    MilestoneListed,
    RaidRefReserved,
    GateListed,
    ClosureReportSubmitted,
    ClosureReportEndorsed,
    ClosureReportApproved,
    ProgrammeClosed,
    ProgrammePersonErased,
)

Lifecycle = Literal["active", "closing", "closed"]


def programme_stream(key: str) -> str:
    return f"programme:{key}"


class RosterMember(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    name: str
    role_title: str
    raci: RaciLetter


class LetterSpell(msgspec.Struct, frozen=True, kw_only=True):
    """From ``since`` on, ``email`` holds ``raci`` (None: off the roster). ``since`` is the
    effective day of the roster change; None when the fold was not given dates."""

    email: str
    raci: RaciLetter | None
    since: date | None = None


class Workstream(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    title: str
    description: str = ""


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    title: str


class Numbered(msgspec.Struct, frozen=True, kw_only=True):
    """A learning point, recommendation or next step: its id and its number in the report."""

    item_id: UUID
    number: int


class RaidRef(msgspec.Struct, frozen=True, kw_only=True):
    ref: str
    item_id: UUID
    kind: RaidKind


class ProgrammeState(msgspec.Struct, frozen=True, kw_only=True):
    key: str = ""
    registered: bool = False
    name: str = ""
    purpose: str = ""
    scope: str = ""
    governance: str = ""
    starts_on: date | None = None
    planned_end_on: date | None = None
    registered_on: date | None = None
    lifecycle: Lifecycle = "active"
    workstreams: tuple[Workstream, ...] = ()
    roster: tuple[RosterMember, ...] = ()
    letters: tuple[LetterSpell, ...] = ()
    """Every roster change with its effective day, in stream order: who held which letter
    when (``letter_on``), so a back-dated action is judged on the roster of its day too."""
    delegations: tuple[Delegation, ...] = ()
    deputy_names: tuple[tuple[str, str], ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    learning_points: tuple[Numbered, ...] = ()
    recommendations: tuple[Numbered, ...] = ()
    next_steps: tuple[Numbered, ...] = ()
    deliverables: tuple[UUID, ...] = ()
    milestones: tuple[UUID, ...] = ()
    raid_refs: tuple[RaidRef, ...] = ()
    gates: tuple[UUID, ...] = ()

    @property
    def earliest(self) -> date | None:
        """Nothing may be dated before this: the start, or an earlier registration."""
        if self.starts_on is None or self.registered_on is None:
            return self.starts_on
        return min(self.starts_on, self.registered_on)

    def member(self, email: str) -> RosterMember | None:
        return next((m for m in self.roster if m.email == email), None)

    def letter_on(self, email: str, day: date) -> RaciLetter | None:
        """The letter ``email`` held on ``day``: the last change effective on or before it."""
        held: RaciLetter | None = None
        for spell in self.letters:
            if spell.email == email and (spell.since is None or spell.since <= day):
                held = spell.raci
        return held

    def accountable(self) -> RosterMember | None:
        return next((m for m in self.roster if m.raci == "A"), None)

    def with_letters(self, *letters: RaciLetter) -> tuple[RosterMember, ...]:
        return tuple(m for m in self.roster if m.raci in letters)

    def delegation(self, delegation_id: UUID) -> Delegation | None:
        return next((d for d in self.delegations if d.delegation_id == delegation_id), None)

    def name_of(self, email: str) -> str:
        """The roster's name for a person, else the name given when made a deputy, else the
        e-mail."""
        member = self.member(email)
        if member is not None and member.name:
            return member.name
        return dict(self.deputy_names).get(email) or email

    def workstream(self, key: str) -> Workstream | None:
        return next((w for w in self.workstreams if w.key == key), None)

    def outcome(self, number: int) -> Outcome | None:
        return next((o for o in self.outcomes if o.number == number), None)

    def require_registered(self, key: str) -> None:
        if not self.registered:
            raise NotFound(f"programme {key!r} is not registered", code="programme_not_found")

    def require_open(self, doing: str) -> None:
        """Plan changes are refused on a closed programme."""
        if self.lifecycle == "closed":
            raise RuleBroken(
                "programme_closed",
                f"programme {self.name or self.key!r} is closed: {doing} is refused",
            )


def _replace_member(
    roster: tuple[RosterMember, ...], new: RosterMember
) -> tuple[RosterMember, ...]:
    return tuple(new if m.email == new.email else m for m in roster)


def evolve(state: ProgrammeState, event: ProgrammeEvent, on: date | None = None) -> ProgrammeState:
    """The state after ``event``; ``on`` is the event's effective day (London), which dates the
    roster's history (``ProgrammeState.letters``)."""
    replace = msgspec.structs.replace
    match event:
        case ProgrammeRegistered():
            return replace(
                state,
                key=event.programme_key,
                registered=True,
                name=event.name,
                purpose=event.purpose,
                scope=event.scope,
                governance=event.governance,
                starts_on=event.starts_on,
                planned_end_on=event.planned_end_on,
                registered_on=event.registered_on,
            )
        case ProgrammeDescribed():
            return replace(
                state,
                name=event.name,
                purpose=event.purpose,
                scope=event.scope,
                governance=event.governance,
            )
        case WorkstreamAdded():
            workstream = Workstream(
                key=event.workstream, title=event.title, description=event.description
            )
            return replace(state, workstreams=(*state.workstreams, workstream))
        case RosterMemberAssigned():
            member = RosterMember(
                email=event.email, name=event.name, role_title=event.role_title, raci=event.raci
            )
            spell = LetterSpell(email=event.email, raci=event.raci, since=on)
            return replace(state, roster=(*state.roster, member), letters=(*state.letters, spell))
        case RosterMemberChanged():
            member = RosterMember(
                email=event.email, name=event.name, role_title=event.role_title, raci=event.raci
            )
            spell = LetterSpell(email=event.email, raci=event.raci, since=on)
            return replace(
                state,
                roster=_replace_member(state.roster, member),
                letters=(*state.letters, spell),
            )
        case RosterMemberRevoked():
            spell = LetterSpell(email=event.email, raci=None, since=on)
            return replace(
                state,
                roster=tuple(m for m in state.roster if m.email != event.email),
                letters=(*state.letters, spell),
            )
        case DeputyAppointed():
            delegation = Delegation(
                delegation_id=event.delegation_id,
                deputy=event.deputy,
                principal=event.principal,
                starts_on=event.starts_on,
                ends_on=event.ends_on,
            )
            names = state.deputy_names
            if event.deputy_name:
                names = (*names, (event.deputy, event.deputy_name))
            return replace(state, delegations=(*state.delegations, delegation), deputy_names=names)
        case DeputyRevoked():
            return replace(
                state,
                delegations=tuple(
                    replace(d, revoked_on=event.revoked_on)
                    if d.delegation_id == event.delegation_id
                    else d
                    for d in state.delegations
                ),
            )
        case OutcomeDefined():
            outcome = Outcome(number=event.number, title=event.title)
            return replace(state, outcomes=(*state.outcomes, outcome))
        case LearningPointRecorded():
            point = Numbered(item_id=event.learning_point_id, number=event.number)
            return replace(state, learning_points=(*state.learning_points, point))
        case CloseOutRecommendationRecorded():
            rec = Numbered(item_id=event.recommendation_id, number=event.number)
            return replace(state, recommendations=(*state.recommendations, rec))
        case NextStepRecorded():
            step = Numbered(item_id=event.next_step_id, number=event.number)
            return replace(state, next_steps=(*state.next_steps, step))
        case DeliverableListed():
            return replace(state, deliverables=(*state.deliverables, event.deliverable_id))
        case MilestoneListed():
            return replace(state, milestones=(*state.milestones, event.milestone_id))
        case RaidRefReserved():
            ref = RaidRef(ref=event.ref, item_id=event.item_id, kind=event.kind)
            return replace(state, raid_refs=(*state.raid_refs, ref))
        case GateListed():
            return replace(state, gates=(*state.gates, event.gate_id))
        case ClosureReportSubmitted():
            return replace(state, lifecycle="closing")
        case ClosureReportEndorsed() | ClosureReportApproved():
            return state
        case ProgrammeClosed():
            return replace(state, lifecycle="closed")
        case ProgrammePersonErased():
            return state
        case _:
            assert_never(event)


def required_text(value: str, what: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInput(f"{what} must not be blank")
    return cleaned


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(value: str, what: str) -> str:
    """A name or title: not blank, and one line with no control character (a CR or LF in a
    name or title ends up in e-mail headers and page titles, where it would break them)."""
    cleaned = required_text(value, what)
    if _CONTROL.search(cleaned):
        raise InvalidInput(f"{what} must be one line of text, with no control characters")
    return cleaned
