"""One programme: the milestone timeline (SVG) with its phase gates, the gates (with an Approve
button for an approver they await), the deliverables by outcome with their sign-off state, the
RAID log, as it stands or as it was on a chosen date."""

from __future__ import annotations

from typing import Annotated, Final
from urllib.parse import urlencode
from uuid import uuid4

from litestar import get
from litestar.params import QueryParameter
from litestar.response import Template

from api.inputs import ProgrammeKey
from api.pages.reading import programme_reports, services, when_of
from api.pages.render import page
from api.pages.session import PageRequest
from api.pages.timeline import timeline
from tracker.projections.reports.inbox import inbox

AsOf = Annotated[
    str | None,
    QueryParameter(name="as_of", max_length=40, description="a date: the programme as it was then"),
]
"""Shared by the programme's pages and downloads."""

DATE_LENGTH: Final = 10


def as_of_query(as_of: str | None) -> str:
    """``?as_of=...`` for the links of a page asked as of a date; empty for now."""
    chosen = as_of.strip() if as_of else ""
    return "?" + urlencode({"as_of": chosen}) if chosen else ""


@get("/programmes/{key:str}")
async def programme_page(request: PageRequest, key: ProgrammeKey, as_of: AsOf = None) -> Template:
    when = when_of(request, as_of)
    reports = await programme_reports(request.user, services(request), key, when)
    missing_endorsers = {
        item.id: [p.name or p.email for p in item.endorsements_missing]
        for item in reports.signoffs.deliverables
    }
    chosen = as_of.strip()[:DATE_LENGTH] if as_of and as_of.strip() else ""
    found = services(request).reads
    mine = inbox(
        [reports.view], request.user.person, reports.today, found.calendar, found.thresholds
    )
    approving = {} if chosen else {i.item_id: i for i in mine.items if i.kind == "gate"}
    return page(
        request,
        "programme.html",
        title=reports.view.name or key,
        key=key,
        r=reports,
        report=reports.closure,
        timeline=timeline(reports.board, reports.closure.gates),
        approving=approving,
        new_key=lambda: str(uuid4()),
        missing_endorsers=missing_endorsers,
        as_of=chosen,
        query=as_of_query(as_of),
    )


ROUTES = [programme_page]
