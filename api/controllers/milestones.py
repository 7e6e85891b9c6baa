"""Milestones: baseline, read, re-forecast, re-baseline, achieve."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody

from api import targets
from api.auth import ApiRequest
from api.controllers.common import ProgrammeKey, milestone_date
from api.items import Found, read_item
from api.openapi import READ_PROBLEMS, WRITE_PROBLEMS, documented
from api.schemas import AchieveIn, MilestoneDateIn, MilestoneDetail, MilestoneIn, WriteResult
from api.services import Services
from api.writes import Plan, Writer
from tracker import commands as c
from tracker.errors import NotFound
from tracker.milestones import milestone_stream
from tracker.projections.reports.milestone_board import milestone_row

CREATED = "Baselined: its id, the stream version (ETag) and the store position"
DONE = "Done (or nothing to do): the stream version (ETag) and the store position"


@post(
    "/programmes/{key:str}/milestones",
    summary="Baseline a milestone (R, A or admin); dates may be YYYY-MM",
    responses=documented(201, WriteResult, CREATED, *WRITE_PROBLEMS),
)
async def baseline_milestone(
    key: ProgrammeKey, data: JSONBody[MilestoneIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    baseline = milestone_date("baseline", data.baseline)
    new_id = writer.new_uuid()
    plan = Plan(
        ref=targets.programme(key),
        created=True,
        build=lambda actor, _: c.BaselineMilestone(
            programme_key=key,
            title=data.title,
            baseline=baseline,
            workstream=data.workstream,
            milestone_id=new_id,
            actor=actor,
            occurred_at=data.occurred_at,
        ),
    )
    return await writer.run(data, plan)


@get(
    "/milestones/{milestone_id:uuid}",
    summary="A milestone's row of the board (ETag: its version)",
    responses=documented(200, MilestoneDetail, "The milestone", *READ_PROBLEMS),
)
async def read_milestone(
    request: ApiRequest, services: NamedDependency[Services], milestone_id: FromPath[UUID]
) -> Response[MilestoneDetail]:
    def make(found: Found) -> tuple[MilestoneDetail, int]:
        item = found.view.milestones.get(str(milestone_id))
        if item is None:
            raise NotFound(f"milestone {milestone_id} does not exist")
        row = milestone_row(
            found.view, item, found.today, services.reads.calendar, services.reads.thresholds
        )
        detail = MilestoneDetail(
            id=item.id,
            programme_key=found.view.key,
            version=item.version,
            position=found.view.position,
            item=row,
        )
        return detail, item.version

    return await read_item(
        request,
        services,
        str(milestone_id),
        milestone_stream(milestone_id),
        f"milestone {milestone_id}",
        "milestone_not_found",
        make,
    )


def _route(path: str, summary: str) -> HTTPRouteHandler:
    return post(
        f"/milestones/{{milestone_id:uuid}}/{path}",
        status_code=200,
        summary=summary,
        responses=documented(200, WriteResult, DONE, *WRITE_PROBLEMS),
    )


@_route("forecast", "Re-forecast with a reason (R, A or admin)")
async def reforecast_milestone(
    milestone_id: FromPath[UUID], data: JSONBody[MilestoneDateIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    forecast = milestone_date("date", data.date)
    plan = Plan(
        ref=targets.milestone(milestone_id),
        build=lambda actor, _: c.ReforecastMilestone(
            milestone_id=milestone_id,
            forecast=forecast,
            reason=data.reason,
            actor=actor,
            occurred_at=data.occurred_at,
        ),
    )
    return await writer.run(data, plan)


@_route("rebaseline", "Re-baseline with a reason; the original stays (R, A or admin)")
async def rebaseline_milestone(
    milestone_id: FromPath[UUID], data: JSONBody[MilestoneDateIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    baseline = milestone_date("date", data.date)
    plan = Plan(
        ref=targets.milestone(milestone_id),
        build=lambda actor, _: c.RebaselineMilestone(
            milestone_id=milestone_id,
            baseline=baseline,
            reason=data.reason,
            actor=actor,
            occurred_at=data.occurred_at,
        ),
    )
    return await writer.run(data, plan)


@_route("achieve", "Record the actual date (R, A or admin)")
async def achieve_milestone(
    milestone_id: FromPath[UUID], data: JSONBody[AchieveIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    actual = milestone_date("date", data.date)
    plan = Plan(
        ref=targets.milestone(milestone_id),
        build=lambda actor, _: c.AchieveMilestone(
            milestone_id=milestone_id, actual=actual, actor=actor, occurred_at=data.occurred_at
        ),
    )
    return await writer.run(data, plan)


ROUTES = [
    baseline_milestone,
    read_milestone,
    reforecast_milestone,
    rebaseline_milestone,
    achieve_milestone,
]
