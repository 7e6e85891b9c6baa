"""Deliverables: read one (its writes are in ``api.operations``)."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from api.auth import ApiRequest
from api.items import Found, read_item
from api.openapi import READ_PROBLEMS, documented
from api.schemas import (
    DeliverableDetail,
)
from api.services import Services
from tracker.deliverables import deliverable_stream
from tracker.errors import NotFound
from tracker.projections.reports.signoff_status import deliverable_item


@get(
    "/deliverables/{deliverable_id:uuid}",
    operation_id="deliverables.read",
    tags=["deliverables"],
    summary="A deliverable's sign-off status (ETag: its version)",
    responses=documented(200, DeliverableDetail, "The deliverable", *READ_PROBLEMS),
)
async def read_deliverable(
    request: ApiRequest, services: NamedDependency[Services], deliverable_id: FromPath[UUID]
) -> Response[DeliverableDetail]:
    def make(found: Found) -> tuple[DeliverableDetail, int]:
        item = found.view.deliverables.get(str(deliverable_id))
        if item is None:
            raise NotFound(f"deliverable {deliverable_id} does not exist")
        line = deliverable_item(
            found.view, item, found.today, services.reads.calendar, services.reads.thresholds
        )
        detail = DeliverableDetail(
            id=item.id,
            programme_key=found.view.key,
            version=item.version,
            position=found.view.position,
            item=line,
        )
        return detail, item.version

    return await read_item(
        request,
        services,
        str(deliverable_id),
        deliverable_stream(deliverable_id),
        f"deliverable {deliverable_id}",
        "deliverable_not_found",
        make,
    )


ROUTES = [read_deliverable]
