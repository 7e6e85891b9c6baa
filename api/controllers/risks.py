"""RAID items (risks, issues, assumptions, dependencies): raise, read, log, re-score, close.

The domain's RAID item has one description; the API's ``title`` is kept as its first words
("<title>: <description>", or the title alone), as the paper RAID logs write them."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody

from api import targets
from api.auth import ApiRequest
from api.controllers.common import ProgrammeKey, person
from api.items import Found, read_item
from api.openapi import READ_PROBLEMS, WRITE_PROBLEMS, documented
from api.schemas import CloseRiskIn, RescoreIn, RiskDetail, RiskIn, RiskUpdateIn, WriteResult
from api.services import Services
from api.writes import Plan, Writer
from tracker import commands as c
from tracker.errors import NotFound
from tracker.projections.reports.raid_log import raid_row
from tracker.risks import risk_stream

CREATED = "Raised: its id, the stream version (ETag) and the store position"
DONE = "Done (or nothing to do): the stream version (ETag) and the store position"


def described(title: str, description: str) -> str:
    title, description = title.strip(), description.strip()
    return f"{title}: {description}" if description else title


@post(
    "/programmes/{key:str}/risks",
    summary="Raise a risk, issue, assumption or dependency (R, A or admin)",
    responses=documented(201, WriteResult, CREATED, *WRITE_PROBLEMS),
)
async def raise_risk(
    key: ProgrammeKey, data: JSONBody[RiskIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    new_id = writer.new_uuid()

    def build(actor: str, _: targets.Target) -> c.Command:
        return c.RaiseRisk(
            programme_key=key,
            kind=data.kind,
            description=described(data.title, data.description),
            owner=person("owner", data.owner),
            ref=data.ref,
            impact=data.impact,
            likelihood=data.likelihood,
            mitigation=data.mitigation,
            item_id=new_id,
            actor=actor,
            occurred_at=data.occurred_at,
        )

    plan = Plan(ref=targets.programme(key), build=build, created=True)
    return await writer.run(data, plan)


@get(
    "/risks/{item_id:uuid}",
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


def _route(path: str, summary: str) -> HTTPRouteHandler:
    return post(
        f"/risks/{{item_id:uuid}}/{path}",
        status_code=200,
        summary=summary,
        responses=documented(200, WriteResult, DONE, *WRITE_PROBLEMS),
    )


@_route("updates", "Log a dated update (R, A or admin)")
async def log_risk_update(
    item_id: FromPath[UUID], data: JSONBody[RiskUpdateIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    plan = Plan(
        ref=targets.risk(item_id),
        build=lambda actor, _: c.LogRiskUpdate(
            item_id=item_id, text=data.note, actor=actor, occurred_at=data.occurred_at
        ),
    )
    return await writer.run(data, plan)


@_route("rescore", "Re-score likelihood and impact with a reason (R, A or admin)")
async def rescore_risk(
    item_id: FromPath[UUID], data: JSONBody[RescoreIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    plan = Plan(
        ref=targets.risk(item_id),
        build=lambda actor, _: c.RescoreRisk(
            item_id=item_id,
            impact=data.impact,
            likelihood=data.likelihood,
            reason=data.reason,
            actor=actor,
            occurred_at=data.occurred_at,
        ),
    )
    return await writer.run(data, plan)


@_route("close", "Close with a note (R, A or admin)")
async def close_risk(
    item_id: FromPath[UUID], data: JSONBody[CloseRiskIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    plan = Plan(
        ref=targets.risk(item_id),
        build=lambda actor, _: c.CloseRisk(
            item_id=item_id, note=data.note, actor=actor, occurred_at=data.occurred_at
        ),
    )
    return await writer.run(data, plan)


ROUTES = [raise_risk, read_risk, log_risk_update, rescore_risk, close_risk]
