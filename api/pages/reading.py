"""What the pages read, through the API's own read side and access rules: ``Reads`` (the live
read model, or a fold of the store for an "as of" question), ``readable`` and
``readable_view``. A page asks as of the date the person picked, and at least as of their own
last write (the session's position, as the API's ``min_position``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from litestar import Request

from api.access import readable_view
from api.auth import Principal
from api.authz import readable
from api.deps import services_of
from api.pages.session import seen_position
from api.services import Services
from api.when import When, parse_when
from tracker.projections import closure_report as closure_module
from tracker.projections import milestone_board as board_module
from tracker.projections import raid_log as raid_module
from tracker.projections import signoff_status as signoff_module
from tracker.projections.portfolio import PortfolioRow, portfolio_row
from tracker.projections.views import ProgrammeView


def services(request: Request[Any, Any, Any]) -> Services:
    return services_of(request)


def when_of(request: Request[Any, Any, Any], as_of: str | None = None) -> When:
    """``as_of`` as the API takes it (a date is the end of that day, UTC); empty means now."""
    chosen = as_of.strip() if as_of else None
    return parse_when(chosen or None, None, seen_position(request))


class ProgrammeReports(msgspec.Struct, frozen=True, kw_only=True):
    """Every report of one programme, for one question."""

    view: ProgrammeView
    today: date
    closure: closure_module.ClosureReport
    signoffs: signoff_module.SignOffStatus
    board: board_module.MilestoneBoard
    raid: raid_module.RaidLog


async def programme_reports(
    principal: Principal, found: Services, key: str, when: When
) -> ProgrammeReports:
    r = found.reads
    view = await readable_view(principal, found, key, when)
    q = r.question(when)
    args = (view, q.today, r.calendar, r.thresholds)
    limits: dict[str, Any] = {"as_of": q.as_of, "known_at": q.known_at}
    return ProgrammeReports(
        view=view,
        today=q.today,
        closure=closure_module.closure_report(*args, **limits),
        signoffs=signoff_module.signoff_status(*args, **limits),
        board=board_module.milestone_board(*args, **limits),
        raid=raid_module.raid_log(*args, **limits),
    )


async def closure_of(
    principal: Principal, found: Services, key: str, when: When
) -> closure_module.ClosureReport:
    r = found.reads
    view = await readable_view(principal, found, key, when)
    q = r.question(when)
    return closure_module.closure_report(
        view, q.today, r.calendar, r.thresholds, as_of=q.as_of, known_at=q.known_at
    )


async def deliverables_of(
    principal: Principal, found: Services, key: str, when: When
) -> tuple[signoff_module.SignOffStatus, dict[int, str]]:
    """The sign-off status of every deliverable, and the outcomes' titles by number."""
    r = found.reads
    view = await readable_view(principal, found, key, when)
    q = r.question(when)
    status = signoff_module.signoff_status(
        view, q.today, r.calendar, r.thresholds, as_of=q.as_of, known_at=q.known_at
    )
    return status, dict(view.outcomes)


async def board_of(
    principal: Principal, found: Services, key: str, when: When
) -> board_module.MilestoneBoard:
    r = found.reads
    view = await readable_view(principal, found, key, when)
    q = r.question(when)
    return board_module.milestone_board(
        view, q.today, r.calendar, r.thresholds, as_of=q.as_of, known_at=q.known_at
    )


async def portfolio_rows(
    principal: Principal, found: Services, when: When
) -> tuple[date, list[PortfolioRow]]:
    """The programmes the person may read, one view at a time (as the API's portfolio)."""
    r = found.reads
    chosen = readable(principal, await r.digests(when))
    q = r.question(when)
    rows = [
        portfolio_row(view, q.today, r.calendar, r.thresholds)
        async for view in r.stream([d.key for d in chosen], when)
    ]
    return q.today, rows


async def inbox_of(
    principal: Principal, found: Services, when: When
) -> tuple[signoff_module.Inbox, dict[str, str]]:
    """What awaits the person (and them as deputy), as the API's inbox; programme names by key."""
    r = found.reads
    person = principal.person
    chosen = [d for d in await r.digests(when) if d.concerns(person)]
    q = r.question(when)
    views = [view async for view in r.stream([d.key for d in chosen], when)]
    inbox = signoff_module.inbox(
        views, person, q.today, r.calendar, r.thresholds, as_of=q.as_of, known_at=q.known_at
    )
    return inbox, {view.key: view.name or view.key for view in views}
