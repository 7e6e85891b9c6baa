"""Every write of the API, one row each: its operation id (``deliverables.approve``: the OpenAPI
``operationId``, the part before the dot its tag), method and path, body, and the command it
gives. The routes are made from the rows (``route``), and the pages' sign-off actions run the
same rows (``api.pages.actions``). Who may give a command is not here: the domain decides it
(``tracker.permissions``), and the summaries say it from there (``WHO``).

A command is made by name (``Operation.make``): each of its fields from the path's value or the
body's field of the same name, unless the row's ``fields`` says otherwise; the few that need a
choice or a check have their own function. It is made once the target is loaded
(``Call.target``): submitting a returned deliverable resubmits it, and a roster PUT assigns or
changes. ``prepare`` runs before the write begins, for what must be looked up first (whether the
deputy is registered).
"""

from __future__ import annotations

import functools
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
from api.schemas import WriteResult, bodies
from api.writes import Plan, Writer
from tracker import commands as c
from tracker.auth.tokens import registered_name
from tracker.events.closure import ReportSection
from tracker.permissions import ACTIONS, WHO

PATH_PARAMETERS: Final[dict[str, Any]] = {
    "key": ProgrammeKey,
    "email": EmailPath,
    "deliverable_id": FromPath[UUID],
    "milestone_id": FromPath[UUID],
    "item_id": FromPath[UUID],
    "gate_id": FromPath[UUID],
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


Fields = Mapping[str, str | Callable[[Call], Any]]


@dataclass(frozen=True, kw_only=True)
class Operation:
    id: str
    method: Literal["POST", "PUT", "DELETE"]
    path: str
    what: str
    """What it does; the summary adds who may (``tracker.permissions.WHO``)."""
    body: type[msgspec.Struct]
    gives: type[c.Command]
    """The command it gives (for a choice of two, the one whose permission both share)."""
    fields: Fields = field(default_factory=dict)
    """Where a field of the command comes from when not from its own name: another name (of
    the path's values or the body) or a function of the call."""
    new_id: str | None = None
    """The command's field that takes the id made for something new."""
    command: Callable[[Call], c.Command] | None = None
    """Makes the command where the rule by name does not (a choice, or a check first)."""
    target: Callable[[Mapping[str, Any], Any], targets.TargetRef] | None = None
    """The stream it acts on, from the values and the body; by default the most specific one
    its path names (the item, else the programme)."""
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

    def __post_init__(self) -> None:
        if self.command is None:
            _check_by_name(self)

    @property
    def tag(self) -> str:
        return self.id.split(".")[0]

    @property
    def summary(self) -> str:
        return f"{self.what} ({WHO[ACTIONS[self.gives]]})"

    @property
    def path_names(self) -> list[str]:
        return re.findall(r"{(\w+)(?::\w+)?}", self.path)

    def target_of(self, values: Mapping[str, Any], body: Any) -> targets.TargetRef:
        if self.target is not None:
            return self.target(values, body)
        for name, ref in ITEM_TARGETS.items():
            if name in values:
                return ref(values[name])
        return targets.programme(values["key"])

    def make(self, call: Call) -> c.Command:
        """The command: ``command``'s, or ``gives`` made by name: each of its fields from
        ``fields`` (the body's field so named, or a function of the call), else the value of
        its own name: the path's (``programme_key`` is the path's ``key``), then the body's;
        ``new_id`` takes the new id and ``actor`` is the caller."""
        if self.command is not None:
            return self.command(call)
        given: dict[str, Any] = {"actor": call.actor}
        for name in _command_fields(self.gives):
            source = self.fields.get(name)
            own = ALIASES.get(name, name)
            if callable(source):
                given[name] = source(call)
            elif source is not None:
                given[name] = getattr(call.body, source)
            elif name == self.new_id:
                given[name] = call.new_id
            elif own in call.values:
                given[name] = call.values[own]
            elif hasattr(call.body, name):
                given[name] = getattr(call.body, name)
        return self.gives(**given)


ALIASES: Final = {"programme_key": "key"}
"""A command field named otherwise in the path."""
ITEM_TARGETS: Final[dict[str, Callable[[UUID], targets.TargetRef]]] = {
    "deliverable_id": targets.deliverable,
    "milestone_id": targets.milestone,
    "item_id": targets.risk,
    "gate_id": targets.gate,
}
COMMAND_BASE: Final = frozenset(f.name for f in msgspec.structs.fields(c.Command)) - {"occurred_at"}


@functools.cache
def _command_fields(kind: type[c.Command]) -> tuple[str, ...]:
    """A command's own fields and ``occurred_at`` (looked up once: it reads type hints)."""
    return tuple(f.name for f in msgspec.structs.fields(kind) if f.name not in COMMAND_BASE)


def _check_by_name(op: Operation) -> None:
    """Refuse, when the module loads, a row whose command has a required field nothing fills,
    or that names a body field there is not (a slip would otherwise be a 500 at the first
    call)."""
    body = {f.name for f in msgspec.structs.fields(op.body)}
    for name, source in op.fields.items():
        if isinstance(source, str) and source not in body:
            raise TypeError(f"{op.id}: {op.body.__name__} has no {source} (for {name})")
    for f in msgspec.structs.fields(op.gives):
        filled = (
            f.name in op.fields
            or f.name == op.new_id
            or ALIASES.get(f.name, f.name) in op.path_names
            or f.name in body
        )
        if f.required and not filled and f.name not in COMMAND_BASE:
            raise TypeError(f"{op.id}: nothing gives {op.gives.__name__}.{f.name}")


async def perform(
    op: Operation, writer: Writer, values: Mapping[str, Any], body: Any
) -> Response[bytes]:
    """Run one operation as the request's writer: prepare, then load, build, decide, append."""
    found = dict(values)
    if "email" in found:
        found["email"] = email_parameter("path.email", found["email"])
    if op.prepare is not None:
        found.update(await op.prepare(writer, found, body))
    new_id = await writer.new_uuid()

    def build(actor: str, target: targets.Target) -> c.Command:
        return op.make(Call(actor=actor, values=found, body=body, target=target, new_id=new_id))

    creates = op.creates
    plan = Plan(
        ref=op.target_of(found, body),
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


# Making commands where the rule by name does not.


def _milestone_date(name: str, assumed: str = "assumed") -> Callable[[Call], Any]:
    """The milestone date in the body's field ``name`` (``YYYY-MM-DD``, or ``YYYY-MM``,
    ``YYYY-Qn`` or ``YYYY`` for a month, quarter or year), assumed when the body's field
    ``assumed`` is true; one that does not parse is a 400 naming the field."""
    return lambda call: milestone_date(
        name, getattr(call.body, name), assumed=getattr(call.body, assumed, False)
    )


async def _deputy(
    writer: Writer, _: Mapping[str, Any], body: bodies.DelegationIn
) -> Mapping[str, Any]:
    """The addresses, checked before the write begins, and whether the tracker knows the
    deputy (``_appoint`` refuses one it does not, once the caller's rights are checked)."""
    on_behalf_of = email("for", body.for_)
    deputy = email("deputy", body.deputy)
    known = await registered_name(writer.store, deputy)
    return {"for": on_behalf_of, "deputy": deputy, "known": known}


def _appoint(call: Call) -> c.Command:
    b: bodies.DelegationIn = call.body
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
    b: bodies.ProgrammeIn = call.body
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
    b: bodies.RosterIn = call.body
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
    state = call.target.deliverable
    returned = state is not None and state.status == "returned"
    made = c.ResubmitDeliverable if returned else c.SubmitDeliverable
    return made(
        deliverable_id=call.values["deliverable_id"],
        note=call.body.note,
        actor=call.actor,
        occurred_at=call.body.occurred_at,
    )


def _described(call: Call) -> str:
    """A RAID item's title becomes the first words of its one description field."""
    title, description = call.body.title.strip(), call.body.description.strip()
    return f"{title}: {description}" if description else title


PROGRAMME: Final = "/programmes/{key:str}"
ITEM_PATHS: Final = {
    "deliverables": "/deliverables/{deliverable_id:uuid}",
    "milestones": "/milestones/{milestone_id:uuid}",
    "risks": "/risks/{item_id:uuid}",
    "gates": "/gates/{gate_id:uuid}",
}


def _on_programme(
    id: str, path: str, body: type[msgspec.Struct], gives: type[c.Command], what: str, **more: Any
) -> Operation:
    """A POST to ``/programmes/{key}/<path>``."""
    return Operation(
        id=id, method="POST", path=f"{PROGRAMME}/{path}", what=what, body=body, gives=gives, **more
    )


def _on_item(
    id: str, body: type[msgspec.Struct], gives: type[c.Command], what: str, **more: Any
) -> Operation:
    """A POST to the item's own path and the action's name: ``deliverables.endorse`` is
    ``/deliverables/{deliverable_id}/endorse`` (``path`` names another last part)."""
    resource, action = id.split(".")
    path = f"{ITEM_PATHS[resource]}/{more.pop('path', action)}"
    return Operation(id=id, method="POST", path=path, what=what, body=body, gives=gives, **more)


def _dated(
    action: str,
    gives: type[c.Command],
    field: str,
    what: str,
    body: type[msgspec.Struct] = bodies.MilestoneDateIn,
) -> Operation:
    """A milestone's dated action, ``/milestones/{milestone_id}/<action>``: the body's
    ``date`` (``YYYY-MM-DD``, or ``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``) fills the command's
    ``field``."""
    dated = {field: _milestone_date("date")}
    return _on_item(f"milestones.{action}", body, gives, what, fields=dated)


def _creating(made: str, new_id: str) -> dict[str, Any]:
    """A row that makes something: a 201 named ``made``, its id in ``new_id``."""
    return {"creates": True, "made": made, "new_id": new_id}


REASON: Final = {
    "reason": (Annotated[str, QueryParameter(max_length=2000, description="why (optional)")], "")
}

OPERATIONS: Final[tuple[Operation, ...]] = (
    # Programmes, their rosters, deputies, workstreams and outcomes.
    Operation(
        id="programmes.register",
        method="POST",
        path="/programmes",
        what="Register a programme",
        body=bodies.ProgrammeIn,
        gives=c.RegisterProgramme,
        command=_register,
        target=lambda _, b: targets.new_programme(b.key),
        creates=True,
        answer_id=lambda _, b: str(b.key),
        location=lambda _, b: f"/api/v1/programmes/{b.key}",
    ),
    Operation(
        id="roster.put",
        method="PUT",
        path=f"{PROGRAMME}/roster/{{email:str}}",
        what="Put a person on the roster, or change their letter, title or name",
        body=bodies.RosterIn,
        gives=c.AssignRosterMember,
        command=_roster,
        creates=_new_member,
        answer_id=lambda v, _: f"roster:{v['email']}",
    ),
    Operation(
        id="roster.revoke",
        method="DELETE",
        path=f"{PROGRAMME}/roster/{{email:str}}",
        what="Take a person off the roster",
        body=bodies.RosterRevokeIn,
        gives=c.RevokeRosterMember,
        query=REASON,
    ),
    _on_programme(
        "delegations.appoint",
        "delegations",
        bodies.DelegationIn,
        c.AppointDeputy,
        "Appoint a registered person deputy",
        prepare=_deputy,
        command=_appoint,
        creates=True,
    ),
    _on_programme(
        "workstreams.add",
        "workstreams",
        bodies.WorkstreamIn,
        c.AddWorkstream,
        "Add a workstream",
        fields={"workstream": "key", "title": "name"},
        creates=True,
        answer_id=lambda _, b: str(b.key),
    ),
    _on_programme(
        "outcomes.define",
        "outcomes",
        bodies.OutcomeIn,
        c.DefineOutcome,
        "Define a numbered outcome",
        creates=True,
        answer_id=lambda _, b: f"outcome:{b.number}",
    ),
    # Deliverables.
    _on_programme(
        "deliverables.plan",
        "deliverables",
        bodies.DeliverableIn,
        c.PlanDeliverable,
        "Plan a deliverable",
        fields={
            "due_on": "due",
            "outcome_number": "outcome",
            "approvers": lambda call: people("approvers", call.body.approvers),
            "endorsers": lambda call: people("endorsers", call.body.endorsers),
        },
        **_creating("Planned", "deliverable_id"),
    ),
    _on_item(
        "deliverables.submit",
        bodies.SubmitIn,
        c.SubmitDeliverable,
        "Submit for sign-off, or resubmit after a return",
        command=_submit,
    ),
    _on_item("deliverables.endorse", bodies.SignIn, c.EndorseDeliverable, "Endorse"),
    _on_item(
        "deliverables.approve",
        bodies.SignIn,
        c.ApproveDeliverable,
        "Approve; the last approval signs it off",
    ),
    _on_item("deliverables.return", bodies.ReturnIn, c.ReturnDeliverable, "Return with a comment"),
    _on_item(
        "deliverables.defer",
        bodies.DeferIn,
        c.DeferDeliverable,
        "Defer with a reason and a destination",
    ),
    _on_item(
        "deliverables.reinstate",
        bodies.ReinstateIn,
        c.ReinstateDeliverable,
        "Reinstate a deferred deliverable",
    ),
    _on_item(
        "deliverables.reopen",
        bodies.ReasonIn,
        c.ReopenDeliverable,
        "Reopen a signed-off deliverable with a reason",
    ),
    _on_item(
        "deliverables.replan",
        bodies.ReplanIn,
        c.ReplanDeliverable,
        "Re-plan the due date with a reason",
        fields={"due_on": "due"},
    ),
    # Milestones: dates to the day, month (YYYY-MM), quarter (YYYY-Qn) or year (YYYY).
    _on_programme(
        "milestones.baseline",
        "milestones",
        bodies.MilestoneIn,
        c.BaselineMilestone,
        "Baseline a milestone",
        fields={"baseline": _milestone_date("baseline", "baseline_assumed")},
        **_creating("Baselined", "milestone_id"),
    ),
    _dated("forecast", c.ReforecastMilestone, "forecast", "Re-forecast with a reason"),
    _dated("rebaseline", c.RebaselineMilestone, "baseline", "Re-baseline; the original stays"),
    _dated("achieve", c.AchieveMilestone, "actual", "Record the actual date", bodies.AchieveIn),
    # RAID items.
    _on_programme(
        "risks.raise",
        "risks",
        bodies.RiskIn,
        c.RaiseRisk,
        "Raise a risk, issue, assumption or dependency",
        fields={"description": _described, "owner": lambda call: person("owner", call.body.owner)},
        **_creating("Raised", "item_id"),
    ),
    _on_item(
        "risks.update",
        bodies.RiskUpdateIn,
        c.LogRiskUpdate,
        "Log a dated update",
        path="updates",
        fields={"text": "note"},
    ),
    _on_item(
        "risks.rescore",
        bodies.RescoreIn,
        c.RescoreRisk,
        "Re-score likelihood and impact with a reason",
    ),
    _on_item("risks.close", bodies.CloseRiskIn, c.CloseRisk, "Close with a note"),
    # Phase gates.
    _on_programme(
        "gates.define",
        "gates",
        bodies.GateIn,
        c.DefineGate,
        "Define a phase gate: the deliverables and milestones it waits for, who approves it",
        fields={"approvers": lambda call: people("approvers", call.body.approvers)},
        **_creating("Defined", "gate_id"),
    ),
    _on_item(
        "gates.approve",
        bodies.SignIn,
        c.ApproveGate,
        "Approve a gate; refused naming what it waits for; the last approval passes it",
    ),
    # Closing: notes, and the closure report's sign-off.
    _on_programme(
        "closing.learning_point",
        "learning-points",
        bodies.LearningPointIn,
        c.RecordLearningPoint,
        "Record a learning point",
        **_creating("Recorded", "learning_point_id"),
    ),
    _on_programme(
        "closing.recommendation",
        "recommendations",
        bodies.RecommendationIn,
        c.RecordCloseOutRecommendation,
        "Record a close-out recommendation",
        **_creating("Recorded", "recommendation_id"),
    ),
    _on_programme(
        "closing.next_step",
        "next-steps",
        bodies.NextStepIn,
        c.RecordNextStep,
        "Record an agreed next step",
        fields={"deliverable_id": "deliverable"},
        **_creating("Recorded", "next_step_id"),
    ),
    _on_programme(
        "closure.submit",
        "closure/submit",
        bodies.ClosureSubmitIn,
        c.SubmitClosureReport,
        "Submit the closure report for sign-off",
        fields={
            "presenters": lambda call: tuple(call.body.presenters),
            "sections": lambda call: tuple(
                ReportSection(part=s.part, number=s.number, title=s.title)
                for s in call.body.sections
            ),
        },
    ),
    _on_programme(
        "closure.endorse",
        "closure/endorse",
        bodies.SignIn,
        c.EndorseClosureReport,
        "Endorse the closure report",
    ),
    _on_programme(
        "closure.approve",
        "closure/approve",
        bodies.ClosureApproveIn,
        c.ApproveClosureReport,
        "Approve the closure report; missing endorsements need an override_reason",
    ),
)

BY_ID: Final[dict[str, Operation]] = {op.id: op for op in OPERATIONS}
ROUTES: Final[list[HTTPRouteHandler]] = [route(op) for op in OPERATIONS]
