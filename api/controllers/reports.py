"""Reports: sign-off status, milestone board, RAID log, closure report (JSON, Markdown, CSV),
portfolio and a person's inbox. Each answers now (every write answered before the request
included) or, with ``as_of`` and ``known_at``, as things stood then; each answer carries its
``position`` and ``content_hash`` (also as the headers ``Tracker-Position`` and
``Tracker-Content-Hash``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import QueryParameter

from api.access import readable_view, today_of
from api.auth import ApiRequest
from api.errors import forbidden
from api.inputs import EmailPath, ProgrammeKey, email_parameter
from api.openapi import READ_PROBLEMS, ClosureReportOperation, documented
from api.reads import Rendered, cache_key, json_rendered, send_rendered
from api.services import Services
from api.when import When
from tracker.permissions import readable
from tracker.projections.read_model.views import ProgrammeView
from tracker.projections.reports import closure_formats
from tracker.projections.reports import closure_report as closure_module
from tracker.projections.reports import gates as gates_module
from tracker.projections.reports import inbox as inbox_module
from tracker.projections.reports import milestone_board as board_module
from tracker.projections.reports import portfolio as portfolio_module
from tracker.projections.reports import raid_log as raid_module
from tracker.projections.reports import signoff_status as signoff_module
from tracker.projections.reports.catalogue import ReportName, render
from tracker.projections.reports.question import Question
from tracker.projections.reports.sealing import seal
from tracker.projections.reports.signoff_status import ProgrammePosition

MARKDOWN = "text/markdown"
CSV = "text/csv"

Format = Literal["json", "markdown", "csv"]


def _send(rendered: Rendered, request: ApiRequest) -> Response[bytes]:
    return send_rendered(rendered, request)


async def _programme_report(
    request: ApiRequest,
    services: Services,
    when: When,
    key: str,
    kind: str,
    render_: Callable[[ProgrammeView, Question], Rendered],
) -> Response[bytes]:
    reads = services.reads
    seen = await readable_view(request.user, services, key, when)
    question = reads.question(when)
    found = reads.rendered(
        cache_key(question, kind, seen.identity), lambda: render_(seen.view, question)
    )
    return _send(found, request)


def _report_route(
    name: ReportName, path: str, operation_id: str, summary: str, schema: type, title: str
) -> HTTPRouteHandler:
    """One of a programme's JSON reports (``tracker.projections.reports.catalogue``)."""

    def render_json(view: ProgrammeView, question: Question) -> Rendered:
        return json_rendered(render(name, view, question), view.position)

    async def report(
        request: ApiRequest,
        services: NamedDependency[Services],
        when: NamedDependency[When],
        key: ProgrammeKey,
    ) -> Response[bytes]:
        return await _programme_report(request, services, when, key, name, render_json)

    report.__name__ = report.__qualname__ = operation_id.replace(".", "_")
    return get(
        path,
        operation_id=operation_id,
        tags=[operation_id.split(".")[0]],
        summary=summary,
        responses=documented(200, schema, title, *READ_PROBLEMS),
    )(report)


signoffs = _report_route(
    "signoffs",
    "/programmes/{key:str}/signoffs",
    "deliverables.signoffs",
    "Sign-off status of every deliverable and of the closure report",
    signoff_module.SignOffStatus,
    "Sign-off status",
)
milestone_board = _report_route(
    "milestones",
    "/programmes/{key:str}/milestones",
    "milestones.board",
    "Milestone board: baseline, forecast, actual, slippage, RAG",
    board_module.MilestoneBoard,
    "Milestone board",
)
gate_board = _report_route(
    "gates",
    "/programmes/{key:str}/gates",
    "gates.list",
    "Phase gates: state (open, ready, passed), what blocks each, RAG with reasons, approvals",
    gates_module.GateBoard,
    "Phase gates",
)
raid_log = _report_route(
    "risks",
    "/programmes/{key:str}/risks",
    "risks.log",
    "RAID log: open and closed risks, issues, assumptions, dependencies",
    raid_module.RaidLog,
    "RAID log",
)


def _format(asked: Format | None, accept: str | None) -> Format:
    if asked is not None:
        return asked
    accept = (accept or "").lower()
    if "text/markdown" in accept:
        return "markdown"
    if "text/csv" in accept:
        return "csv"
    return "json"


@get(
    "/programmes/{key:str}/closure-report",
    operation_id="closure.report",
    tags=["closure"],
    summary="The Programme Closure Report: JSON, or Markdown/CSV by ?format= or Accept",
    responses=documented(200, closure_module.ClosureReport, "Closure report", *READ_PROBLEMS),
    operation_class=ClosureReportOperation,
)
async def closure_report(
    request: ApiRequest,
    services: NamedDependency[Services],
    when: NamedDependency[When],
    key: ProgrammeKey,
    format: Annotated[Format | None, QueryParameter(name="format")] = None,
) -> Response[bytes]:
    chosen = _format(format, request.headers.get("accept"))

    def render_closure(view: ProgrammeView, q: Question) -> Rendered:
        report = render("closure-report", view, q)
        if chosen == "json":
            return json_rendered(report, view.position)
        text = (
            closure_formats.to_markdown(report)
            if chosen == "markdown"
            else closure_formats.to_csv(report)
        )
        return Rendered(
            body=text.encode("utf-8"),
            media_type=MARKDOWN if chosen == "markdown" else CSV,
            content_hash=report.content_hash,
            position=view.position,
        )

    return await _programme_report(
        request, services, when, key, f"closure-{chosen}", render_closure
    )


@get(
    "/portfolio",
    operation_id="programmes.portfolio",
    tags=["programmes"],
    summary="One row per programme the caller may read: status, RAG, confidence, counts",
    responses=documented(200, portfolio_module.Portfolio, "Portfolio", *READ_PROBLEMS),
)
async def portfolio(
    request: ApiRequest, services: NamedDependency[Services], when: NamedDependency[When]
) -> Response[bytes]:
    r = services.reads
    q = r.question(when)
    glances = {g.key: g for g in await r.glances()}
    current = await r.digests(list(glances.values()))
    chosen = readable(request.user, today_of(services), current)
    picked = [glances[d.key] for d in chosen if d.key in glances]
    key = cache_key(q, "portfolio", tuple((g.key, g.identity) for g in picked))
    found = r.remembered(key)
    if found is None:
        # A chunk of views at a time: a portfolio of 500 programmes never holds 500 views.
        rows = [
            portfolio_module.portfolio_row(seen.view, q.today, r.calendar, r.thresholds)
            async for seen in r.stream(picked, when)
            if seen.view.events > 0
        ]
        positions = [ProgrammePosition(key=row.key, position=row.position) for row in rows]
        report = seal(
            portfolio_module.Portfolio(
                today=q.today,
                programmes=rows,
                positions=positions,
                position=max((p.position for p in positions), default=0),
                as_of=q.as_of,
                known_at=q.known_at,
            )
        )
        found = r.remember(key, json_rendered(report, report.position))
    return _send(found, request)


@get(
    "/people/{email:str}/inbox",
    operation_id="people.inbox",
    tags=["people"],
    summary="What awaits a person's endorsement or approval (themselves, admin or reader)",
    responses=documented(200, inbox_module.Inbox, "Inbox", *READ_PROBLEMS),
)
async def inbox(
    request: ApiRequest,
    services: NamedDependency[Services],
    when: NamedDependency[When],
    email: EmailPath,
) -> Response[bytes]:
    person = email_parameter("path.email", email)
    principal = request.user
    if principal.scope == "member" and principal.person != person:
        raise forbidden(f"{principal.person} may read only their own inbox, not {person}'s")
    r = services.reads
    q = r.question(when)
    glances = {g.key: g for g in await r.glances()}
    # Only programmes where something could await them: their roster, deputies, signatories.
    current = await r.digests(list(glances.values()))
    picked = [glances[d.key] for d in current if d.concerns(person) and d.key in glances]
    key = cache_key(q, "inbox", person, tuple((g.key, g.identity) for g in picked))
    found = r.remembered(key)
    if found is None:
        views = [seen.view async for seen in r.stream(picked, when) if seen.view.events > 0]
        report = inbox_module.inbox(
            views, person, q.today, r.calendar, r.thresholds, as_of=q.as_of, known_at=q.known_at
        )
        found = r.remember(key, json_rendered(report, report.position))
    return _send(found, request)


ROUTES = [signoffs, milestone_board, gate_board, raid_log, closure_report, portfolio, inbox]
