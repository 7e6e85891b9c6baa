"""Milestones as iCalendar (RFC 5545), for Outlook, Google Calendar and Apple Calendar: one
all-day event per milestone at its current forecast (its actual date once achieved). A date
known only to the month, quarter or year spans that month, quarter or year. ``UID`` is stable
and ``SEQUENCE`` counts the re-forecasts and re-baselines, so a subscribed calendar moves the
event rather than adding one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event
from litestar import Response, get
from litestar.di import NamedDependency

from api.access import readable_view
from api.auth import ApiRequest
from api.inputs import ProgrammeKey
from api.openapi import READ_PROBLEMS, documented
from api.reads import Rendered, cache_key, send_rendered
from api.services import Services
from api.when import When
from tracker.precision import first_day, last_day
from tracker.projections.reports.catalogue import render
from tracker.projections.reports.milestone_board import DateLine, MilestoneBoard, MilestoneRow

ICS = "text/calendar"


def _span(line: DateLine) -> tuple[object, object]:
    """All day from the period's first day to the day after its last (DTEND is exclusive)."""
    end = last_day(line.date, line.precision) + timedelta(days=1)
    return first_day(line.date, line.precision), end


def milestone_event(row: MilestoneRow, stamp: datetime, *, programme: str = "") -> Event:
    """One milestone as an all-day event (a month, quarter or year date spans it); its UID is
    the milestone's id, in every feed that carries it."""
    when = row.actual or row.forecast
    start, end = _span(when)
    event = Event()
    event.add("uid", f"{row.id}@tracker")
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", row.title + (" (achieved)" if row.achieved else ""))
    lines = [f"Programme: {programme}"] if programme else []
    lines += [
        f"Baseline: {row.baseline.shown} (original {row.original_baseline.shown})",
        f"Forecast: {row.forecast.shown}",
    ]
    if row.actual is not None:
        lines.append(f"Actual: {row.actual.shown}")
    lines.append(f"RAG: {row.rag}")
    lines.extend(row.rag_reasons)
    event.add("description", "\n".join(lines))
    event.add("categories", [row.rag.upper()])
    event.add("sequence", len(row.changes))
    event.add("transp", "TRANSPARENT")
    return event


def published(product: str, name: str) -> Calendar:
    """An empty calendar as subscribed feeds publish one: its product and display name."""
    calendar = Calendar()
    calendar.add("prodid", f"-//Programme tracker//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def to_ics(board: MilestoneBoard, stamp: datetime) -> bytes:
    calendar = published("Milestones", f"{board.name} milestones")
    for row in board.milestones:
        calendar.add_component(milestone_event(row, stamp))
    return bytes(calendar.to_ical())


@get(
    "/programmes/{key:str}/milestones.ics",
    operation_id="milestones.calendar",
    tags=["milestones"],
    summary="The programme's milestones as an iCalendar feed",
    responses=documented(200, str, "text/calendar", *READ_PROBLEMS, media_type=ICS),
)
async def milestones_ics(
    request: ApiRequest,
    services: NamedDependency[Services],
    when: NamedDependency[When],
    key: ProgrammeKey,
) -> Response[bytes]:
    r = services.reads
    seen = await readable_view(request.user, services, key, when)
    view = seen.view
    q = r.question(when)

    def render_ics() -> Rendered:
        board = render("milestones", view, q)
        stamp = services.clock.now().astimezone(UTC).replace(microsecond=0)
        return Rendered(
            body=to_ics(board, stamp),
            media_type=ICS,
            content_hash=board.content_hash,
            position=view.position,
        )

    found = r.rendered(cache_key(q, "ics", seen.identity), render_ics)
    return send_rendered(
        found, request, **{"Content-Disposition": f'inline; filename="{key}-milestones.ics"'}
    )


ROUTES = [milestones_ics]
