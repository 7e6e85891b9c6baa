"""Reading one item (deliverable, milestone, RAID item) with its stream version as the ETag.

The item is read from its programme as it stands now (every write answered before the request
included), and its ETag is the version of its stream that view folded: the content and the
ETag always agree, so an If-Match built from them is stale only if someone wrote since (412)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from litestar import Response

from api.access import readable_view
from api.auth import ApiRequest
from api.services import Services
from api.when import When
from tracker.handlers.items import ItemKind
from tracker.projections.read_model import rows
from tracker.projections.read_model.views import ProgrammeView
from tracker.projections.reports.question import report_day

T = TypeVar("T")


class Found:
    def __init__(self, view: ProgrammeView, services: Services) -> None:
        self.view = view
        self.today = report_day(clock=services.clock)


async def _owner(services: Services, item_id: str, stream_id: str) -> str | None:
    """The item's programme: from its row, or (not folded yet) from its stream's first event."""
    reader = services.reads.reader
    key = await rows.item_owner(reader.engine, reader.tables, item_id)
    if key is not None:
        return key
    stored = await services.store.read_streams([stream_id])
    found = getattr(stored[0].data, "programme_key", None) if stored else None
    return found if isinstance(found, str) else None


async def read_item(
    request: ApiRequest,
    services: Services,
    item_id: str,
    kind: ItemKind,
    make: Callable[[Found], tuple[T, int]],
) -> Response[T]:
    """``make`` answers (the body, the item's version) or raises NotFound."""
    key = await _owner(services, item_id, kind.stream(UUID(item_id)))
    if key is None:
        raise kind.not_found(item_id)
    view = (await readable_view(request.user, services, key, When())).view
    body, version = make(Found(view, services))
    return Response(body, headers={"ETag": f'"{version}"', "Tracker-Position": str(view.position)})
