"""RAID items (risks, issues, assumptions, dependencies): read one (their writes are in
``api.operations``, where a RAID item's ``title`` becomes the first words of its description)."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from api.auth import ApiRequest
from api.items import Found, read_item
from api.openapi import READ_PROBLEMS, documented
from api.schemas import RiskDetail
from api.services import Services
from tracker.errors import NotFound
from tracker.projections.reports.raid_log import raid_row
from tracker.risks import risk_stream


@get(
    "/risks/{item_id:uuid}",
    operation_id="risks.read",
    tags=["risks"],
    summary="A RAID item's row of the log (ETag: its version)",
    responses=documented(200, RiskDetail, "The RAID item", *READ_PROBLEMS),
)
async def read_risk(
    request: ApiRequest, services: NamedDependency[Services], item_id: FromPath[UUID]
) -> Response[RiskDetail]:
    def make(found: Found) -> tuple[RiskDetail, int]:
        item = found.view.raid.get(str(item_id))
        if item is None:
            raise NotFound(f"RAID item {item_id} does not exist")
        row = raid_row(found.view, item, services.reads.thresholds)
        detail = RiskDetail(
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
        str(item_id),
        risk_stream(item_id),
        f"RAID item {item_id}",
        "risk_not_found",
        make,
    )


ROUTES = [read_risk]
