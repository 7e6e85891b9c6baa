"""Deliverables: plan, read, and move through sign-off."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody

from api import targets
from api.auth import ApiRequest
from api.controllers.common import ProgrammeKey, people
from api.items import Found, read_item
from api.openapi import READ_PROBLEMS, WRITE_PROBLEMS, documented
from api.schemas import (
    DeferIn,
    DeliverableDetail,
    DeliverableIn,
    ReasonIn,
    ReinstateIn,
    ReplanIn,
    ReturnIn,
    SignIn,
    SubmitIn,
    WriteResult,
)
from api.services import Services
from api.writes import Plan, Writer
from tracker import commands as c
from tracker.deliverables import deliverable_stream
from tracker.errors import NotFound
from tracker.projections.reports.signoff_status import deliverable_item

CREATED = "Planned: its id, the stream version (ETag) and the store position"
DONE = "Done (or nothing to do): the stream version (ETag) and the store position"


@post(
    "/programmes/{key:str}/deliverables",
    summary="Plan a deliverable (R, A or admin)",
    responses=documented(201, WriteResult, CREATED, *WRITE_PROBLEMS),
)
async def plan_deliverable(
    key: ProgrammeKey, data: JSONBody[DeliverableIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    new_id = writer.new_uuid()

    def build(actor: str, _: targets.Target) -> c.Command:
        return c.PlanDeliverable(
            programme_key=key,
            title=data.title,
            due_on=data.due,
            approvers=people("approvers", data.approvers),
            endorsers=people("endorsers", data.endorsers),
            outcome_number=data.outcome,
            workstream=data.workstream,
            deliverable_id=new_id,
            actor=actor,
            occurred_at=data.occurred_at,
        )

    plan = Plan(ref=targets.programme(key), build=build, created=True)
    return await writer.run(data, plan)


@get(
    "/deliverables/{deliverable_id:uuid}",
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


def _act(deliverable_id: UUID, build: Callable[[str, targets.Target], c.Command]) -> Plan:
    return Plan(ref=targets.deliverable(deliverable_id), build=build)


def _action_route(path: str, summary: str) -> HTTPRouteHandler:
    return post(
        f"/deliverables/{{deliverable_id:uuid}}/{path}",
        status_code=200,
        summary=summary,
        responses=documented(200, WriteResult, DONE, *WRITE_PROBLEMS),
    )


@_action_route("submit", "Submit for sign-off, or resubmit after a return (R, A or admin)")
async def submit_deliverable(
    deliverable_id: FromPath[UUID], data: JSONBody[SubmitIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    def build(actor: str, target: targets.Target) -> c.Command:
        state = target.deliverable
        if state is not None and state.status == "returned":
            return c.ResubmitDeliverable(
                deliverable_id=deliverable_id,
                note=data.note,
                actor=actor,
                occurred_at=data.occurred_at,
            )
        return c.SubmitDeliverable(
            deliverable_id=deliverable_id, note=data.note, actor=actor, occurred_at=data.occurred_at
        )

    return await writer.run(data, _act(deliverable_id, build))


@_action_route("endorse", "Endorse (a named endorser, or their deputy)")
async def endorse_deliverable(
    deliverable_id: FromPath[UUID], data: JSONBody[SignIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    return await writer.run(
        data,
        _act(
            deliverable_id,
            lambda actor, _: c.EndorseDeliverable(
                deliverable_id=deliverable_id,
                on_behalf_of=data.on_behalf_of,
                actor=actor,
                occurred_at=data.occurred_at,
            ),
        ),
    )


@_action_route("approve", "Approve; the last approval signs it off (a named approver or deputy)")
async def approve_deliverable(
    deliverable_id: FromPath[UUID], data: JSONBody[SignIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    return await writer.run(
        data,
        _act(
            deliverable_id,
            lambda actor, _: c.ApproveDeliverable(
                deliverable_id=deliverable_id,
                on_behalf_of=data.on_behalf_of,
                actor=actor,
                occurred_at=data.occurred_at,
            ),
        ),
    )


@_action_route("return", "Return with a comment (a named endorser or approver, or deputy)")
async def return_deliverable(
    deliverable_id: FromPath[UUID], data: JSONBody[ReturnIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    return await writer.run(
        data,
        _act(
            deliverable_id,
            lambda actor, _: c.ReturnDeliverable(
                deliverable_id=deliverable_id,
                comment=data.comment,
                on_behalf_of=data.on_behalf_of,
                actor=actor,
                occurred_at=data.occurred_at,
            ),
        ),
    )


@_action_route("defer", "Defer with a reason and a destination (R, A or admin)")
async def defer_deliverable(
    deliverable_id: FromPath[UUID], data: JSONBody[DeferIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    return await writer.run(
        data,
        _act(
            deliverable_id,
            lambda actor, _: c.DeferDeliverable(
                deliverable_id=deliverable_id,
                reason=data.reason,
                destination=data.destination,
                actor=actor,
                occurred_at=data.occurred_at,
            ),
        ),
    )


@_action_route("reinstate", "Reinstate a deferred deliverable (R, A or admin)")
async def reinstate_deliverable(
    deliverable_id: FromPath[UUID], data: JSONBody[ReinstateIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    return await writer.run(
        data,
        _act(
            deliverable_id,
            lambda actor, _: c.ReinstateDeliverable(
                deliverable_id=deliverable_id,
                reason=data.reason,
                actor=actor,
                occurred_at=data.occurred_at,
            ),
        ),
    )


@_action_route("reopen", "Reopen a signed-off deliverable with a reason (R, A or admin)")
async def reopen_deliverable(
    deliverable_id: FromPath[UUID], data: JSONBody[ReasonIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    return await writer.run(
        data,
        _act(
            deliverable_id,
            lambda actor, _: c.ReopenDeliverable(
                deliverable_id=deliverable_id,
                reason=data.reason,
                actor=actor,
                occurred_at=data.occurred_at,
            ),
        ),
    )


@_action_route("replan", "Re-plan the due date with a reason (R, A or admin)")
async def replan_deliverable(
    deliverable_id: FromPath[UUID], data: JSONBody[ReplanIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    return await writer.run(
        data,
        _act(
            deliverable_id,
            lambda actor, _: c.ReplanDeliverable(
                deliverable_id=deliverable_id,
                due_on=data.due,
                reason=data.reason,
                actor=actor,
                occurred_at=data.occurred_at,
            ),
        ),
    )


ROUTES = [
    plan_deliverable,
    read_deliverable,
    submit_deliverable,
    endorse_deliverable,
    approve_deliverable,
    return_deliverable,
    defer_deliverable,
    reinstate_deliverable,
    reopen_deliverable,
    replan_deliverable,
]
