"""Every write of the API, one row each: its operation id (``deliverables.approve``: the OpenAPI
``operationId``, the part before the dot its tag), method and path, body, the stream it acts on,
and the function that makes its command from the call. The routes are made from the rows
(``route``), and the pages' sign-off actions run the same rows (``api.pages.actions``). Who may
run a command is not here: the domain decides it (``tracker.permissions``).

A command is made once the target is loaded (``Call.target``): submitting a returned
deliverable resubmits it, and a roster PUT assigns or changes. ``prepare`` runs before the write
begins, for what must be refused or looked up first (a date that does not parse is a 400; the
deputy must be registered).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Final, Literal
from uuid import UUID

import msgspec
from litestar import Response, delete, post, put
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody, QueryParameter

from api import targets
from api.errors import ApiProblem, FieldError
from api.inputs import (
    EmailPath,
    ProgrammeKey,
    email,
    email_parameter,
    milestone_date,
    people,
    person,
    raci,
)
from api.openapi import WRITE_PROBLEMS, documented
from api.schemas import (
    AchieveIn,
    CloseRiskIn,
    ClosureApproveIn,
    ClosureSubmitIn,
    DeferIn,
    DelegationIn,
    DeliverableIn,
    LearningPointIn,
    MilestoneDateIn,
    MilestoneIn,
    NextStepIn,
    OutcomeIn,
    ProgrammeIn,
    ReasonIn,
    RecommendationIn,
    ReinstateIn,
    ReplanIn,
    RescoreIn,
    ReturnIn,
    RiskIn,
    RiskUpdateIn,
    RosterIn,
    RosterRevokeIn,
    SignIn,
    SubmitIn,
    WorkstreamIn,
    WriteResult,
)
from api.writes import Plan, Writer
from tracker import commands as c
from tracker.auth.tokens import registered_name

PATH_PARAMETERS: Final[dict[str, Any]] = {
    "key": ProgrammeKey,
    "email": EmailPath,
    "deliverable_id": FromPath[UUID],
    "milestone_id": FromPath[UUID],
    "item_id": FromPath[UUID],
}
"""Each path parameter's type, with its pattern and length, wherever it appears."""
DONE: Final = "Done (or nothing to do): the stream version (ETag) and the store position"


@dataclass(frozen=True, kw_only=True)
class Call:
    """What a command is made from: the caller, the path's values (and what ``prepare``
    added), the body, the loaded target, and the id for anything new."""

    actor: str
    values: Mapping[str, Any]
    body: Any
    target: targets.Target
    new_id: UUID


Prepare = Callable[[Writer, Mapping[str, Any], Any], Awaitable[Mapping[str, Any]]]


@dataclass(frozen=True, kw_only=True)
class Operation:
    id: str
    method: Literal["POST", "PUT", "DELETE"]
    path: str
    summary: str
    body: type[msgspec.Struct]
    target: Callable[[Mapping[str, Any], Any], targets.TargetRef]
    """The stream it acts on, from the values and the body."""
    command: Callable[[Call], c.Command]
    creates: bool | Callable[[Mapping[str, Any], targets.Target], bool] = False
    """A 201 when it wrote; or decided from the target (PUT creates or changes)."""
    made: str = "Created"
    """The word for what a 201 made ("Planned", "Raised" ...)."""
    answer_id: Callable[[Mapping[str, Any], Any], str] | None = None
    """The id to answer with when the command makes none (a workstream's key, an outcome)."""
    location: Callable[[Mapping[str, Any], Any], str] | None = None
    prepare: Prepare | None = None
    query: dict[str, Any] = field(default_factory=dict)
    """Query parameters (name: annotation, default); with them the body is made from the
    query (a DELETE has none)."""

    @property
    def tag(self) -> str:
        return self.id.split(".")[0]

    @property
    def path_names(self) -> list[str]:
        return re.findall(r"{(\w+)(?::\w+)?}", self.path)


async def perform(
    op: Operation, writer: Writer, values: Mapping[str, Any], body: Any
) -> Response[bytes]:
    """Run one operation as the request's writer: prepare, then load, build, decide, append."""
    found = dict(values)
    if "email" in found:
        found["email"] = email_parameter("path.email", found["email"])
    if op.prepare is not None:
        found.update(await op.prepare(writer, found, body))
    new_id = writer.new_uuid()

    def build(actor: str, target: targets.Target) -> c.Command:
        call = Call(actor=actor, values=found, body=body, target=target, new_id=new_id)
        return op.command(call)

    creates = op.creates
    plan = Plan(
        ref=op.target(found, body),
        build=build,
        created=creates if isinstance(creates, bool) else (lambda target: creates(found, target)),
        new_id=op.answer_id(found, body) if op.answer_id is not None else None,
        location=op.location(found, body) if op.location is not None else None,
    )
    return await writer.run(body, plan)


def route(op: Operation) -> HTTPRouteHandler:
    """The Litestar handler of one row: its parameters are the path's (typed by
    ``PATH_PARAMETERS``), the body (or the query), and the request's writer."""

    async def endpoint(**given: Any) -> Response[bytes]:
        writer: Writer = given.pop("writer")
        if op.query:
            body = op.body(**{name: given.pop(name) for name in op.query})
        else:
            body = given.pop("data")
        return await perform(op, writer, given, body)

    keyword = inspect.Parameter.KEYWORD_ONLY
    annotations: dict[str, Any] = {name: PATH_PARAMETERS[name] for name in op.path_names}
    annotations["writer"] = NamedDependency[Writer]
    parameters = [inspect.Parameter(n, keyword, annotation=t) for n, t in annotations.items()]
    if op.query:
        for name, (annotation, default) in op.query.items():
            annotations[name] = annotation
            parameters.append(
                inspect.Parameter(name, keyword, annotation=annotation, default=default)
            )
    else:
        json_body: Any = JSONBody  # subscripted with a type known only at run time
        annotations["data"] = json_body[op.body]
        parameters.append(inspect.Parameter("data", keyword, annotation=annotations["data"]))
    annotations["return"] = Response[bytes]
    endpoint.__signature__ = inspect.Signature(parameters, return_annotation=Response[bytes])  # type: ignore[attr-defined]
    endpoint.__annotations__ = annotations
    endpoint.__name__ = endpoint.__qualname__ = op.id.replace(".", "_").replace("-", "_")
    created = f"{op.made}: its id, the stream version (ETag) and the store position"
    if op.creates is True:
        status, responses = 201, documented(201, WriteResult, created, *WRITE_PROBLEMS)
    else:
        status, responses = 200, documented(200, WriteResult, DONE, *WRITE_PROBLEMS)
        if op.creates is not False:
            responses |= documented(201, WriteResult, created)
    method = {"POST": post, "PUT": put, "DELETE": delete}[op.method]
    return method(
        op.path,
        status_code=status,
        summary=op.summary,
        responses=responses,
        operation_id=op.id,
        tags=[op.tag],
    )(endpoint)


# Making commands.


def milestone_dates(field_name: str, attribute: str) -> Prepare:
    """The milestone date in ``body.<attribute>`` (``YYYY-MM-DD`` or ``YYYY-MM``), refused
    with 400 naming ``field_name`` before the write begins; kept as ``values["date"]``."""

    async def prepare(_: Writer, __: Mapping[str, Any], body: Any) -> Mapping[str, Any]:
        return {"date": milestone_date(field_name, getattr(body, attribute))}

    return prepare


async def _deputy(writer: Writer, _: Mapping[str, Any], body: DelegationIn) -> Mapping[str, Any]:
    """The addresses, checked before the write begins, and whether the tracker knows the
    deputy (``_appoint`` refuses one it does not, once the caller's rights are checked)."""
    on_behalf_of = email("for", body.for_)
    deputy = email("deputy", body.deputy)
    known = await registered_name(writer.store, deputy)
    return {"for": on_behalf_of, "deputy": deputy, "known": known}


def _appoint(call: Call) -> c.Command:
    b: DelegationIn = call.body
    deputy, known = call.values["deputy"], call.values["known"]
    if known is None:
        # A delegation gives its deputy read access: only someone the tracker already knows (a
        # token was issued to them) can be made one, not any address typed in.
        raise ApiProblem(
            422,
            "deputy_not_registered",
            f"{deputy} is not registered with the tracker: issue them a token first "
            "(tracker token issue --email ...), then appoint them",
            errors=[FieldError(field="deputy", message="not registered")],
        )
    return c.AppointDeputy(
        programme_key=call.values["key"],
        deputy_email=deputy,
        for_email=call.values["for"],
        starts_on=b.starts,
        ends_on=b.ends,
        deputy_name=b.deputy_name or known,
        delegation_id=call.new_id,
        actor=call.actor,
        occurred_at=b.occurred_at,
    )


def _register(call: Call) -> c.Command:
    b: ProgrammeIn = call.body
    if b.planned_end is not None and b.planned_end < b.start:
        raise ApiProblem(
            422,
            "invalid_input",
            "planned_end is before start",
            errors=[FieldError(field="planned_end", message="is before start")],
        )
    return c.RegisterProgramme(
        programme_key=b.key,
        name=b.name,
        starts_on=b.start,
        planned_end_on=b.planned_end or b.start,
        purpose=b.purpose,
        scope=b.scope,
        governance=b.governance,
        actor=call.actor,
        occurred_at=b.occurred_at,
    )


def _new_member(values: Mapping[str, Any], target: targets.Target) -> bool:
    return target.programme.member(values["email"]) is None


def _roster(call: Call) -> c.Command:
    b: RosterIn = call.body
    made = c.AssignRosterMember if _new_member(call.values, call.target) else c.ChangeRosterMember
    return made(
        programme_key=call.values["key"],
        email=call.values["email"],
        name=b.name,
        role_title=b.title,
        raci=raci(b.raci),
        actor=call.actor,
        occurred_at=b.occurred_at,
    )


def _submit(call: Call) -> c.Command:
    b: SubmitIn = call.body
    state = call.target.deliverable
    returned = state is not None and state.status == "returned"
    made = c.ResubmitDeliverable if returned else c.SubmitDeliverable
    return made(
        deliverable_id=call.values["deliverable_id"],
        note=b.note,
        actor=call.actor,
        occurred_at=b.occurred_at,
    )


def _described(title: str, description: str) -> str:
    """A RAID item's title becomes the first words of its one description field."""
    title, description = title.strip(), description.strip()
    return f"{title}: {description}" if description else title


def _programme(v: Mapping[str, Any], _: Any) -> targets.TargetRef:
    return targets.programme(v["key"])


def _deliverable(v: Mapping[str, Any], _: Any) -> targets.TargetRef:
    return targets.deliverable(v["deliverable_id"])


def _milestone(v: Mapping[str, Any], _: Any) -> targets.TargetRef:
    return targets.milestone(v["milestone_id"])


def _risk(v: Mapping[str, Any], _: Any) -> targets.TargetRef:
    return targets.risk(v["item_id"])


PROGRAMME: Final = "/programmes/{key:str}"
DELIVERABLE: Final = "/deliverables/{deliverable_id:uuid}"
MILESTONE: Final = "/milestones/{milestone_id:uuid}"
RISK: Final = "/risks/{item_id:uuid}"
ANYONE_NAMED: Final = "(a named endorser or approver, or deputy)"

OPERATIONS: Final[tuple[Operation, ...]] = (
    # Programmes, their rosters, deputies, workstreams and outcomes.
    Operation(
        id="programmes.register",
        method="POST",
        path="/programmes",
        summary="Register a programme (admin)",
        body=ProgrammeIn,
        target=lambda _, b: targets.new_programme(b.key),
        command=_register,
        creates=True,
        answer_id=lambda _, b: str(b.key),
        location=lambda _, b: f"/api/v1/programmes/{b.key}",
    ),
    Operation(
        id="roster.put",
        method="PUT",
        path=f"{PROGRAMME}/roster/{{email:str}}",
        summary="Put a person on the roster, or change their letter, title or name (A or admin)",
        body=RosterIn,
        target=_programme,
        command=_roster,
        creates=_new_member,
        answer_id=lambda v, _: f"roster:{v['email']}",
    ),
    Operation(
        id="roster.revoke",
        method="DELETE",
        path=f"{PROGRAMME}/roster/{{email:str}}",
        summary="Take a person off the roster (A or admin)",
        body=RosterRevokeIn,
        target=_programme,
        command=lambda call: c.RevokeRosterMember(
            programme_key=call.values["key"],
            email=call.values["email"],
            reason=call.body.reason,
            actor=call.actor,
        ),
        query={
            "reason": (
                Annotated[str, QueryParameter(max_length=2000, description="why (optional)")],
                "",
            )
        },
    ),
    Operation(
        id="delegations.appoint",
        method="POST",
        path=f"{PROGRAMME}/delegations",
        summary="Appoint a registered person deputy (the A, or an R or C for themselves; admin)",
        body=DelegationIn,
        target=_programme,
        prepare=_deputy,
        command=_appoint,
        creates=True,
    ),
    Operation(
        id="workstreams.add",
        method="POST",
        path=f"{PROGRAMME}/workstreams",
        summary="Add a workstream (R, A or admin)",
        body=WorkstreamIn,
        target=_programme,
        command=lambda call: c.AddWorkstream(
            programme_key=call.values["key"],
            workstream=call.body.key,
            title=call.body.name,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
        creates=True,
        answer_id=lambda _, b: str(b.key),
    ),
    Operation(
        id="outcomes.define",
        method="POST",
        path=f"{PROGRAMME}/outcomes",
        summary="Define a numbered outcome (R, A or admin)",
        body=OutcomeIn,
        target=_programme,
        command=lambda call: c.DefineOutcome(
            programme_key=call.values["key"],
            number=call.body.number,
            title=call.body.title,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
        creates=True,
        answer_id=lambda _, b: f"outcome:{b.number}",
    ),
    # Deliverables.
    Operation(
        id="deliverables.plan",
        method="POST",
        path=f"{PROGRAMME}/deliverables",
        summary="Plan a deliverable (R, A or admin)",
        body=DeliverableIn,
        target=_programme,
        command=lambda call: c.PlanDeliverable(
            programme_key=call.values["key"],
            title=call.body.title,
            due_on=call.body.due,
            approvers=people("approvers", call.body.approvers),
            endorsers=people("endorsers", call.body.endorsers),
            outcome_number=call.body.outcome,
            workstream=call.body.workstream,
            deliverable_id=call.new_id,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
        creates=True,
        made="Planned",
    ),
    Operation(
        id="deliverables.submit",
        method="POST",
        path=f"{DELIVERABLE}/submit",
        summary="Submit for sign-off, or resubmit after a return (R, A or admin)",
        body=SubmitIn,
        target=_deliverable,
        command=_submit,
    ),
    Operation(
        id="deliverables.endorse",
        method="POST",
        path=f"{DELIVERABLE}/endorse",
        summary="Endorse (a named endorser, or their deputy)",
        body=SignIn,
        target=_deliverable,
        command=lambda call: c.EndorseDeliverable(
            deliverable_id=call.values["deliverable_id"],
            on_behalf_of=call.body.on_behalf_of,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
    ),
    Operation(
        id="deliverables.approve",
        method="POST",
        path=f"{DELIVERABLE}/approve",
        summary="Approve; the last approval signs it off (a named approver or deputy)",
        body=SignIn,
        target=_deliverable,
        command=lambda call: c.ApproveDeliverable(
            deliverable_id=call.values["deliverable_id"],
            on_behalf_of=call.body.on_behalf_of,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
    ),
    Operation(
        id="deliverables.return",
        method="POST",
        path=f"{DELIVERABLE}/return",
        summary=f"Return with a comment {ANYONE_NAMED}",
        body=ReturnIn,
        target=_deliverable,
        command=lambda call: c.ReturnDeliverable(
            deliverable_id=call.values["deliverable_id"],
            comment=call.body.comment,
            on_behalf_of=call.body.on_behalf_of,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
    ),
    Operation(
        id="deliverables.defer",
        method="POST",
        path=f"{DELIVERABLE}/defer",
        summary="Defer with a reason and a destination (R, A or admin)",
        body=DeferIn,
        target=_deliverable,
        command=lambda call: c.DeferDeliverable(
            deliverable_id=call.values["deliverable_id"],
            reason=call.body.reason,
            destination=call.body.destination,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
    ),
    Operation(
        id="deliverables.reinstate",
        method="POST",
        path=f"{DELIVERABLE}/reinstate",
        summary="Reinstate a deferred deliverable (R, A or admin)",
        body=ReinstateIn,
        target=_deliverable,
        command=lambda call: c.ReinstateDeliverable(
            deliverable_id=call.values["deliverable_id"],
            reason=call.body.reason,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
    ),
    Operation(
        id="deliverables.reopen",
        method="POST",
        path=f"{DELIVERABLE}/reopen",
        summary="Reopen a signed-off deliverable with a reason (R, A or admin)",
        body=ReasonIn,
        target=_deliverable,
        command=lambda call: c.ReopenDeliverable(
            deliverable_id=call.values["deliverable_id"],
            reason=call.body.reason,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
    ),
    Operation(
        id="deliverables.replan",
        method="POST",
        path=f"{DELIVERABLE}/replan",
        summary="Re-plan the due date with a reason (R, A or admin)",
        body=ReplanIn,
        target=_deliverable,
        command=lambda call: c.ReplanDeliverable(
            deliverable_id=call.values["deliverable_id"],
            due_on=call.body.due,
            reason=call.body.reason,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
    ),
    # Milestones.
    Operation(
        id="milestones.baseline",
        method="POST",
        path=f"{PROGRAMME}/milestones",
        summary="Baseline a milestone (R, A or admin); dates may be YYYY-MM",
        body=MilestoneIn,
        target=_programme,
        prepare=milestone_dates("baseline", "baseline"),
        command=lambda call: c.BaselineMilestone(
            programme_key=call.values["key"],
            title=call.body.title,
            baseline=call.values["date"],
            workstream=call.body.workstream,
            milestone_id=call.new_id,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
        creates=True,
        made="Baselined",
    ),
    Operation(
        id="milestones.forecast",
        method="POST",
        path=f"{MILESTONE}/forecast",
        summary="Re-forecast with a reason (R, A or admin)",
        body=MilestoneDateIn,
        target=_milestone,
        prepare=milestone_dates("date", "date"),
        command=lambda call: c.ReforecastMilestone(
            milestone_id=call.values["milestone_id"],
            forecast=call.values["date"],
            reason=call.body.reason,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
    ),
    Operation(
        id="milestones.rebaseline",
        method="POST",
        path=f"{MILESTONE}/rebaseline",
        summary="Re-baseline with a reason; the original stays (R, A or admin)",
        body=MilestoneDateIn,
        target=_milestone,
        prepare=milestone_dates("date", "date"),
        command=lambda call: c.RebaselineMilestone(
            milestone_id=call.values["milestone_id"],
            baseline=call.values["date"],
            reason=call.body.reason,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
    ),
    Operation(
        id="milestones.achieve",
        method="POST",
        path=f"{MILESTONE}/achieve",
        summary="Record the actual date (R, A or admin)",
        body=AchieveIn,
        target=_milestone,
        prepare=milestone_dates("date", "date"),
        command=lambda call: c.AchieveMilestone(
            milestone_id=call.values["milestone_id"],
            actual=call.values["date"],
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
    ),
    # RAID items.
    Operation(
        id="risks.raise",
        method="POST",
        path=f"{PROGRAMME}/risks",
        summary="Raise a risk, issue, assumption or dependency (R, A or admin)",
        body=RiskIn,
        target=_programme,
        command=lambda call: c.RaiseRisk(
            programme_key=call.values["key"],
            kind=call.body.kind,
            description=_described(call.body.title, call.body.description),
            owner=person("owner", call.body.owner),
            ref=call.body.ref,
            impact=call.body.impact,
            likelihood=call.body.likelihood,
            mitigation=call.body.mitigation,
            item_id=call.new_id,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
        creates=True,
        made="Raised",
    ),
    Operation(
        id="risks.update",
        method="POST",
        path=f"{RISK}/updates",
        summary="Log a dated update (R, A or admin)",
        body=RiskUpdateIn,
        target=_risk,
        command=lambda call: c.LogRiskUpdate(
            item_id=call.values["item_id"],
            text=call.body.note,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
    ),
    Operation(
        id="risks.rescore",
        method="POST",
        path=f"{RISK}/rescore",
        summary="Re-score likelihood and impact with a reason (R, A or admin)",
        body=RescoreIn,
        target=_risk,
        command=lambda call: c.RescoreRisk(
            item_id=call.values["item_id"],
            impact=call.body.impact,
            likelihood=call.body.likelihood,
            reason=call.body.reason,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
    ),
    Operation(
        id="risks.close",
        method="POST",
        path=f"{RISK}/close",
        summary="Close with a note (R, A or admin)",
        body=CloseRiskIn,
        target=_risk,
        command=lambda call: c.CloseRisk(
            item_id=call.values["item_id"],
            note=call.body.note,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
    ),
    # Closing: notes, and the closure report's sign-off.
    Operation(
        id="closing.learning_point",
        method="POST",
        path=f"{PROGRAMME}/learning-points",
        summary="Record a learning point (R, A or admin)",
        body=LearningPointIn,
        target=_programme,
        command=lambda call: c.RecordLearningPoint(
            programme_key=call.values["key"],
            description=call.body.description,
            recommendation=call.body.recommendation,
            responsible=call.body.responsible,
            number=call.body.number,
            learning_point_id=call.new_id,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
        creates=True,
        made="Recorded",
    ),
    Operation(
        id="closing.recommendation",
        method="POST",
        path=f"{PROGRAMME}/recommendations",
        summary="Record a close-out recommendation (R, A or admin)",
        body=RecommendationIn,
        target=_programme,
        command=lambda call: c.RecordCloseOutRecommendation(
            programme_key=call.values["key"],
            description=call.body.description,
            responsible=call.body.responsible,
            number=call.body.number,
            recommendation_id=call.new_id,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
        creates=True,
        made="Recorded",
    ),
    Operation(
        id="closing.next_step",
        method="POST",
        path=f"{PROGRAMME}/next-steps",
        summary="Record an agreed next step (R, A or admin)",
        body=NextStepIn,
        target=_programme,
        command=lambda call: c.RecordNextStep(
            programme_key=call.values["key"],
            description=call.body.description,
            responsible=call.body.responsible,
            number=call.body.number,
            deliverable_id=call.body.deliverable,
            next_step_id=call.new_id,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
        creates=True,
        made="Recorded",
    ),
    Operation(
        id="closure.submit",
        method="POST",
        path=f"{PROGRAMME}/closure/submit",
        summary="Submit the closure report for sign-off (R, A or admin)",
        body=ClosureSubmitIn,
        target=_programme,
        command=lambda call: c.SubmitClosureReport(
            programme_key=call.values["key"],
            summary=call.body.summary,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
    ),
    Operation(
        id="closure.endorse",
        method="POST",
        path=f"{PROGRAMME}/closure/endorse",
        summary="Endorse the closure report (every R and C of the roster, or a deputy)",
        body=SignIn,
        target=_programme,
        command=lambda call: c.EndorseClosureReport(
            programme_key=call.values["key"],
            on_behalf_of=call.body.on_behalf_of,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
    ),
    Operation(
        id="closure.approve",
        method="POST",
        path=f"{PROGRAMME}/closure/approve",
        summary="Approve the closure report (the A, or a deputy); missing endorsements need an "
        "override_reason",
        body=ClosureApproveIn,
        target=_programme,
        command=lambda call: c.ApproveClosureReport(
            programme_key=call.values["key"],
            on_behalf_of=call.body.on_behalf_of,
            override_reason=call.body.override_reason,
            actor=call.actor,
            occurred_at=call.body.occurred_at,
        ),
    ),
)

BY_ID: Final[dict[str, Operation]] = {op.id: op for op in OPERATIONS}
ROUTES: Final[list[HTTPRouteHandler]] = [route(op) for op in OPERATIONS]
