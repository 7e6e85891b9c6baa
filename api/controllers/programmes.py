"""Programmes: list and read (their writes are in ``api.operations``)."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.access import readable_view, today_of
from api.auth import ApiRequest
from api.inputs import ProgrammeKey
from api.openapi import READ_PROBLEMS, documented
from api.presenters import programme_detail, programme_summary
from api.schemas import (
    ProgrammeDetail,
    ProgrammePage,
)
from api.services import Services
from api.when import When
from tracker.permissions import readable


@get(
    "/programmes",
    operation_id="programmes.list",
    tags=["programmes"],
    summary="List programmes (the caller's, for a member)",
    responses=documented(200, ProgrammePage, "A page of programmes in key order", *READ_PROBLEMS),
)
async def list_programmes(
    request: ApiRequest,
    services: NamedDependency[Services],
    limit: Annotated[int | None, QueryParameter(ge=1, le=1000, description="page size")] = None,
    after: Annotated[
        str | None, QueryParameter(max_length=64, description="the last key seen")
    ] = None,
) -> ProgrammePage:
    size = min(limit or services.api.default_page, services.api.max_page)
    found = readable(request.user, today_of(services), await services.reads.digests())
    chosen = [d for d in found if after is None or d.key > after][: size + 1]
    items = [programme_summary(d) for d in chosen[:size]]
    more = len(chosen) > size
    return ProgrammePage(items=items, next_after=items[-1].key if more else None, limit=size)


@get(
    "/programmes/{key:str}",
    operation_id="programmes.read",
    tags=["programmes"],
    summary="A programme: description, roster, deputies, workstreams, outcomes",
    responses=documented(200, ProgrammeDetail, "The programme (ETag: its version)", *READ_PROBLEMS),
)
async def read_programme(
    request: ApiRequest,
    services: NamedDependency[Services],
    when: NamedDependency[When],
    key: ProgrammeKey,
) -> Response[ProgrammeDetail]:
    # The ETag is the programme stream's version the content was folded from.
    view = (await readable_view(request.user, services, key, when)).view
    body = programme_detail(view, when)
    headers = {"Tracker-Position": str(view.position)}
    if when.live:
        headers["ETag"] = f'"{view.version}"'
    return Response(body, headers=headers)


ROUTES = [list_programmes, read_programme]
