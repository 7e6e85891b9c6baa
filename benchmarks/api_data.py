"""What the API benchmark stores before it measures.

- The portfolio of ``benchmarks.projection_data``: programmes of 2,000 events each (100
  deliverables, 60 milestones, 80 RAID items, closed), imported through ``import_raw`` with real
  hash chains; 500 of them make the 1,000,000 events of the memory target.
- Approval work: ``programmes`` open programmes, each with ``per_programme`` deliverables planned
  and submitted through the domain handlers, every one waiting for the same approver.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import timedelta
from uuid import UUID

from benchmarks import projection_data as data
from tracker import commands as c
from tracker.clock import SystemClock
from tracker.events.store import EventStore
from tracker.events.values import PersonRef
from tracker.handlers import Handlers

APPROVER = "approver@bench.example"
READER = "dashboard@bench.example"
CLOSURE_PROGRAMME = data.programme_key(0)


async def import_portfolio(store: EventStore, programmes: int) -> int:
    shape = data.Shape(programmes=programmes)
    started = time.perf_counter()
    count = await store.import_raw(data.raw_events(shape), batch_size=2000)
    print(
        f"    imported {count:,} events in {time.perf_counter() - started:,.0f} s",
        file=sys.stderr,
        flush=True,
    )
    return count


async def _approval_programme(handlers: Handlers, number: int, per_programme: int) -> list[UUID]:
    key = f"approvals-{number:02d}"
    today = SystemClock().now().date()
    await handlers.handle(
        c.RegisterProgramme(
            programme_key=key,
            name=f"Approvals {number}",
            starts_on=today - timedelta(days=30),
            planned_end_on=today + timedelta(days=365),
        )
    )
    await handlers.handle(
        c.AssignRosterMember(
            programme_key=key, email=APPROVER, name="Bench Approver", role_title="Sponsor", raci="A"
        )
    )
    made: list[UUID] = []
    for n in range(per_programme):
        planned = await handlers.handle(
            c.PlanDeliverable(
                programme_key=key,
                title=f"Deliverable {n}",
                due_on=today + timedelta(days=60),
                approvers=(PersonRef(email=APPROVER, name="Bench Approver"),),
                actor=APPROVER,
            )
        )
        assert planned.created_id is not None
        await handlers.handle(
            c.SubmitDeliverable(deliverable_id=planned.created_id, actor=APPROVER)
        )
        made.append(planned.created_id)
    return made


async def approval_work(store: EventStore, programmes: int, per_programme: int) -> list[str]:
    """Submitted deliverables awaiting ``APPROVER``, interleaved across the programmes."""
    started = time.perf_counter()
    handlers = Handlers(store, SystemClock())
    lists = await asyncio.gather(
        *(_approval_programme(handlers, p, per_programme) for p in range(programmes))
    )
    print(
        f"    planned and submitted {programmes * per_programme:,} deliverables in "
        f"{time.perf_counter() - started:,.0f} s",
        file=sys.stderr,
        flush=True,
    )
    return [str(ids[i]) for i in range(per_programme) for ids in lists]
