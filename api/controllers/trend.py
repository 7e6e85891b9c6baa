"""Confidence over time: the portfolio's trend and one programme's, each point what the
portfolio reported as of that date (``tracker.projections.reports.trend``). ``known_at`` asks
what was known then; ``as_of`` has no meaning here (each point is its own as-of) and is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Annotated, Final

import msgspec
from litestar import Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from api.access import readable_view, today_of
from api.auth import ApiRequest
from api.errors import ApiProblem, FieldError
from api.inputs import ProgrammeKey
from api.openapi import READ_PROBLEMS, documented
from api.reads import Rendered, cache_key, json_rendered, send_rendered
from api.schemas.bodies import in_range
from api.services import Services
from api.when import When
from tracker.errors import InvalidInput
from tracker.permissions import readable
from tracker.projections.read_model.reader import Glance
from tracker.projections.reports.sealing import seal
from tracker.projections.reports.trend import (
    Every,
    Trend,
    check_size,
    trend_dates,
)

POINTS: Final = (
    "A point for `from`, each week or calendar month after it, and `to`: each is what "
    "GET /portfolio?as_of= that date answers for the programme. A back-dated entry changes the "
    "points it is effective for; `known_at` shows what was known then. At most 60 points and "
    "1,000 programme readings (points x programmes) a request."
)
DEFAULT_WEEKS = 12
"""Without ``from``: this many weeks before ``to``."""

From = Annotated[
    str | None,
    QueryParameter(
        name="from",
        description=f"the first date, YYYY-MM-DD (default: {DEFAULT_WEEKS} weeks before to)",
        max_length=10,
    ),
]
To = Annotated[
    str | None,
    QueryParameter(
        name="to", description="the last date, YYYY-MM-DD (default: today)", max_length=10
    ),
]
Step = Annotated[Every, QueryParameter(description="a point each week or each month")]


def _day(name: str, raw: str) -> date:
    try:
        value = date.fromisoformat(raw.strip())
        in_range(name, value)
    except ValueError as exc:
        message = str(exc) if "outside" in str(exc) else f"{raw!r} is not a date (YYYY-MM-DD)"
        raise ApiProblem(
            400,
            "invalid_parameter",
            f"{name}: {message}",
            errors=[FieldError(field=f"query.{name}", message=message)],
        ) from exc
    return value


class Window(msgspec.Struct, frozen=True, kw_only=True):
    """The dates a trend asks about, and what was known then."""

    first: date
    last: date
    every: Every
    known_at: datetime | None


def provide_window(
    services: NamedDependency[Services],
    when: NamedDependency[When],
    start: From = None,
    end: To = None,
    every: Step = "week",
) -> Window:
    """From the query: ``from`` (default: 12 weeks before ``to``), ``to`` (default: today),
    ``every``; ``known_at`` as every query takes it; ``as_of`` refused."""
    if when.as_of is not None:
        raise ApiProblem(
            400,
            "invalid_parameter",
            "as_of: a trend has a point for each date from `from` to `to`; ask with those",
            errors=[FieldError(field="query.as_of", message="not taken by a trend")],
        )
    last = _day("to", end) if end is not None else today_of(services)
    first = _day("from", start) if start is not None else last - timedelta(weeks=DEFAULT_WEEKS)
    return Window(first=first, last=last, every=every, known_at=when.known_at)


WINDOW: Final = {"window": Provide(provide_window, sync_to_thread=False)}


async def _trend(services: Services, window: Window, glances: Sequence[Glance]) -> Rendered:
    r = services.reads
    try:
        dates = trend_dates(window.first, window.last, window.every)
        check_size(len(dates), len(glances))
    except InvalidInput as exc:
        raise ApiProblem(400, "invalid_parameter", str(exc)) from exc
    question = r.question(When(known_at=window.known_at))
    identities = tuple((g.key, g.identity) for g in glances)
    key = cache_key(question, "trend", window, identities)
    found = r.remembered(key)
    if found is None:
        programmes = await r.trends(glances, dates, window.known_at)
        report = seal(
            Trend(
                from_=window.first,
                to=window.last,
                every=window.every,
                dates=dates,
                programmes=programmes,
                position=max((p.position for t in programmes for p in t.points), default=0),
                known_at=window.known_at,
            )
        )
        found = r.remember(key, json_rendered(report, report.position))
    return found


@get(
    "/portfolio/trend",
    operation_id="programmes.portfolio_trend",
    tags=["programmes"],
    summary="Each programme the caller may read: RAG, confidence and counts at each date",
    description=POINTS,
    responses=documented(200, Trend, "Trend", *READ_PROBLEMS),
    dependencies=WINDOW,
)
async def portfolio_trend(
    request: ApiRequest, services: NamedDependency[Services], window: NamedDependency[Window]
) -> Response[bytes]:
    r = services.reads
    glances = {g.key: g for g in await r.glances()}
    chosen = readable(request.user, today_of(services), await r.digests(list(glances.values())))
    picked = [glances[d.key] for d in chosen if d.key in glances]
    return send_rendered(await _trend(services, window, picked), request)


@get(
    "/programmes/{key:str}/trend",
    operation_id="programmes.trend",
    tags=["programmes"],
    summary="A programme's RAG, confidence and counts at each date",
    description=POINTS,
    responses=documented(200, Trend, "Trend", *READ_PROBLEMS),
    dependencies=WINDOW,
)
async def programme_trend(
    request: ApiRequest,
    key: ProgrammeKey,
    services: NamedDependency[Services],
    window: NamedDependency[Window],
) -> Response[bytes]:
    await readable_view(request.user, services, key, When())  # 404 or 403 as for any read
    glance = await services.reads.glance(key)
    return send_rendered(await _trend(services, window, [glance]), request)


ROUTES = [portfolio_trend, programme_trend]
