"""Back-dating (issue 14, finding 1): the rule's arithmetic, and the handlers refusing a
sign-off before its submission, an action before its item, and a late entry without a reason,
on SQLite and PostgreSQL. The API's side (admin tokens, authority on the day) is in
tests/api/test_security_review.py."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from tests.builders import GLYN, KEY, MIKE, at, day
from tests.tracker.test_handlers import set_up_btls
from tracker.backdating import BackdatingRule, lateness
from tracker.clock import FixedClock
from tracker.commands import (
    AchieveMilestone,
    ApproveDeliverable,
    BaselineMilestone,
    EndorseClosureReport,
    PlanDeliverable,
    SubmitClosureReport,
    SubmitDeliverable,
)
from tracker.deliverables import deliverable_stream
from tracker.errors import RuleBroken
from tracker.events.store import EventStore
from tracker.events.values import DateValue
from tracker.handlers import Handlers
from tracker.handlers.base import fold_programme
from tracker.programmes import programme_stream

pytestmark = pytest.mark.db

RULE = BackdatingRule()
REASON = "signed on paper at the March board; minutes item 4"


# The rule.


def test_five_working_days_back_needs_no_reason_and_six_do() -> None:
    monday = date(2021, 3, 15)
    assert RULE.working_days_back(date(2021, 3, 12), monday) == 1  # Friday to Monday
    assert RULE.working_days_back(date(2021, 3, 8), monday) == 5
    assert not RULE.is_late(date(2021, 3, 8), monday)
    assert RULE.is_late(date(2021, 3, 5), monday)
    assert RULE.require_reason(date(2021, 3, 8), monday, None) is None
    with pytest.raises(RuleBroken) as refused:
        RULE.require_reason(date(2021, 3, 5), monday, "  ")
    assert refused.value.code == "backdating_needs_reason"
    assert "6 working days before it is recorded (2021-03-15)" in refused.value.message
    assert RULE.require_reason(date(2021, 3, 5), monday, f" {REASON} ") == REASON


def test_bank_holidays_are_not_working_days_back() -> None:
    tuesday_after_easter = date(2021, 4, 6)
    # Good Friday and Easter Monday fall between: Thursday 1 April is one working day back.
    assert RULE.working_days_back(date(2021, 4, 1), tuesday_after_easter) == 1


def test_a_reason_on_an_entry_that_is_not_late_is_not_stored() -> None:
    assert RULE.require_reason(date(2021, 3, 15), date(2021, 3, 15), REASON) is None


def test_the_number_of_working_days_is_configurable() -> None:
    strict = BackdatingRule(working_days=0)
    with pytest.raises(RuleBroken):
        strict.require_reason(date(2021, 3, 12), date(2021, 3, 15), None)


@pytest.mark.parametrize(
    ("on", "recorded", "text"),
    [
        ("2021-03-12", "2021-03-13", "recorded 1 day later"),
        ("2021-03-01", "2021-03-10", "recorded 9 days later"),
        ("2021-03-12", "2021-10-12", "recorded 7 months later"),
        ("2021-03-12", "2021-10-11", "recorded 6 months later"),
        ("2021-03-12", "2026-11-26", "recorded 5 years later"),
    ],
)
def test_lateness_reads_as_people_say_it(on: str, recorded: str, text: str) -> None:
    assert lateness(day(on), day(recorded)) == text


# The handlers, with the clock at 1 April 2021: the BTLS roster was set up in 2019.


@pytest.fixture
def april(clock: FixedClock) -> FixedClock:
    clock.set(at("2021-04-01"))
    return clock


async def given_btls(store: EventStore, clock: FixedClock) -> Handlers:
    handlers = Handlers(store, clock)
    then = clock.now()
    clock.set(at("2019-10-01"))  # set up on the day, so no reason is needed
    await set_up_btls(handlers)
    clock.set(then)
    return handlers


async def planned(handlers: Handlers, on: str, *, reason: str | None = None) -> PlanDeliverable:
    """A deliverable planned by Glyn Peach, dated ``on`` (with ``reason`` when given)."""
    command = PlanDeliverable(
        programme_key=KEY,
        title="DR plan",
        due_on=day("2021-03-31"),
        approvers=(MIKE.ref,),
        deliverable_id=uuid4(),
        occurred_at=at(on),
        actor=GLYN.email,
        backdating_reason=reason,
    )
    await handlers.handle(command)
    return command


async def test_a_late_entry_without_a_reason_is_refused_and_with_one_stored(
    store: EventStore, april: FixedClock
) -> None:
    handlers = await given_btls(store, april)
    with pytest.raises(RuleBroken) as refused:
        await planned(handlers, "2021-03-01")
    assert refused.value.code == "backdating_needs_reason"
    command = await planned(handlers, "2021-03-01", reason=REASON)
    assert command.deliverable_id is not None
    [event] = await store.read_stream(deliverable_stream(command.deliverable_id))
    assert event.metadata.backdating_reason == REASON
    assert event.occurred_at == at("2021-03-01")


async def test_a_sign_off_dated_before_its_submission_is_refused(
    store: EventStore, april: FixedClock
) -> None:
    handlers = await given_btls(store, april)
    plan = await planned(handlers, "2021-03-29")
    assert plan.deliverable_id is not None
    await handlers.handle(
        SubmitDeliverable(deliverable_id=plan.deliverable_id, occurred_at=at("2021-03-31"))
    )
    with pytest.raises(RuleBroken) as refused:
        await handlers.handle(
            ApproveDeliverable(
                deliverable_id=plan.deliverable_id, actor=MIKE.email, occurred_at=at("2021-03-30")
            )
        )
    assert refused.value.code == "dated_before_submission"
    assert "before the submission of deliverable 'DR plan'" in refused.value.message
    approved = await handlers.handle(
        ApproveDeliverable(
            deliverable_id=plan.deliverable_id, actor=MIKE.email, occurred_at=at("2021-03-31")
        )
    )
    assert approved.recorded == ("DeliverableApproved", "DeliverableSignedOff")


async def test_a_submission_dated_before_the_item_was_planned_is_refused(
    store: EventStore, april: FixedClock
) -> None:
    handlers = await given_btls(store, april)
    plan = await planned(handlers, "2021-03-30")
    assert plan.deliverable_id is not None
    with pytest.raises(RuleBroken) as refused:
        await handlers.handle(
            SubmitDeliverable(deliverable_id=plan.deliverable_id, occurred_at=at("2021-03-29"))
        )
    assert refused.value.code == "dated_before_item"


async def test_a_milestone_is_not_achieved_before_it_was_baselined(
    store: EventStore, april: FixedClock
) -> None:
    handlers = await given_btls(store, april)
    milestone_id = uuid4()
    await handlers.handle(
        BaselineMilestone(
            programme_key=KEY,
            milestone_id=milestone_id,
            title="Go live",
            baseline=DateValue(date=day("2021-04-30")),
            occurred_at=at("2021-03-30"),
        )
    )
    with pytest.raises(RuleBroken) as refused:
        await handlers.handle(
            AchieveMilestone(
                milestone_id=milestone_id,
                actual=DateValue(date=day("2021-03-26")),
                occurred_at=at("2021-03-29"),
            )
        )
    assert refused.value.code == "dated_before_item"


async def test_the_closure_report_is_not_endorsed_before_it_was_submitted(
    store: EventStore, april: FixedClock
) -> None:
    handlers = await given_btls(store, april)
    await handlers.handle(SubmitClosureReport(programme_key=KEY, occurred_at=at("2021-03-31")))
    with pytest.raises(RuleBroken) as refused:
        await handlers.handle(
            EndorseClosureReport(programme_key=KEY, actor=GLYN.email, occurred_at=at("2021-03-30"))
        )
    assert refused.value.code == "dated_before_submission"


async def test_the_roster_is_dated_so_letters_can_be_judged_on_any_day(
    store: EventStore, april: FixedClock
) -> None:
    await given_btls(store, april)
    state = fold_programme(await store.read_stream(programme_stream(KEY)))
    assert state.letter_on(GLYN.email, day("2019-10-01")) == "R"
    assert state.letter_on(GLYN.email, day("2019-10-01") - timedelta(days=1)) is None
    assert state.letter_on("nobody@lancashire.gov.uk", day("2021-03-01")) is None
