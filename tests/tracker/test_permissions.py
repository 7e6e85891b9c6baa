"""Permissions are the handlers' to enforce (``tracker.permissions``): whoever gives a command,
through the API, the pages or any other caller, meets the same table, today and on the day the
command is dated. On a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from uuid import uuid4

import msgspec
import pytest

from tests.builders import GLYN, KEY, STRANGER, PaperHandlers, Person, day
from tests.tracker.test_handlers import set_up_btls
from tracker import commands as c
from tracker.backdating import BackdatingRule
from tracker.clock import FixedClock
from tracker.errors import Forbidden
from tracker.events.store import EventStore
from tracker.handlers import Handlers
from tracker.permissions import ACTIONS, LETTERS, WHO, Action
from tracker.programmes import programme_stream

NEWCOMER = Person("new.officer@lancashire.gov.uk", "New Officer")
TODAY = datetime(2021, 3, 19, 12, tzinfo=UTC)  # a Friday


def dated(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}T12:00:00+00:00")


def planning(actor: Person, scope: c.Scope, *, on: str = "2021-03-19") -> c.PlanDeliverable:
    return c.PlanDeliverable(
        programme_key=KEY,
        title="Catalogue Matrix of Services",
        due_on=day("2021-04-30"),
        deliverable_id=uuid4(),
        actor=actor.email,
        acting_as=scope,
        occurred_at=dated(on),
    )


async def btls(store: EventStore) -> Handlers:
    clock = FixedClock(TODAY)
    await set_up_btls(PaperHandlers(store, clock))
    return Handlers(store, clock, backdating=BackdatingRule())


async def test_every_command_has_a_permission() -> None:
    commands = {
        kind
        for _, kind in inspect.getmembers(c, inspect.isclass)
        if issubclass(kind, c.Command) and kind is not c.Command
    }
    assert commands - set(ACTIONS) == set()


def test_every_action_says_who_may_in_words_naming_the_letters_that_change_things() -> None:
    assert set(WHO) == set(Action)
    for action in (Action.PLAN, Action.ROSTER, Action.DELEGATE, Action.CLOSURE_APPROVE):
        assert all(letter in WHO[action] for letter in LETTERS[action]), action


async def test_a_member_off_the_roster_is_refused_and_nothing_is_written(
    store: EventStore,
) -> None:
    handlers = await btls(store)
    before = await store.read_stream(programme_stream(KEY))
    with pytest.raises(Forbidden, match="is not on the roster of 'btls-transition'"):
        await handlers.handle(planning(STRANGER, "member"))
    assert await store.read_stream(programme_stream(KEY)) == before


async def test_a_responsible_member_plans_and_a_reader_cannot(store: EventStore) -> None:
    handlers = await btls(store)
    result = await handlers.handle(planning(GLYN, "member"))
    assert result.recorded == ("DeliverablePlanned",)
    with pytest.raises(Forbidden, match="read-only token"):
        await handlers.handle(planning(GLYN, "reader"))


async def test_an_effective_date_cannot_borrow_authority_held_only_later(
    store: EventStore,
) -> None:
    """Made R on the 18th, the newcomer may plan today, but not dated the 17th."""
    handlers = await btls(store)
    await handlers.handle(
        c.AssignRosterMember(
            programme_key=KEY,
            email=NEWCOMER.email,
            name=NEWCOMER.name,
            role_title="Workstream lead",
            raci="R",
            occurred_at=dated("2021-03-18"),
        )
    )
    await handlers.handle(planning(NEWCOMER, "member"))
    with pytest.raises(Forbidden, match="on 2021-03-17, the day the action is dated"):
        await handlers.handle(planning(NEWCOMER, "member", on="2021-03-17"))


async def test_far_back_needs_an_admin_even_for_the_responsible(store: EventStore) -> None:
    handlers = await btls(store)
    late = planning(GLYN, "member", on="2021-03-05")
    with pytest.raises(Forbidden, match="10 working days back") as refused:
        await handlers.handle(late)
    assert refused.value.code == "backdating_needs_admin"
    as_admin = msgspec.structs.replace(
        late,
        acting_as="admin",
        backdating_reason="entered from the programme board's minutes of 5 March",
    )
    assert (await handlers.handle(as_admin)).written
