"""What the pages read, through the API's own read side and access rules: ``Reads`` (the
programme as it stands, or as it stood for an "as of" question), ``readable`` and
``readable_view``. A page asks as of the date the person picked; without one it shows every
write answered before it, the person's own last one included."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import msgspec
from litestar import Request

from api.access import readable_view, today_of
from api.auth import Principal
from api.deps import services_of
from api.services import Services
from api.when import When, parse_when
from tracker.permissions import readable
from tracker.projections.read_model.views import ProgrammeView
from tracker.projections.reports import closure_report as closure_module
from tracker.projections.reports import inbox as inbox_module
from tracker.projections.reports import milestone_board as board_module
from tracker.projections.reports import raid_log as raid_module
from tracker.projections.reports import signoff_status as signoff_module
from tracker.projections.reports.catalogue import render
from tracker.projections.reports.portfolio import PortfolioRow, portfolio_row
from tracker.projections.reports.trend import MAX_FOLDS, ProgrammeTrend, trend_dates


def services(request: Request[Any, Any, Any]) -> Services:
    return services_of(request)


def when_of(request: Request[Any, Any, Any], as_of: str | None = None) -> When:
    """``as_of`` as the API takes it (a date is the end of that day, UTC); empty means now."""
    chosen = as_of.strip() if as_of else None
    return parse_when(chosen or None, None)


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
    view = (await readable_view(principal, found, key, when)).view
    q = found.reads.question(when)
    return ProgrammeReports(
        view=view,
        today=q.today,
        closure=render("closure-report", view, q),
        signoffs=render("signoffs", view, q),
        board=render("milestones", view, q),
        raid=render("risks", view, q),
    )


async def closure_of(
    principal: Principal, found: Services, key: str, when: When
) -> closure_module.ClosureReport:
    view = (await readable_view(principal, found, key, when)).view
    return render("closure-report", view, found.reads.question(when))


async def deliverables_of(
    principal: Principal, found: Services, key: str, when: When
) -> tuple[signoff_module.SignOffStatus, dict[int, str]]:
    """The sign-off status of every deliverable, and the outcomes' titles by number."""
    view = (await readable_view(principal, found, key, when)).view
    return render("signoffs", view, found.reads.question(when)), dict(view.outcomes)


async def board_of(
    principal: Principal, found: Services, key: str, when: When
) -> board_module.MilestoneBoard:
    view = (await readable_view(principal, found, key, when)).view
    return render("milestones", view, found.reads.question(when))


async def portfolio_rows(
    principal: Principal, found: Services, when: When
) -> tuple[date, list[PortfolioRow]]:
    """The programmes the person may read now, a chunk of views at a time (as the API's
    portfolio)."""
    r = found.reads
    glances = {g.key: g for g in await r.glances()}
    current = await r.digests(list(glances.values()))
    chosen = readable(principal, today_of(found), current)
    q = r.question(when)
    rows = [
        portfolio_row(seen.view, q.today, r.calendar, r.thresholds)
        async for seen in r.stream([glances[d.key] for d in chosen if d.key in glances], when)
        if seen.view.events > 0
    ]
    return q.today, rows


TREND_WEEKS = 12
"""The portfolio page's trend: a point a week for this many weeks to the page's day."""
TREND_LIMIT = MAX_FOLDS // (TREND_WEEKS + 1)
"""Programmes a page draws trends for at most (76): each is a reading per point."""


async def trends_of(found: Services, keys: Sequence[str], today: date) -> dict[str, ProgrammeTrend]:
    """The portfolio page's trend of each programme of ``keys`` (already judged readable), or
    none at all when they are too many to read in one request (``trend.MAX_FOLDS``)."""
    if len(keys) > TREND_LIMIT:
        return {}
    dates = trend_dates(today - timedelta(weeks=TREND_WEEKS), today, "week")
    r = found.reads
    wanted = set(keys)
    glances = [g for g in await r.glances() if g.key in wanted]
    return {t.key: t for t in await r.trends(glances, dates, None)}


async def inbox_of(
    principal: Principal, found: Services, when: When
) -> tuple[inbox_module.Inbox, dict[str, str]]:
    """What awaits the person (and them as deputy), as the API's inbox; programme names by key."""
    r = found.reads
    person = principal.person
    glances = {g.key: g for g in await r.glances()}
    current = await r.digests(list(glances.values()))
    chosen = [glances[d.key] for d in current if d.concerns(person) and d.key in glances]
    q = r.question(when)
    views = [seen.view async for seen in r.stream(chosen, when) if seen.view.events > 0]
    inbox = inbox_module.inbox(
        views, person, q.today, r.calendar, r.thresholds, as_of=q.as_of, known_at=q.known_at
    )
    return inbox, {view.key: view.name or view.key for view in views}
