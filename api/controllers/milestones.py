"""Milestones: read one (its writes are in ``api.operations``)."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from api.auth import ApiRequest
from api.items import Found, read_item
from api.openapi import READ_PROBLEMS, documented
from api.schemas import MilestoneDetail
from api.services import Services
from tracker.errors import NotFound
from tracker.milestones import milestone_stream
from tracker.projections.reports.milestone_board import milestone_row


@get(
    "/milestones/{milestone_id:uuid}",
    operation_id="milestones.read",
    tags=["milestones"],
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


ROUTES = [read_milestone]
