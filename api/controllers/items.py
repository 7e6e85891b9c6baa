"""Reading one item: a deliverable's sign-off status, a milestone's row of the board, a RAID
item's row of the log, a phase gate's row, each with its stream version as the ETag
(``api.items``). The routes are made from one row each (``ITEM_READS``); the writes are in
``api.operations``, where a RAID item's ``title`` becomes the first words of its description."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final
from uuid import UUID

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from api.auth import ApiRequest
from api.items import Found, read_item
from api.openapi import READ_PROBLEMS, documented
from api.schemas import DeliverableDetail, GateDetail, ItemDetail, MilestoneDetail, RiskDetail
from api.services import Services
from tracker.calendar import WorkingCalendar
from tracker.handlers.items import DELIVERABLE, GATE, MILESTONE, RISK, ItemKind
from tracker.projections.read_model.views import ProgrammeView
from tracker.projections.reports.gates import gate_row
from tracker.projections.reports.milestone_board import milestone_row
from tracker.projections.reports.raid_log import raid_row
from tracker.projections.reports.signoff_status import deliverable_item
from tracker.rag import RagThresholds

Line = Callable[[ProgrammeView, Any, date, WorkingCalendar, RagThresholds], Any]
"""An item's line of its report: the view, the item, today, the calendar, the thresholds."""


@dataclass(frozen=True)
class ItemRead:
    kind: ItemKind
    id_name: str
    """The path parameter: ``deliverable_id``."""
    detail: type[ItemDetail]
    """The answer; its docstring is the operation's summary."""
    line: Line

    @property
    def resource(self) -> str:
        """The path's first part and the OpenAPI tag: ``deliverables``, ``risks``."""
        return f"{self.kind.code.removesuffix('_not_found')}s"


VIEW_ITEMS: Final[dict[str, Callable[[ProgrammeView], Mapping[str, Any]]]] = {
    "deliverables": lambda view: view.deliverables,
    "milestones": lambda view: view.milestones,
    "risks": lambda view: view.raid,
    "gates": lambda view: view.gates,
}


def _raid_line(
    view: ProgrammeView, item: Any, _: date, __: WorkingCalendar, thresholds: RagThresholds
) -> Any:
    return raid_row(view, item, thresholds)


ITEM_READS: Final = (
    ItemRead(DELIVERABLE, "deliverable_id", DeliverableDetail, deliverable_item),
    ItemRead(MILESTONE, "milestone_id", MilestoneDetail, milestone_row),
    ItemRead(RISK, "item_id", RiskDetail, _raid_line),
    ItemRead(GATE, "gate_id", GateDetail, gate_row),
)


def _route(read: ItemRead) -> HTTPRouteHandler:
    """The GET handler of one row, its path parameter named as the row says."""
    kind = read.kind

    async def endpoint(
        request: ApiRequest, services: NamedDependency[Services], **ids: UUID
    ) -> Response[Any]:
        item_id = ids[read.id_name]
        r = services.reads

        def make(found: Found) -> tuple[ItemDetail, int]:
            item = VIEW_ITEMS[read.resource](found.view).get(str(item_id))
            if item is None:
                raise kind.not_found(item_id)
            made: Callable[..., ItemDetail] = read.detail  # with the row's own ``item``
            detail = made(
                id=item.id,
                programme_key=found.view.key,
                version=item.version,
                position=found.view.position,
                item=read.line(found.view, item, found.today, r.calendar, r.thresholds),
            )
            return detail, item.version

        return await read_item(request, services, str(item_id), kind, make)

    keyword = inspect.Parameter.KEYWORD_ONLY
    annotations: dict[str, Any] = {
        "request": ApiRequest,
        "services": NamedDependency[Services],
        read.id_name: FromPath[UUID],
    }
    parameters = [inspect.Parameter(n, keyword, annotation=t) for n, t in annotations.items()]
    annotations["return"] = Response[read.detail]  # type: ignore[name-defined]  # known at run time
    endpoint.__signature__ = inspect.Signature(parameters, return_annotation=annotations["return"])  # type: ignore[attr-defined]
    endpoint.__annotations__ = annotations
    endpoint.__name__ = endpoint.__qualname__ = f"read_{read.kind.code.removesuffix('_not_found')}"
    return get(
        f"/{read.resource}/{{{read.id_name}:uuid}}",
        operation_id=f"{read.resource}.read",
        tags=[read.resource],
        summary=(read.detail.__doc__ or "").strip(),
        responses=documented(200, read.detail, f"The {kind.name}", *READ_PROBLEMS),
    )(endpoint)


ROUTES: Final = [_route(read) for read in ITEM_READS]
