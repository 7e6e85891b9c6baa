"""/metrics: Prometheus text exposition of the store head, the projector and this process.

No token is needed (like /health and /ready): it holds counts, never programme data."""

from __future__ import annotations

import resource

from litestar import Response, get
from litestar.datastructures import State

from api.errors import UNAVAILABLE
from api.services import Services
from tracker.projections.projector import projection_status

TEXT = "text/plain; version=0.0.4; charset=utf-8"


def _line(name: str, help_: str, value: int, kind: str = "gauge") -> str:
    return f"# HELP {name} {help_}\n# TYPE {name} {kind}\n{name} {value}\n"


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


@get("/metrics", include_in_schema=False)
async def metrics(state: State) -> Response[str]:
    services: Services = state.services
    lines = [
        _line("process_resident_memory_bytes", "Resident memory size in bytes.", _resident_bytes())
    ]
    try:
        status = (await projection_status(services.store, services.engine))[0]
    except UNAVAILABLE:
        lines.append(_line("tracker_database_up", "1 when the database answers.", 0))
        return Response("".join(lines), media_type=TEXT)
    lines += [
        _line("tracker_database_up", "1 when the database answers.", 1),
        _line("tracker_head_position", "The store's safe head position.", status.head_position),
        _line(
            "tracker_projection_position",
            "The programme_views checkpoint position.",
            status.position,
        ),
        _line("tracker_projection_lag", "Positions the read model is behind.", status.lag),
        _line(
            "tracker_projection_events_total",
            "Events applied by the projector.",
            status.events,
            "counter",
        ),
    ]
    return Response("".join(lines), media_type=TEXT)
