"""Readable builders: the BTLS people, dates in London, and events with sensible defaults.

Tests say their own "given" with these: ``btls(deputy(GLYN, MIKE, ...))`` is the BTLS
programme with its seed roster and Glyn Peach deputising for Mike Kirby.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import NamedTuple
from uuid import UUID

import msgspec

from tracker.closure import ClosureState
from tracker.closure import evolve as evolve_closure
from tracker.commands import Command
from tracker.context import LONDON, Context
from tracker.deliverables import DeliverableEvent, DeliverableState
from tracker.deliverables import evolve as evolve_deliverable
from tracker.events.base import Event
from tracker.events.deliverables import (
    DeliverableApproved,
    DeliverableEndorsed,
    DeliverablePlanned,
    DeliverableSubmitted,
)
from tracker.events.programmes import (
    DeputyAppointed,
    OutcomeDefined,
    ProgrammeRegistered,
    RaciLetter,
    RosterMemberAssigned,
)
from tracker.events.values import PersonRef
from tracker.handlers import CommandResult, Handlers
from tracker.ids import PersonId, deterministic_uuid
from tracker.programmes import ProgrammeEvent, ProgrammeState
from tracker.programmes import evolve as evolve_programme


class Person(NamedTuple):
    email: str
    name: str

    @property
    def ref(self) -> PersonRef:
        return PersonRef(email=self.email, name=self.name)


def _person(name: str) -> Person:
    return Person(name.lower().replace(" ", ".") + "@lancashire.gov.uk", name)


MIKE = _person("Mike Kirby")
GLYN = _person("Glyn Peach")
ROB = _person("Rob Cathey")
GABBY = _person("Gabby Nelson")
ANTONY = _person("Antony Draper")
ANDREW = _person("Andrew Rogers")
RACHAEL = _person("Rachael Tanner")
PAUL = _person("Paul Sutcliffe")
SARAH = _person("Sarah Oldendorp")
STRANGER = Person("someone.else@example.org", "Someone Else")

KEY = "btls-transition"
START = date(2019, 10, 1)
END = date(2021, 4, 30)
DELIVERABLE_ID = deterministic_uuid("test", "deliverable")
DELEGATION_ID = deterministic_uuid("test", "delegation")

BTLS_ROSTER: tuple[tuple[Person, RaciLetter, str], ...] = (
    (MIKE, "A", "Sponsor"),
    (GLYN, "R", "Transition Lead Officer"),
    (ROB, "R", "Legal Counsel"),
    (GABBY, "R", "Programme Assurance"),
    (ANTONY, "R", "SOCITM Advisory Programme Manager"),
    (ANDREW, "C", "SOCITM Advisory Lead"),
    (RACHAEL, "R", "Procurement"),
)


def day(text: str) -> date:
    return date.fromisoformat(text)


def at(when: str | date, hour: int = 12) -> datetime:
    """Noon (by default) in London on a day."""
    d = day(when) if isinstance(when, str) else when
    return datetime(d.year, d.month, d.day, hour, tzinfo=LONDON)


def ctx(on: str | date = "2021-03-01", actor: Person | None = None) -> Context:
    return Context(at=at(on), actor=None if actor is None else PersonId(actor.email))


def registered(
    key: str = KEY, starts_on: date = START, name: str = "BTLS transition"
) -> ProgrammeRegistered:
    return ProgrammeRegistered(
        programme_key=key,
        name=name,
        starts_on=starts_on,
        planned_end_on=END,
        registered_on=starts_on,
    )


def member(
    person: Person, raci: RaciLetter, role: str = "Member", key: str = KEY
) -> RosterMemberAssigned:
    return RosterMemberAssigned(
        programme_key=key, email=person.email, name=person.name, role_title=role, raci=raci
    )


def roster(key: str = KEY) -> list[ProgrammeEvent]:
    """The seed's Key Transition Roles, with Latin letters."""
    return [member(p, raci, role, key) for p, raci, role in BTLS_ROSTER]


def deputy(
    deputy: Person,
    principal: Person,
    starts_on: str = "2021-01-01",
    ends_on: str = "2021-12-31",
    delegation_id: UUID = DELEGATION_ID,
) -> DeputyAppointed:
    return DeputyAppointed(
        programme_key=KEY,
        delegation_id=delegation_id,
        deputy=deputy.email,
        principal=principal.email,
        starts_on=day(starts_on),
        ends_on=day(ends_on),
        deputy_name=deputy.name,
    )


def outcome(number: int, title: str = "LCC have the management structure") -> OutcomeDefined:
    return OutcomeDefined(programme_key=KEY, number=number, title=title)


def programme(*events: ProgrammeEvent) -> ProgrammeState:
    state = ProgrammeState()
    for event in events:
        state = evolve_programme(state, event)
    return state


def btls(*more: ProgrammeEvent) -> ProgrammeState:
    """The BTLS programme with its seed roster, then ``more``."""
    return programme(registered(), *roster(), *more)


def closure(*events: ProgrammeEvent) -> ClosureState:
    state = ClosureState()
    for event in events:
        state = evolve_closure(state, event)
    return state


def planned(
    approvers: Sequence[Person] = (GLYN,),
    endorsers: Sequence[Person] = (),
    title: str = "DR Plan Reviewed and Assured",
    due_on: str = "2021-01-07",
    deliverable_id: UUID = DELIVERABLE_ID,
) -> DeliverablePlanned:
    return DeliverablePlanned(
        deliverable_id=deliverable_id,
        programme_key=KEY,
        title=title,
        due_on=day(due_on),
        approvers=tuple(p.ref for p in approvers),
        endorsers=tuple(p.ref for p in endorsers),
    )


def submitted(round: int = 1) -> DeliverableSubmitted:
    return DeliverableSubmitted(deliverable_id=DELIVERABLE_ID, programme_key=KEY, round=round)


def endorsed(by: Person, round: int = 1, for_: Person | None = None) -> DeliverableEndorsed:
    return DeliverableEndorsed(
        deliverable_id=DELIVERABLE_ID,
        programme_key=KEY,
        round=round,
        actor=by.email,
        on_behalf_of=None if for_ is None else for_.email,
    )


def approved(by: Person, round: int = 1, for_: Person | None = None) -> DeliverableApproved:
    return DeliverableApproved(
        deliverable_id=DELIVERABLE_ID,
        programme_key=KEY,
        round=round,
        actor=by.email,
        on_behalf_of=None if for_ is None else for_.email,
    )


def deliverable(*events: DeliverableEvent) -> DeliverableState:
    state = DeliverableState()
    for event in events:
        state = evolve_deliverable(state, event)
    return state


def kinds(events: Iterable[Event]) -> list[str]:
    return [type(e).__name__ for e in events]


PAPERS_REASON = "entered from the programme's papers, after the fact"


class PaperHandlers(Handlers):
    """The handlers as tests that enter 2020-21's papers in 2026 use them: every command says
    why it is dated back, as the seed's do (``seed.seeder.paper_entry``), so the back-dating
    rule (tested in tests/tracker/test_backdating.py) lets these tests be about their subject."""

    async def handle(self, command: Command) -> CommandResult:
        if command.backdating_reason is None:
            command = msgspec.structs.replace(command, backdating_reason=PAPERS_REASON)
        return await super().handle(command)
