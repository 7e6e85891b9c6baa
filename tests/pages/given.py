"""The "given" of the page tests: the five seed programmes, plus two deliverables of the
Liquidlogic programme submitted for Glyn Peach's approval, and tokens for the people who sign
in. Everything goes through the same handlers and token issuing as production."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import msgspec

from seed import load_seed
from tests.builders import PaperHandlers
from tracker import commands as c
from tracker.auth.tokens import issue_token
from tracker.clock import SystemClock
from tracker.db import create_engine
from tracker.events.open import open_store
from tracker.events.values import DateValue, PersonRef
from tracker.ids import deterministic_uuid
from tracker.migrations import upgrade_async
from tracker.settings import Settings

PROGRAMME = "liquidlogic-social-care"
BTLS = "btls-transition"
GLYN = PersonRef(email="glyn.peach@lancashire.example", name="Glyn Peach")
PAUL = PersonRef(email="paul.sutcliffe@lancashire.example", name="Paul Sutcliffe")
ADMIN = PersonRef(email="programme.office@lancashire.example", name="Programme Office")
TO_APPROVE = "Go-live readiness review"
TO_RETURN = "Data migration reconciliation"
TO_REFUSE = "Training plan for social workers"
TO_GATE = "Gate readiness checklist"
GATE = "Ready for CYP go-live"
GATE_ID = deterministic_uuid("pages-test", "gate")
SLIPPED = "Care Portal release for providers"
SLIPPED_ID = deterministic_uuid("pages-test", "slipped milestone")
BASELINED_AT = datetime(2014, 2, 3, 10, 0, tzinfo=UTC)
REFORECAST_AT = datetime(2014, 3, 3, 10, 0, tzinfo=UTC)


def item_id(title: str) -> UUID:
    return deterministic_uuid("pages-test", title)


class Given(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str
    glyn_token: str
    """Glyn Peach, member: R on the BTLS roster, named approver of the Liquidlogic items."""
    paul_token: str
    """Paul Sutcliffe, reader scope: named approver of one item, may not sign through a
    read-only token, as in the API."""
    admin_token: str = ""
    """The programme office's administrator: imports spreadsheets into open programmes."""


async def given_seeded(database_url: str) -> Given:
    await upgrade_async(database_url)
    clock = SystemClock()
    settings = Settings(database_url=database_url)
    store, engine = open_store(settings, clock=clock), create_engine(settings)
    try:
        await load_seed(store, clock)
        handlers = PaperHandlers(store, clock)
        due = clock.now().date() + timedelta(days=60)
        signing = ((TO_APPROVE, GLYN), (TO_RETURN, GLYN), (TO_REFUSE, PAUL), (TO_GATE, GLYN))
        for title, approver in signing:
            await handlers.handle(
                c.PlanDeliverable(
                    programme_key=PROGRAMME,
                    title=title,
                    due_on=due,
                    approvers=(approver,),
                    deliverable_id=item_id(title),
                    actor="ict-services.placeholder@lancashire.example",
                )
            )
            await handlers.handle(
                c.SubmitDeliverable(
                    deliverable_id=item_id(title),
                    actor="ict-services.placeholder@lancashire.example",
                )
            )
        # A phase gate waiting for one of them, approved by Glyn (tests/pages/test_gates.py).
        await handlers.handle(
            c.DefineGate(
                programme_key=PROGRAMME,
                title=GATE,
                order=1,
                deliverables=(item_id(TO_GATE),),
                approvers=(GLYN,),
                gate_id=GATE_ID,
                actor="ict-services.placeholder@lancashire.example",
            )
        )
        # A slipped milestone, for the timeline: every seeded Liquidlogic milestone is achieved
        # by 2015 (001), so the test adds one of its own, June 2014, re-forecast to September
        # 2014 in March 2014 and never achieved.
        await handlers.handle(
            c.BaselineMilestone(
                programme_key=PROGRAMME,
                milestone_id=SLIPPED_ID,
                title=SLIPPED,
                baseline=DateValue(date=date(2014, 6, 1), precision="month"),
                workstream="ash-w",
                actor="ict-services.placeholder@lancashire.example",
                occurred_at=BASELINED_AT,
            )
        )
        await handlers.handle(
            c.ReforecastMilestone(
                milestone_id=SLIPPED_ID,
                forecast=DateValue(date=date(2014, 9, 1), precision="month"),
                reason="Supplier delay (pages test)",
                actor="ict-services.placeholder@lancashire.example",
                occurred_at=REFORECAST_AT,
            )
        )
        glyn = await issue_token(
            engine, store, clock, email=GLYN.email, name=GLYN.name, scope="member"
        )
        paul = await issue_token(
            engine, store, clock, email=PAUL.email, name=PAUL.name, scope="reader"
        )
        admin = await issue_token(
            engine, store, clock, email=ADMIN.email, name=ADMIN.name, scope="admin"
        )
    finally:
        await store.close()
        await engine.dispose()
    return Given(
        database_url=database_url,
        glyn_token=glyn.secret,
        paul_token=paul.secret,
        admin_token=admin.secret,
    )
