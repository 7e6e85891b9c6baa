"""Programmes: register, list, read; their roster, deputies, workstreams and outcomes."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from api import targets
from api.access import readable_view, today_of
from api.auth import ApiRequest
from api.controllers.common import EmailPath, ProgrammeKey, email, email_parameter, raci
from api.errors import ApiProblem, FieldError
from api.openapi import READ_PROBLEMS, WRITE_PROBLEMS, documented
from api.presenters import programme_detail, programme_summary
from api.schemas import (
    DelegationIn,
    OutcomeIn,
    ProgrammeDetail,
    ProgrammeIn,
    ProgrammePage,
    RosterIn,
    RosterRevokeIn,
    WorkstreamIn,
    WriteResult,
)
from api.services import Services
from api.when import When
from api.writes import Plan, Writer
from tracker import commands as c
from tracker.auth.tokens import registered_name
from tracker.permissions import readable

CREATED = "Created: its id, the stream version (ETag) and the store position"
DONE = "Done (or nothing to do): the stream version (ETag) and the store position"


@post(
    "/programmes",
    summary="Register a programme (admin)",
    responses=documented(201, WriteResult, CREATED, *WRITE_PROBLEMS),
)
async def register_programme(
    data: JSONBody[ProgrammeIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    def build(actor: str, _: targets.Target) -> c.Command:
        if data.planned_end is not None and data.planned_end < data.start:
            raise ApiProblem(
                422,
                "invalid_input",
                "planned_end is before start",
                errors=[FieldError(field="planned_end", message="is before start")],
            )
        return c.RegisterProgramme(
            programme_key=data.key,
            name=data.name,
            starts_on=data.start,
            planned_end_on=data.planned_end or data.start,
            purpose=data.purpose,
            scope=data.scope,
            governance=data.governance,
            actor=actor,
            occurred_at=data.occurred_at,
        )

    plan = Plan(
        ref=targets.new_programme(data.key),
        build=build,
        created=True,
        new_id=data.key,
        location=f"/api/v1/programmes/{data.key}",
    )
    return await writer.run(data, plan)


@get(
    "/programmes",
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


def _roster_plan(key: str, who: str, data: JSONBody[RosterIn]) -> Plan:
    def build(actor: str, target: targets.Target) -> c.Command:
        letter = raci(data.raci)
        if target.programme.member(who) is None:
            return c.AssignRosterMember(
                programme_key=key,
                email=who,
                name=data.name,
                role_title=data.title,
                raci=letter,
                actor=actor,
                occurred_at=data.occurred_at,
            )
        return c.ChangeRosterMember(
            programme_key=key,
            email=who,
            name=data.name,
            role_title=data.title,
            raci=letter,
            actor=actor,
            occurred_at=data.occurred_at,
        )

    return Plan(
        ref=targets.programme(key),
        build=build,
        created=lambda t: t.programme.member(who) is None,
        new_id=f"roster:{who}",
    )


@put(
    "/programmes/{key:str}/roster/{email:str}",
    summary="Put a person on the roster, or change their letter, title or name (A or admin)",
    responses=documented(200, WriteResult, DONE, *WRITE_PROBLEMS)
    | documented(201, WriteResult, CREATED),
)
async def put_roster_member(
    key: ProgrammeKey, email: EmailPath, data: JSONBody[RosterIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    return await writer.run(data, _roster_plan(key, _email_path(email), data))


def _email_path(value: str) -> str:
    return email_parameter("path.email", value)


@delete(
    "/programmes/{key:str}/roster/{email:str}",
    status_code=200,
    summary="Take a person off the roster (A or admin)",
    responses=documented(200, WriteResult, DONE, *WRITE_PROBLEMS),
)
async def revoke_roster_member(
    key: ProgrammeKey,
    email: EmailPath,
    writer: NamedDependency[Writer],
    reason: Annotated[str, QueryParameter(max_length=2000, description="why (optional)")] = "",
) -> Response[bytes]:
    who = _email_path(email)
    plan = Plan(
        ref=targets.programme(key),
        build=lambda actor, _: c.RevokeRosterMember(
            programme_key=key, email=who, reason=reason, actor=actor
        ),
    )
    return await writer.run(RosterRevokeIn(reason=reason), plan)


@post(
    "/programmes/{key:str}/delegations",
    summary="Appoint a registered person deputy (the A, or an R or C for themselves; admin)",
    responses=documented(201, WriteResult, CREATED, *WRITE_PROBLEMS),
)
async def appoint_deputy(
    key: ProgrammeKey, data: JSONBody[DelegationIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    principal = email("for", data.for_)
    deputy = email("deputy", data.deputy)
    known = await registered_name(writer.store, deputy)
    deputy_name = data.deputy_name or known or ""
    new_id = writer.new_uuid()

    def build(actor: str, _: targets.Target) -> c.Command:
        if known is None:
            # A delegation gives its deputy read access: only someone the tracker already
            # knows (a token was issued to them) can be made one, not any address typed in.
            raise ApiProblem(
                422,
                "deputy_not_registered",
                f"{deputy} is not registered with the tracker: issue them a token first "
                "(tracker token issue --email ...), then appoint them",
                errors=[FieldError(field="deputy", message="not registered")],
            )
        return c.AppointDeputy(
            programme_key=key,
            deputy_email=deputy,
            for_email=principal,
            starts_on=data.starts,
            ends_on=data.ends,
            deputy_name=deputy_name,
            delegation_id=new_id,
            actor=actor,
            occurred_at=data.occurred_at,
        )

    plan = Plan(
        ref=targets.programme(key),
        created=True,
        build=build,
    )
    return await writer.run(data, plan)


@post(
    "/programmes/{key:str}/workstreams",
    summary="Add a workstream (R, A or admin)",
    responses=documented(201, WriteResult, CREATED, *WRITE_PROBLEMS),
)
async def add_workstream(
    key: ProgrammeKey, data: JSONBody[WorkstreamIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    plan = Plan(
        ref=targets.programme(key),
        created=True,
        new_id=data.key,
        build=lambda actor, _: c.AddWorkstream(
            programme_key=key,
            workstream=data.key,
            title=data.name,
            actor=actor,
            occurred_at=data.occurred_at,
        ),
    )
    return await writer.run(data, plan)


@post(
    "/programmes/{key:str}/outcomes",
    summary="Define a numbered outcome (R, A or admin)",
    responses=documented(201, WriteResult, CREATED, *WRITE_PROBLEMS),
)
async def define_outcome(
    key: ProgrammeKey, data: JSONBody[OutcomeIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    plan = Plan(
        ref=targets.programme(key),
        created=True,
        new_id=f"outcome:{data.number}",
        build=lambda actor, _: c.DefineOutcome(
            programme_key=key,
            number=data.number,
            title=data.title,
            actor=actor,
            occurred_at=data.occurred_at,
        ),
    )
    return await writer.run(data, plan)


ROUTES = [
    register_programme,
    list_programmes,
    read_programme,
    put_roster_member,
    revoke_roster_member,
    appoint_deputy,
    add_workstream,
    define_outcome,
]
