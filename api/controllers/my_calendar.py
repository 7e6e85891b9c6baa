"""My calendar (issue 19): a private iCalendar feed of what awaits one person.

- ``POST /api/v1/people/{email}/calendar-feed`` (that person, or an admin) answers the feed's
  URL, ``/calendar/<secret>.ics``, once; a new one replaces the old.
  ``DELETE`` revokes it: the URL then answers 404.
- ``GET /calendar/<secret>.ics`` needs no header (calendar clients cannot send one): the
  secret is the credential, stored hashed (``tracker.auth.calendar_feeds``). The feed is read as
  the person may read now, on the roster as it stands, like every other read:
  - each sign-off awaiting them (or their principal, as deputy): an all-day event on its due
    date (the day it was submitted when it has none), with a link to its programme;
  - the milestones of the programmes where they are R or A, as ``milestones.ics`` gives them;
  - each phase gate not yet passed that they (or their principal) approve, on the day its
    criteria are due to be met: "Approve gate" once ready, "Gate due" while it still waits,
    with what it waits for (``tracker.projections.reports.inbox.gate_duties``).
  UIDs are stable (a sign-off's is a hash of what awaits whom, a milestone's its id), so a
  calendar moves or removes an event rather than adding another.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import msgspec
from icalendar import Event
from litestar import Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from api.auth import ApiRequest, Principal
from api.controllers.calendar import ICS, milestone_event, published
from api.errors import ApiProblem, forbidden
from api.inputs import EmailPath, email_parameter
from api.openapi import WRITE_PROBLEMS, documented
from api.reads import Rendered, cache_key, send_rendered
from api.services import Services
from api.when import When
from tracker.auth.calendar_feeds import feed_owner, issue_feed, revoke_feed
from tracker.permissions import readable
from tracker.projections.reports.catalogue import render
from tracker.projections.reports.inbox import Inbox, InboxItem, gate_duties, inbox
from tracker.projections.reports.milestone_board import MilestoneBoard

PLANNING_LETTERS: Final = frozenset("RA")
"""Whose feed carries a programme's milestones: its R and its A."""


class CalendarFeedOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    url: str
    """Shown once: only its secret's hash is stored. Anyone with the URL reads the feed."""
    person: str
    created_at: str


def _may_manage(caller: Principal, person: str) -> None:
    if caller.scope == "admin" or (caller.scope == "member" and caller.person == person):
        return
    raise forbidden(f"{caller.person} may manage only their own calendar feed, not {person}'s")


@post(
    "/people/{email:str}/calendar-feed",
    operation_id="people.calendar_feed",
    tags=["people"],
    summary="Issue a private calendar feed URL for a person (themselves or admin)",
    description="A new URL replaces the person's previous one, which then answers 404.",
    status_code=201,
    responses=documented(201, CalendarFeedOut, "The feed's URL, shown once", *WRITE_PROBLEMS),
)
async def issue(
    request: ApiRequest, services: NamedDependency[Services], email: EmailPath
) -> CalendarFeedOut:
    person = email_parameter("path.email", email)
    _may_manage(request.user, person)
    issued = await issue_feed(services.engine, services.clock, person)
    base = str(request.base_url).rstrip("/")
    return CalendarFeedOut(
        id=issued.record.feed_id,
        url=f"{base}/calendar/{issued.secret}.ics",
        person=issued.record.person,
        created_at=issued.record.created_at,
    )


@delete(
    "/people/{email:str}/calendar-feed",
    operation_id="people.calendar_feed_revoke",
    tags=["people"],
    summary="Revoke a person's calendar feed (themselves or admin); its URL then answers 404",
    status_code=204,
    responses=documented(204, None, "Revoked", *WRITE_PROBLEMS),
)
async def revoke(
    request: ApiRequest, services: NamedDependency[Services], email: EmailPath
) -> None:
    person = email_parameter("path.email", email)
    _may_manage(request.user, person)
    await revoke_feed(services.engine, services.clock, person)


def _signoff_event(item: InboxItem, names: dict[str, str], site: str, stamp: datetime) -> Event:
    day = item.due_on or item.submitted_on or stamp.date()
    event = Event()
    event.add("uid", f"signoff-{hashlib.sha256(item.id.encode()).hexdigest()[:32]}@tracker")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    whose = f" for {item.for_name}" if item.as_deputy else ""
    if item.kind == "gate":
        doing = "Approve gate" if item.state == "ready" else "Gate due"
        event.add("summary", f"{doing}{whose}: {item.title}")
    else:
        event.add("summary", f"{item.action.capitalize()}{whose}: {item.title}")
    programme = names.get(item.programme_key, item.programme_key)
    lines = [f"Programme: {programme}"]
    due = "Criteria due to be met" if item.kind == "gate" else "Due"
    assumed = " (assumed: the source gives no date)" if item.due_assumed else ""
    lines.append(f"{due}: {item.due_on.isoformat()}{assumed}" if item.due_on else "No due date")
    if item.rag:
        lines.append(f"RAG: {item.rag}")
    if item.kind == "gate" and item.blocked_by:
        lines.extend(["Waits for:", *item.blocked_by])
    elif item.blocked_by:
        lines.append("Waiting first for: " + ", ".join(item.blocked_by))
    link = f"{site}/programmes/{item.programme_key}"
    lines.append(link)
    event.add("description", "\n".join(lines))
    event.add("url", link)
    event.add("transp", "TRANSPARENT")
    return event


def personal_ics(
    waiting: Inbox,
    gates: list[InboxItem],
    boards: list[MilestoneBoard],
    names: dict[str, str],
    site: str,
    stamp: datetime,
) -> bytes:
    calendar = published("My calendar", f"Programme tracker: {waiting.name}")
    for item in [*(i for i in waiting.items if i.kind != "gate"), *gates]:
        calendar.add_component(_signoff_event(item, names, site, stamp))
    for board in boards:
        for row in board.milestones:
            calendar.add_component(milestone_event(row, stamp, programme=board.name))
    return bytes(calendar.to_ical())


@get(
    "/calendar/{secret:str}",
    include_in_schema=False,
    opt={"exclude_from_auth": True},
)
async def feed(request: Request[Any, Any, Any], secret: FromPath[str]) -> Response[bytes]:
    """The feed itself: 404 for an unknown or revoked URL, whatever the reason."""
    services: Services = request.app.state.services
    token = secret.removesuffix(".ics")
    person = await feed_owner(services.engine, token) if secret.endswith(".ics") else None
    if person is None:
        raise ApiProblem(404, "not_found", "no such calendar feed")
    r = services.reads
    caller = Principal(token_id="calendar-feed", person=person, name=person, scope="member")
    q = r.question(When())
    glances = {g.key: g for g in await r.glances()}
    chosen = readable(caller, q.today, await r.digests(list(glances.values())))
    picked = [glances[d.key] for d in chosen if d.key in glances]
    key = cache_key(q, "my-calendar", person, tuple((g.key, g.identity) for g in picked))
    found = r.remembered(key)
    if found is None:
        views = [seen.view async for seen in r.stream(picked, When()) if seen.view.events > 0]
        waiting = inbox(views, person, q.today, r.calendar, r.thresholds)
        gates = gate_duties(views, person, q.today, r.calendar, r.thresholds)
        planning = {d.key for d in chosen if set(d.roster.get(person, "")) & PLANNING_LETTERS}
        boards = [render("milestones", v, q) for v in views if v.key in planning]
        names = {v.key: v.name or v.key for v in views}
        stamp = services.clock.now().astimezone(UTC).replace(microsecond=0)
        site = services.settings.reminders.base_url.rstrip("/")
        body = personal_ics(waiting, gates, boards, names, site, stamp)
        found = r.remember(
            key,
            Rendered(body=body, media_type=ICS, content_hash=waiting.content_hash, position=0),
        )
    return send_rendered(found, request, **{"Cache-Control": "private, no-store"})


ROUTES = [issue, revoke]
"""Under /api/v1; ``feed`` is outside it (``api.app``)."""

__all__ = ["ROUTES", "CalendarFeedOut", "feed", "personal_ics"]
