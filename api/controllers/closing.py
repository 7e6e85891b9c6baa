"""Closing notes (learning points, close-out recommendations, next steps) and the closure
report's sign-off."""

from __future__ import annotations

from litestar import Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api import targets
from api.controllers.common import ProgrammeKey
from api.openapi import WRITE_PROBLEMS, documented
from api.schemas import (
    ClosureApproveIn,
    ClosureSubmitIn,
    LearningPointIn,
    NextStepIn,
    RecommendationIn,
    SignIn,
    WriteResult,
)
from api.writes import Plan, Writer
from tracker import commands as c

CREATED = "Recorded: its id, the stream version (ETag) and the store position"
DONE = "Done (or nothing to do): the stream version (ETag) and the store position"


@post(
    "/programmes/{key:str}/learning-points",
    summary="Record a learning point (R, A or admin)",
    responses=documented(201, WriteResult, CREATED, *WRITE_PROBLEMS),
)
async def record_learning_point(
    key: ProgrammeKey, data: JSONBody[LearningPointIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    new_id = writer.new_uuid()
    plan = Plan(
        ref=targets.programme(key),
        created=True,
        build=lambda actor, _: c.RecordLearningPoint(
            programme_key=key,
            description=data.description,
            recommendation=data.recommendation,
            responsible=data.responsible,
            number=data.number,
            learning_point_id=new_id,
            actor=actor,
            occurred_at=data.occurred_at,
        ),
    )
    return await writer.run(data, plan)


@post(
    "/programmes/{key:str}/recommendations",
    summary="Record a close-out recommendation (R, A or admin)",
    responses=documented(201, WriteResult, CREATED, *WRITE_PROBLEMS),
)
async def record_recommendation(
    key: ProgrammeKey, data: JSONBody[RecommendationIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    new_id = writer.new_uuid()
    plan = Plan(
        ref=targets.programme(key),
        created=True,
        build=lambda actor, _: c.RecordCloseOutRecommendation(
            programme_key=key,
            description=data.description,
            responsible=data.responsible,
            number=data.number,
            recommendation_id=new_id,
            actor=actor,
            occurred_at=data.occurred_at,
        ),
    )
    return await writer.run(data, plan)


@post(
    "/programmes/{key:str}/next-steps",
    summary="Record an agreed next step (R, A or admin)",
    responses=documented(201, WriteResult, CREATED, *WRITE_PROBLEMS),
)
async def record_next_step(
    key: ProgrammeKey, data: JSONBody[NextStepIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    new_id = writer.new_uuid()
    plan = Plan(
        ref=targets.programme(key),
        created=True,
        build=lambda actor, _: c.RecordNextStep(
            programme_key=key,
            description=data.description,
            responsible=data.responsible,
            number=data.number,
            deliverable_id=data.deliverable,
            next_step_id=new_id,
            actor=actor,
            occurred_at=data.occurred_at,
        ),
    )
    return await writer.run(data, plan)


@post(
    "/programmes/{key:str}/closure/submit",
    status_code=200,
    summary="Submit the closure report for sign-off (R, A or admin)",
    responses=documented(200, WriteResult, DONE, *WRITE_PROBLEMS),
)
async def submit_closure(
    key: ProgrammeKey, data: JSONBody[ClosureSubmitIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    plan = Plan(
        ref=targets.programme(key),
        build=lambda actor, _: c.SubmitClosureReport(
            programme_key=key, summary=data.summary, actor=actor, occurred_at=data.occurred_at
        ),
    )
    return await writer.run(data, plan)


@post(
    "/programmes/{key:str}/closure/endorse",
    status_code=200,
    summary="Endorse the closure report (every R and C of the roster, or a deputy)",
    responses=documented(200, WriteResult, DONE, *WRITE_PROBLEMS),
)
async def endorse_closure(
    key: ProgrammeKey, data: JSONBody[SignIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    plan = Plan(
        ref=targets.programme(key),
        build=lambda actor, _: c.EndorseClosureReport(
            programme_key=key,
            on_behalf_of=data.on_behalf_of,
            actor=actor,
            occurred_at=data.occurred_at,
        ),
    )
    return await writer.run(data, plan)


@post(
    "/programmes/{key:str}/closure/approve",
    status_code=200,
    summary="Approve the closure report (the A, or a deputy); missing endorsements need an "
    "override_reason",
    responses=documented(200, WriteResult, DONE, *WRITE_PROBLEMS),
)
async def approve_closure(
    key: ProgrammeKey, data: JSONBody[ClosureApproveIn], writer: NamedDependency[Writer]
) -> Response[bytes]:
    plan = Plan(
        ref=targets.programme(key),
        build=lambda actor, _: c.ApproveClosureReport(
            programme_key=key,
            on_behalf_of=data.on_behalf_of,
            override_reason=data.override_reason,
            actor=actor,
            occurred_at=data.occurred_at,
        ),
    )
    return await writer.run(data, plan)


ROUTES = [
    record_learning_point,
    record_recommendation,
    record_next_step,
    submit_closure,
    endorse_closure,
    approve_closure,
]
