"""Phase gates: a stage of a programme ("Design complete", "Ready for go-live") that passes when
what it depends on is done and its board approves it. Pure: state is a fold over the gate's
stream (``gate:<uuid>``); what a gate waits for is decided from its criteria's states.

- A gate names deliverables and milestones of its programme (at least one of either) and one or
  more approvers. Defining one is a plan change (R or A), refused on a closed programme.
- A criterion is **met** when its deliverable is signed off, or deferred (a deferral always
  carries its reason), or its milestone is achieved. ``waiting_for`` says in a sentence what an
  unmet one waits for.
- An approval is refused (``GateNotReady``, naming every unmet criterion) until every criterion
  is met, both now and on the day the approval is dated: a back-dated approval cannot approve a
  gate whose criteria were not yet met that day. Only a named approver, or their deputy on the
  approval's day, approves (``tracker.signoff.resolve_acting``); approving twice writes nothing.
- The approval that leaves no approver waiting also records ``GatePassed``. A passed gate stays
  passed: reopening or returning one of its items later is a data-quality finding
  (``tracker.projections.reports.data_quality``), not a change of the gate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal, assert_never
from uuid import UUID

import msgspec

from tracker.commands import ApproveGate, DefineGate
from tracker.context import Context
from tracker.deliverable_plan import signatories
from tracker.deliverables import DeliverableState
from tracker.errors import InvalidInput, NotFound, RuleBroken
from tracker.events.gates import GateApproved, GateDefined, GatePassed
from tracker.events.programmes import GateListed
from tracker.events.values import DateValue, PersonRef
from tracker.milestones import MilestoneState
from tracker.programmes import ProgrammeEvent, ProgrammeState, one_line
from tracker.signoff import NameOf, resolve_acting

GateEvent = GateDefined | GateApproved | GatePassed
GATE_EVENT_TYPES: Final = (GateDefined, GateApproved, GatePassed)

GateStatus = Literal["open", "ready", "passed"]
"""open: a criterion is unmet; ready: every criterion met, approvals awaited; passed."""

MAX_ORDER: Final = 1000
MAX_CRITERIA: Final = 500
MAX_APPROVERS: Final = 20


def gate_stream(gate_id: UUID) -> str:
    return f"gate:{gate_id}"


class GateApproval(msgspec.Struct, frozen=True, kw_only=True):
    approver: str
    """Whose approval it counts as."""
    actor: str


class GateState(msgspec.Struct, frozen=True, kw_only=True):
    gate_id: UUID | None = None
    programme_key: str = ""
    title: str = ""
    order: int = 0
    deliverables: tuple[UUID, ...] = ()
    milestones: tuple[UUID, ...] = ()
    approvers: tuple[PersonRef, ...] = ()
    endorsers: tuple[PersonRef, ...] = ()
    """Always empty: a gate is approved, not endorsed (the permission check reads both)."""
    approvals: tuple[GateApproval, ...] = ()
    passed: bool = False

    @property
    def exists(self) -> bool:
        return self.gate_id is not None

    def has_approved(self, person: str) -> bool:
        return any(a.approver == person for a in self.approvals)

    def name_in(self, email: str) -> str | None:
        return next((p.name for p in self.approvers if p.email == email and p.name), None)


def evolve(state: GateState, event: GateEvent) -> GateState:
    replace = msgspec.structs.replace
    match event:
        case GateDefined():
            return GateState(
                gate_id=event.gate_id,
                programme_key=event.programme_key,
                title=event.title,
                order=event.order,
                deliverables=event.deliverables,
                milestones=event.milestones,
                approvers=event.approvers,
            )
        case GateApproved():
            approval = GateApproval(approver=event.on_behalf_of or event.actor, actor=event.actor)
            return replace(state, approvals=(*state.approvals, approval))
        case GatePassed():
            return replace(state, passed=True)
        case _:
            assert_never(event)


# What a gate waits for.


class Criterion(msgspec.Struct, frozen=True, kw_only=True):
    """One deliverable or milestone a gate depends on, as it stands: enough to say whether it
    is met and, if not, what it waits for. Made from the write side's states
    (``deliverable_criterion``, ``milestone_criterion``) and from the read model's views."""

    kind: Literal["deliverable", "milestone"]
    id: str
    title: str
    status: str
    """A deliverable's (planned, submitted, returned, signed_off, deferred); a milestone's
    ``achieved`` or ``open``; ``missing`` when its stream holds nothing."""
    awaiting: str = ""
    """A submitted deliverable: "approval from: Jo Bloggs"; an open milestone: its forecast."""


def waiting_for(criterion: Criterion) -> str | None:
    """None when met, else a sentence naming the item and what it waits for."""
    name = f"{criterion.kind.capitalize()} {criterion.title!r}"
    match criterion.status:
        case "signed_off" | "deferred" | "achieved":
            return None
        case "planned":
            return f"{name} is planned: it waits to be submitted and signed off"
        case "submitted":
            return f"{name} is submitted: it waits for {criterion.awaiting or 'sign-off'}"
        case "returned":
            return f"{name} was returned: it waits to be resubmitted and signed off"
        case "open":
            forecast = f" (forecast {criterion.awaiting})" if criterion.awaiting else ""
            return f"{name} is not achieved{forecast}: it waits to be achieved"
        case _:
            return f"{criterion.kind.capitalize()} {criterion.id} does not exist"


def blocking(criteria: Sequence[Criterion]) -> list[str]:
    return [text for text in (waiting_for(c) for c in criteria) if text is not None]


def status_of(passed: bool, unmet: Sequence[str]) -> GateStatus:
    if passed:
        return "passed"
    return "open" if unmet else "ready"


def deliverable_criterion(state: DeliverableState, name_of: NameOf) -> Criterion:
    awaiting = ""
    if state.status == "submitted":
        current = state.round
        endorsers, approvers = current.missing_endorsers(), current.missing_approvers()
        waiting = ("endorsement", endorsers) if endorsers else ("approval", approvers)
        awaiting = f"{waiting[0]} from: " + ", ".join(name_of(p) for p in waiting[1])
    return Criterion(
        kind="deliverable",
        id=str(state.deliverable_id),
        title=state.title,
        status=state.status if state.exists else "missing",
        awaiting=awaiting,
    )


def milestone_criterion(state: MilestoneState) -> Criterion:
    forecast = state.forecast
    return Criterion(
        kind="milestone",
        id=str(state.milestone_id),
        title=state.title,
        status=("achieved" if state.actual is not None else "open") if state.exists else "missing",
        awaiting=str(forecast) if isinstance(forecast, DateValue) else "",
    )


class GateNotReady(RuleBroken):
    """An approval refused because criteria are unmet; ``blocking`` names each one."""

    def __init__(self, title: str, unmet: Sequence[str]) -> None:
        super().__init__(
            "gate_not_ready",
            f"gate {title!r} cannot be approved yet: " + "; ".join(unmet),
        )
        self.blocking = tuple(unmet)


# Decisions.


class GateCreation(msgspec.Struct, frozen=True, kw_only=True):
    programme_events: list[ProgrammeEvent]
    item_events: list[GateEvent]


def _unique(ids: Sequence[UUID], what: str) -> tuple[UUID, ...]:
    if len(set(ids)) != len(ids):
        raise InvalidInput(f"a {what} is named twice")
    return tuple(ids)


def _listed(ids: Sequence[UUID], listed: Sequence[UUID], what: str, programme: str) -> None:
    missing = [str(i) for i in ids if i not in listed]
    if missing:
        raise NotFound(
            f"{what} {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not in "
            f"{programme!r}",
            code=f"gate_{what}_not_found",
        )


def decide_define(
    programme: ProgrammeState,
    existing: GateState,
    command: DefineGate,
    context: Context,
    *,
    new_id: UUID,
) -> GateCreation:
    programme.require_registered(command.programme_key)
    programme.require_open("defining a gate")
    if existing.exists:
        raise RuleBroken("already_exists", f"gate {new_id} already exists")
    if not 1 <= command.order <= MAX_ORDER:
        raise InvalidInput(f"a gate's order is from 1 to {MAX_ORDER}, not {command.order}")
    deliverables = _unique(command.deliverables, "deliverable")
    milestones = _unique(command.milestones, "milestone")
    if not deliverables and not milestones:
        raise InvalidInput("a gate needs at least one deliverable or milestone to wait for")
    if len(deliverables) + len(milestones) > MAX_CRITERIA:
        raise InvalidInput(f"a gate waits for at most {MAX_CRITERIA} deliverables and milestones")
    label = programme.name or programme.key
    _listed(deliverables, programme.deliverables, "deliverable", label)
    _listed(milestones, programme.milestones, "milestone", label)
    approvers, _ = signatories(command.approvers, ())
    if not approvers:
        raise InvalidInput("a gate needs at least one approver")
    if len(approvers) > MAX_APPROVERS:
        raise InvalidInput(f"a gate has at most {MAX_APPROVERS} approvers")
    listed: list[ProgrammeEvent] = []
    if new_id not in programme.gates:
        listed.append(GateListed(programme_key=programme.key, gate_id=new_id))
    defined = GateDefined(
        gate_id=new_id,
        programme_key=programme.key,
        title=one_line(command.title, "gate title"),
        order=command.order,
        deliverables=deliverables,
        milestones=milestones,
        approvers=approvers,
    )
    return GateCreation(programme_events=listed, item_events=[defined])


def gate_names(programme: ProgrammeState, gate: GateState) -> NameOf:
    """The roster's spelling first, then the gate's, then a deputy's, then the e-mail."""

    def name_of(email: str) -> str:
        member = programme.member(email)
        if member is not None:
            return member.name
        return gate.name_in(email) or programme.name_of(email)

    return name_of


def decide_approve(
    programme: ProgrammeState,
    gate: GateState,
    command: ApproveGate,
    context: Context,
    *,
    now: Sequence[Criterion],
    then: Sequence[Criterion] | None = None,
) -> list[GateEvent]:
    """``now``: the criteria as they stand; ``then``: as they stood at the approval's effective
    time, when it is dated back (a criterion met now but not then is refused too)."""
    if not gate.exists:
        raise NotFound(f"gate {command.gate_id} does not exist", code="gate_not_found")
    actor = context.require_actor("approving a gate")
    name_of = gate_names(programme, gate)
    acting = resolve_acting(
        actor=actor,
        on_behalf_of=command.on_behalf_of,
        role="approver",
        named=[p.email for p in gate.approvers],
        done=[a.approver for a in gate.approvals],
        delegations=programme.delegations,
        days=context.days,
        item=f"gate {gate.title!r}",
        name_of=name_of,
    )
    if gate.passed or gate.has_approved(acting.signatory):
        return []
    unmet = blocking(now)
    if then is not None:
        dated = context.on.isoformat()
        unmet += [
            f"{text} (as it stood on {dated}, the day the approval is dated)"
            for text in blocking(then)
            if text not in unmet
        ]
    if unmet:
        raise GateNotReady(gate.title, unmet)
    approved = GateApproved(
        gate_id=gate.gate_id or command.gate_id,
        programme_key=gate.programme_key,
        actor=acting.actor,
        on_behalf_of=acting.on_behalf_of,
    )
    events: list[GateEvent] = [approved]
    waiting = [
        p.email
        for p in gate.approvers
        if p.email != acting.signatory and not gate.has_approved(p.email)
    ]
    if not waiting:
        events.append(GatePassed(gate_id=approved.gate_id, programme_key=gate.programme_key))
    return events
