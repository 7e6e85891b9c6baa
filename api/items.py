"""Reading one item (deliverable, milestone, RAID item) with its stream version as the ETag.

The item's stream is read first and the programme folded from the store after it, so the
content shown is never older than the version: an If-Match built from it can only be stale in
the safe direction (412, read again)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from litestar import Response

from api.access import require_read
from api.auth import ApiRequest
from api.services import Services
from api.when import When
from tracker.errors import NotFound
from tracker.projections.queries import load_programme, report_day
from tracker.projections.views import ProgrammeView

T = TypeVar("T")


class Found:
    def __init__(self, view: ProgrammeView, version: int, services: Services) -> None:
        self.view = view
        self.version = version
        self.today = report_day(clock=services.clock)


async def read_item(
    request: ApiRequest,
    services: Services,
    stream_id: str,
    what: str,
    code: str,
    make: Callable[[Found], T],
) -> Response[T]:
    stored = await services.store.read_stream(stream_id)
    key = getattr(stored[0].data, "programme_key", None) if stored else None
    if not isinstance(key, str):
        raise NotFound(f"{what} does not exist", code=code)
    view = await load_programme(services.store, key)
    await require_read(request.user, services, key, When(), view)
    found = Found(view, stored[-1].version, services)
    return Response(
        make(found),
        headers={"ETag": f'"{found.version}"', "Tracker-Position": str(view.position)},
    )
