"""What requests share (``Services``, made once in the app's lifespan) and the per-request
providers: the caller, the writer (with If-Match and Idempotency-Key) and the time question of
a query (as_of, known_at, min_position)."""

from __future__ import annotations

from typing import Annotated

from litestar.params import HeaderParameter, QueryParameter

from api.auth import ApiRequest, Principal
from api.services import Services
from api.when import When, parse_when
from api.writes import Writer


def services_of(request: ApiRequest) -> Services:
    found: Services = request.app.state.services
    return found


def provide_principal(request: ApiRequest) -> Principal:
    return request.user


def provide_services(request: ApiRequest) -> Services:
    return services_of(request)


def provide_writer(
    request: ApiRequest,
    if_match: Annotated[
        str | None,
        HeaderParameter(
            name="If-Match",
            description='the stream version from an ETag ("3"): refuse with 412 if it moved',
            max_length=40,
        ),
    ] = None,
    idempotency_key: Annotated[
        str | None,
        HeaderParameter(
            name="Idempotency-Key",
            description="a unique key (a UUID): a retry with the same key and body is answered "
            "with the first response and writes nothing",
            max_length=257,
        ),
    ] = None,
) -> Writer:
    return Writer(request, services_of(request), if_match=if_match, idempotency_key=idempotency_key)


def provide_when(
    as_of: Annotated[
        str | None,
        QueryParameter(
            name="as_of",
            description="effective time: a date (end of that day, UTC) or an RFC 3339 instant",
            max_length=40,
        ),
    ] = None,
    known_at: Annotated[
        str | None,
        QueryParameter(
            name="known_at",
            description="recorded time: what the store knew at this RFC 3339 instant",
            max_length=40,
        ),
    ] = None,
    min_position: Annotated[
        int | None,
        QueryParameter(
            name="min_position",
            description="no longer needed and ignored: every query already includes every "
            "write answered before it (kept so that existing clients keep working)",
            ge=0,
            schema_extra={"deprecated": True},
        ),
    ] = None,
) -> When:
    del min_position  # accepted for compatibility: reads are consistent without it
    return parse_when(as_of, known_at)
