"""The portfolio: every programme the person may read, with status, RAG, delivery confidence
(and their reasons), counts and next milestones; filtered by status and RAG."""

from __future__ import annotations

from typing import Annotated, Final, Literal

from litestar import get
from litestar.params import QueryParameter
from litestar.response import Template

from api.pages.reading import TREND_LIMIT, TREND_WEEKS, portfolio_rows, services, trends_of, when_of
from api.pages.render import page
from api.pages.session import PageRequest

STATUSES: Final = ("active", "closing", "closed")
RAGS: Final = ("red", "amber", "green")

StatusFilter = Literal["", "active", "closing", "closed"]
RagFilter = Literal["", "red", "amber", "green"]


@get("/")
async def portfolio_page(
    request: PageRequest,
    status: Annotated[StatusFilter, QueryParameter(name="status")] = "",
    rag: Annotated[RagFilter, QueryParameter(name="rag")] = "",
) -> Template:
    today, rows = await portfolio_rows(request.user, services(request), when_of(request))
    shown = [
        row for row in rows if (not status or row.status == status) and (not rag or row.rag == rag)
    ]
    trends = await trends_of(services(request), [row.key for row in shown], today)
    return page(
        request,
        "portfolio.html",
        title="Portfolio",
        today=today,
        rows=shown,
        trends=trends,
        trend_weeks=TREND_WEEKS,
        trend_limit=TREND_LIMIT,
        total=len(rows),
        status=status,
        rag=rag,
        statuses=STATUSES,
        rags=RAGS,
    )


ROUTES = [portfolio_page]
