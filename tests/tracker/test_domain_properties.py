"""Property-based tests of the deliverable and closure state machines.

For any sequence of commands: the state folded from the stored events (encoded and decoded as
the store does) equals the state the decisions saw; nothing is signed off without every
approval (after every endorsement); nothing is approved by anyone but a named approver or
their deputy on a day the delegation covers. A store-backed run on SQLite must agree with the
pure run event for event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from pathlib import Path
from uuid import uuid4

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import (
    ANDREW,
    ANTONY,
    BTLS_ROSTER,
    END,
    GABBY,
    GLYN,
    KEY,
    MIKE,
    PAUL,
    RACHAEL,
    ROB,
    START,
    STRANGER,
    PaperHandlers,
    Person,
    at,
    btls,
    deputy,
    registered,
    roster,
)
from tracker import closure as closure_rules
from tracker.clock import FixedClock
from tracker.commands import (
    AppointDeputy,
    ApproveClosureReport,
    ApproveDeliverable,
    AssignRosterMember,
    Command,
    DeferDeliverable,
    EndorseClosureReport,
    EndorseDeliverable,
    PlanDeliverable,
    RegisterProgramme,
    ReinstateDeliverable,
    ReopenDeliverable,
    ReplanDeliverable,
    ResubmitDeliverable,
    ReturnDeliverable,
    SubmitClosureReport,
    SubmitDeliverable,
)
from tracker.context import Context
from tracker.deliverable_plan import (
    decide_defer,
    decide_plan,
    decide_reinstate,
    decide_reopen,
    decide_replan,
)
from tracker.deliverable_signoff import (
    decide_approve,
    decide_endorse,
    decide_resubmit,
    decide_return,
    decide_submit,
)
from tracker.deliverables import DeliverableEvent, DeliverableState, deliverable_stream
from tracker.deliverables import evolve as evolve_deliverable
from tracker.errors import DomainError, InvalidInput, RuleBroken
from tracker.events.base import Event, registry
from tracker.events.closure import ClosureReportApproved, ClosureReportEndorsed, ProgrammeClosed
from tracker.events.codec import canonical_json
from tracker.events.deliverables import (
    DeliverableApproved,
    DeliverableDeferred,
    DeliverableEndorsed,
    DeliverableReopened,
    DeliverableResubmitted,
    DeliverableReturned,
    DeliverableSignedOff,
    DeliverableSubmitted,
)
from tracker.events.sqlite_store import SqliteEventStore
from tracker.ids import PersonId
from tracker.migrations import upgrade
from tracker.programmes import ProgrammeEvent, ProgrammeState
from tracker.programmes import evolve as evolve_programme
from tracker.settings import Settings

DELIVERABLE = uuid4()
MARCH = (date(2021, 3, 1), date(2021, 3, 31))
"""Antony Draper deputises for Mike Kirby in March 2021 only."""
DAYS = st.one_of(
    st.dates(min_value=date(2021, 2, 20), max_value=date(2021, 4, 10)),
    st.dates(min_value=date(2021, 3, 1), max_value=date(2021, 3, 31)),
)


def stored_copy(event: Event) -> Event:
    """The event as the store gives it back: canonical JSON, decoded through the registry."""
    data = canonical_json(msgspec.structs.asdict(event))
    return registry.decode(type(event).__name__, type(event).schema_version, data)


def context(day: date, actor: Person | None) -> Context:
    return Context(at=at(day), actor=None if actor is None else PersonId(actor.email))


# The deliverable machine.

Step = tuple[str, Person, date]


def step(kinds: list[str], actors: list[Person]) -> st.SearchStrategy[Step]:
    return st.tuples(st.sampled_from(kinds), st.sampled_from(actors), DAYS)


Scenario = tuple[list[Person], list[Person], list[Step]]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Approvers, endorsers and a command sequence. Actors are mostly the named people (and
    Mike's deputy), with outsiders mixed in; disruptive steps are rarer so that sign-off is
    often reached."""
    approvers = draw(
        st.lists(st.sampled_from([GABBY, PAUL, MIKE]), min_size=1, max_size=3, unique=True)
    )
    endorsers = draw(st.lists(st.sampled_from([ROB, ANDREW]), max_size=2, unique=True))
    approve = step(["approve"], [*approvers, *approvers, ANTONY, ROB, STRANGER])
    endorse = step(["endorse"], [*endorsers, *endorsers, ANTONY, GABBY, STRANGER])
    submit = step(["submit", "resubmit"], [GLYN])
    disrupt = step(
        ["return", "defer", "reinstate", "reinstate", "reopen", "replan"],
        [*approvers, *endorsers, STRANGER],
    )
    kinds = {"approve": approve, "endorse": endorse, "submit": submit, "disrupt": disrupt}
    weights = ["approve"] * 4 + ["endorse"] * 3 + ["submit"] * 2 + ["disrupt"]
    sequence = draw(
        st.lists(st.sampled_from(weights).flatmap(kinds.__getitem__), min_size=8, max_size=40)
    )
    return approvers, endorsers, sequence


def deliverable_command(kind: str, actor: Person, day: date) -> Command:
    d = DELIVERABLE
    commands: dict[str, Command] = {
        "submit": SubmitDeliverable(deliverable_id=d),
        "resubmit": ResubmitDeliverable(deliverable_id=d),
        "endorse": EndorseDeliverable(deliverable_id=d, actor=actor.email),
        "approve": ApproveDeliverable(deliverable_id=d, actor=actor.email),
        "return": ReturnDeliverable(deliverable_id=d, comment="Needs work", actor=actor.email),
        "defer": DeferDeliverable(deliverable_id=d, reason="To BAU", destination="Post Transition"),
        "reinstate": ReinstateDeliverable(deliverable_id=d, reason="Back in scope"),
        "reopen": ReopenDeliverable(deliverable_id=d, reason="Found a gap"),
        "replan": ReplanDeliverable(deliverable_id=d, due_on=day, reason="Moved"),
    }
    return commands[kind]


Decide = Callable[[ProgrammeState, DeliverableState, Command, Context], list[DeliverableEvent]]
DECIDERS: dict[type[Command], Decide] = {
    SubmitDeliverable: decide_submit,  # type: ignore[dict-item]
    ResubmitDeliverable: decide_resubmit,  # type: ignore[dict-item]
    EndorseDeliverable: decide_endorse,  # type: ignore[dict-item]
    ApproveDeliverable: decide_approve,  # type: ignore[dict-item]
    ReturnDeliverable: decide_return,  # type: ignore[dict-item]
    DeferDeliverable: decide_defer,  # type: ignore[dict-item]
    ReinstateDeliverable: decide_reinstate,  # type: ignore[dict-item]
    ReopenDeliverable: decide_reopen,  # type: ignore[dict-item]
    ReplanDeliverable: decide_replan,  # type: ignore[dict-item]
}


def the_programme() -> ProgrammeState:
    return btls(
        deputy(ANTONY, MIKE, MARCH[0].isoformat(), MARCH[1].isoformat(), delegation_id=uuid4())
    )


def plan_command(approvers: list[Person], endorsers: list[Person]) -> PlanDeliverable:
    return PlanDeliverable(
        programme_key=KEY,
        title="DR Plan Reviewed and Assured",
        due_on=date(2021, 3, 1),
        approvers=tuple(p.ref for p in approvers),
        endorsers=tuple(p.ref for p in endorsers),
        deliverable_id=DELIVERABLE,
    )


SIGNING = frozenset({"endorse", "approve", "return"})


def run_pure(
    approvers: list[Person], endorsers: list[Person], sequence: list[Step]
) -> tuple[DeliverableState, list[tuple[DeliverableEvent, date]]]:
    """Decide and evolve each step; check the fold of the stored copies after every step."""
    programme = the_programme()
    creation = decide_plan(
        programme,
        DeliverableState(),
        plan_command(approvers, endorsers),
        context(date(2021, 2, 1), None),
        new_id=DELIVERABLE,
    )
    state = DeliverableState()
    log: list[tuple[DeliverableEvent, date]] = []
    for event in creation.item_events:
        state = evolve_deliverable(state, event)
        log.append((event, date(2021, 2, 1)))
    opened: date | None = None
    for kind, actor, day in sequence:
        command = deliverable_command(kind, actor, day)
        before = state
        try:
            if kind in SIGNING and opened is not None and day < opened:
                # The handlers refuse a sign-off dated before the submission it answers
                # (tracker.backdating); the pure decisions are not given dates to compare.
                raise RuleBroken("dated_before_submission", "before the submission")
            events = DECIDERS[type(command)](programme, state, command, context(day, actor))
        except (DomainError, InvalidInput):
            events = []
        if any(isinstance(e, DeliverableSubmitted | DeliverableResubmitted) for e in events):
            opened = day
        if not events:
            assert state == before
        for event in events:
            state = evolve_deliverable(state, event)
            log.append((event, day))
        refolded = DeliverableState()
        for logged, _ in log:
            copy = stored_copy(logged)
            assert copy == logged
            refolded = evolve_deliverable(refolded, copy)  # type: ignore[arg-type]
        assert refolded == state
    return state, log


def check_sign_off_invariants(
    state: DeliverableState, log: list[tuple[DeliverableEvent, date]]
) -> None:
    """An independent model of the rules, not reusing the domain's round bookkeeping."""
    approvers: set[str] = set()
    endorsers: set[str] = set()
    plan = log[0][0]
    approvers = {p.email for p in plan.approvers}  # type: ignore[union-attr]
    endorsers = {p.email for p in plan.endorsers}  # type: ignore[union-attr]
    approved: list[str] = []
    endorsed: list[str] = []
    for event, day in log[1:]:
        match event:
            case DeliverableSubmitted() | DeliverableResubmitted():
                approved, endorsed = [], []
            case DeliverableReturned() | DeliverableDeferred() | DeliverableReopened():
                approved, endorsed = [], []
            case DeliverableEndorsed():
                signatory = event.on_behalf_of or event.actor
                assert signatory in endorsers and signatory not in endorsed
                endorsed.append(signatory)
            case DeliverableApproved():
                signatory = event.on_behalf_of or event.actor
                assert signatory in approvers, "approved by someone not named"
                assert signatory not in approved, "a second approval by the same person"
                assert set(endorsed) == endorsers, "approved before every endorsement"
                if event.on_behalf_of is not None:
                    assert (event.actor, event.on_behalf_of) == (ANTONY.email, MIKE.email)
                    assert MARCH[0] <= day <= MARCH[1], "a deputy acted outside the dates"
                approved.append(signatory)
            case DeliverableSignedOff():
                assert set(approved) == approvers, "signed off without every approval"
    if state.status == "signed_off":
        assert set(approved) == approvers and set(endorsed) == endorsers


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_any_deliverable_command_sequence_folds_back_and_never_signs_off_without_every_approval(
    scenario: Scenario,
) -> None:
    state, log = run_pure(*scenario)
    check_sign_off_invariants(state, log)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([GABBY, PAUL, MIKE, ANTONY]), max_size=8), DAYS)
def test_a_signed_off_deliverable_has_every_named_approval(actors: list[Person], day: date) -> None:
    """Only approvals, in any order and by anyone: signed off iff every approver approved."""
    sequence: list[Step] = [("submit", GABBY, day)] + [("approve", a, day) for a in actors]
    state, log = run_pure([GABBY, PAUL, MIKE], [], sequence)
    approved_for = {e.on_behalf_of or e.actor for e, _ in log if isinstance(e, DeliverableApproved)}
    deputy_counts = MARCH[0] <= day <= MARCH[1] and ANTONY in actors
    expected = {GABBY.email, PAUL.email} <= set(a.email for a in actors) and (
        MIKE in actors or deputy_counts
    )
    assert (state.status == "signed_off") == expected
    assert (state.status == "signed_off") == (approved_for == {GABBY.email, PAUL.email, MIKE.email})


# The closure machine.

ClosureStep = tuple[str, Person, date, bool]
R_AND_C = [GLYN, ROB, GABBY, ANTONY, ANDREW, RACHAEL]


def closure_step(kinds: list[str], actors: list[Person]) -> st.SearchStrategy[ClosureStep]:
    overrides = st.sampled_from([False] * 8 + [True])
    return st.tuples(st.sampled_from(kinds), st.sampled_from(actors), CLOSURE_DAYS, overrides)


CLOSURE_DAYS = st.one_of(
    st.dates(min_value=date(2021, 3, 20), max_value=date(2021, 5, 10)),
    st.dates(min_value=date(2021, 4, 1), max_value=date(2021, 4, 30)),
)
# Mostly endorsements by the R and C members, so that full endorsement is often reached.
CLOSURE_STEPS: dict[str, st.SearchStrategy[ClosureStep]] = {
    "endorse": closure_step(["endorse"], R_AND_C),
    "endorse by others": closure_step(["endorse"], [MIKE, PAUL, STRANGER]),
    "approve": closure_step(["approve"], [MIKE, GLYN, ANDREW, PAUL]),
    "submit": closure_step(["submit"], [GLYN]),
}
# Mostly endorsements by the R and C members, so that full endorsement is often reached.
# (sampled_from weights by repetition; one_of would not.)
CLOSURE_WEIGHTS = ["endorse"] * 14 + ["endorse by others", "approve", "approve", "submit"]
closure_steps = st.lists(
    st.sampled_from(CLOSURE_WEIGHTS).flatmap(CLOSURE_STEPS.__getitem__),
    min_size=10,
    max_size=40,
)
APRIL = ("2021-04-01", "2021-04-30")
"""Glyn Peach deputises for Mike Kirby in April 2021."""


def closure_command(kind: str, actor: Person, override: bool) -> Command:
    if kind == "submit":
        return SubmitClosureReport(programme_key=KEY)
    if kind == "endorse":
        return EndorseClosureReport(programme_key=KEY, actor=actor.email)
    return ApproveClosureReport(
        programme_key=KEY,
        actor=actor.email,
        override_reason="Board agreed" if override else None,
    )


@settings(max_examples=300, deadline=None)
@given(closure_steps)
def test_any_closure_sequence_folds_back_and_closes_only_on_a_proper_approval(
    sequence: list[ClosureStep],
) -> None:
    base: list[ProgrammeEvent] = [registered(), *roster(), deputy(GLYN, MIKE, *APRIL)]
    programme = ProgrammeState()
    report = closure_rules.ClosureState()
    for event in base:
        programme = evolve_programme(programme, event)
    log: list[tuple[ProgrammeEvent, date]] = []
    for kind, actor, day, override in sequence:
        command = closure_command(kind, actor, override)
        ctx = context(day, actor)
        try:
            if isinstance(command, SubmitClosureReport):
                events = closure_rules.decide_submit(
                    programme, report, command, ctx, programme_version=len(log), items=()
                )
            elif isinstance(command, EndorseClosureReport):
                events = closure_rules.decide_endorse(programme, report, command, ctx)
            else:
                assert isinstance(command, ApproveClosureReport)
                events = closure_rules.decide_approve(programme, report, command, ctx)
        except (DomainError, InvalidInput):
            events = []
        if programme.lifecycle == "closed":
            assert events == [], "a closed programme accepted a closure command"
        for event in events:
            programme = evolve_programme(programme, event)
            report = closure_rules.evolve(report, event)
            log.append((event, day))
        refolded_programme = ProgrammeState()
        refolded_report = closure_rules.ClosureState()
        for event in [*base, *(e for e, _ in log)]:
            copy = stored_copy(event)
            refolded_programme = evolve_programme(refolded_programme, copy)  # type: ignore[arg-type]
            refolded_report = closure_rules.evolve(refolded_report, copy)  # type: ignore[arg-type]
        assert (refolded_programme, refolded_report) == (programme, report)

    # The independent model: endorsements per revision, and what an approval needs.
    endorsers = {m.email for m in programme.roster if m.raci in "RC"}
    endorsed: set[str] = set()
    approvals = [(e, d) for e, d in log if isinstance(e, ClosureReportApproved)]
    for event, day in log:
        if isinstance(event, ClosureReportEndorsed):
            endorsed.add(event.on_behalf_of or event.actor)
        elif type(event).__name__ == "ClosureReportSubmitted":
            endorsed = set()
        elif isinstance(event, ClosureReportApproved):
            assert (event.on_behalf_of or event.actor) == MIKE.email
            if event.on_behalf_of is not None:
                assert event.actor == GLYN.email and date(2021, 4, 1) <= day <= date(2021, 4, 30)
            missing = endorsers - endorsed
            assert set(event.endorsements_missing) == missing
            assert (event.override_reason is not None) == bool(missing)
    closed = [e for e, _ in log if isinstance(e, ProgrammeClosed)]
    assert len(approvals) == len(closed) <= 1
    assert (programme.lifecycle == "closed") == bool(closed)
    if closed:
        assert type(log[-1][0]).__name__ == "ProgrammeClosed"


# The same deliverable sequences through the handlers and SQLite.


@pytest.fixture(scope="module")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("properties") / "tracker.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    return url


def programme_setup(key: str) -> list[Command]:
    """The commands that make the pure tests' programme: BTLS, its roster, Antony for Mike."""
    commands: list[Command] = [
        RegisterProgramme(
            programme_key=key,
            name="BTLS transition",
            starts_on=START,
            planned_end_on=END,
            occurred_at=at(START),
        )
    ]
    commands += [
        AssignRosterMember(
            programme_key=key,
            email=p.email,
            name=p.name,
            role_title=role,
            raci=raci,
            occurred_at=at(START),
        )
        for p, raci, role in BTLS_ROSTER
    ]
    commands.append(
        AppointDeputy(
            programme_key=key,
            deputy_email=ANTONY.email,
            for_email=MIKE.email,
            starts_on=MARCH[0],
            ends_on=MARCH[1],
            occurred_at=at(START),
        )
    )
    return commands


async def run_through_the_store(
    url: str, approvers: list[Person], endorsers: list[Person], sequence: list[Step]
) -> tuple[DeliverableState, list[Event]]:
    """The same steps as commands through ``Handlers`` on SQLite, under a fresh programme key
    and deliverable id (one database serves every example)."""
    clock = FixedClock(at("2026-11-26"))
    store = SqliteEventStore(Settings(database_url=url), clock=clock)
    key = f"prop-{uuid4().hex[:12]}"
    deliverable_id = uuid4()
    try:
        handlers = PaperHandlers(store, clock)
        for command in programme_setup(key):
            await handlers.handle(command)
        plan = msgspec.structs.replace(
            plan_command(approvers, endorsers),
            programme_key=key,
            deliverable_id=deliverable_id,
            occurred_at=at("2021-02-01"),
        )
        await handlers.handle(plan)
        for kind, actor, day in sequence:
            # Each step recorded on the day it is dated, as the pure run decides it (a
            # back-dated step would also need its authority on the day of recording).
            clock.set(at(day))
            command = msgspec.structs.replace(
                deliverable_command(kind, actor, day),
                deliverable_id=deliverable_id,
                occurred_at=at(day),
            )
            try:
                await handlers.handle(command)
            except (DomainError, InvalidInput):
                pass
        stream = deliverable_stream(deliverable_id)
        loaded = await handlers.load_deliverable(stream)
        stored = [e.data for e in await store.read_stream(stream)]
        return loaded.state, stored
    finally:
        await store.close()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenarios())
def test_the_store_backed_handlers_agree_with_the_pure_decisions(
    sqlite_database: str, scenario: Scenario
) -> None:
    approvers, endorsers, sequence = scenario
    pure_state, pure_log = run_pure(approvers, endorsers, sequence)
    stored_state, stored_events = asyncio.run(
        run_through_the_store(sqlite_database, approvers, endorsers, sequence)
    )

    def same_deliverable(value: object) -> object:
        return msgspec.structs.replace(
            value,  # type: ignore[type-var]
            deliverable_id=DELIVERABLE,
            programme_key=KEY,
        )

    assert [same_deliverable(e) for e in stored_events] == [e for e, _ in pure_log]
    assert same_deliverable(stored_state) == pure_state
