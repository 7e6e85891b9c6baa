"""Permissions: who may do what to which programme or item. Pure, next to the sign-off rules
(``tracker.signoff``), and evaluated by the handlers in their load-and-decide step
(``HandlerBase.context``), so every caller meets the same rules; the API's reads use the same
functions on the programmes' digests.

Scopes: ``admin`` may do everything (sign-offs still follow the domain: only the named person
or their deputy signs, whoever the caller is); ``reader`` may only read; ``member`` has the
rights the programme's roster gives them:

| action | member needs |
|---|---|
| read the programme | any letter, a delegation there (as deputy), or named on a deliverable |
| change the plan (items, notes, submit, closure submit) | R or A |
| change the roster | A |
| appoint a deputy | A; or R or C appointing their own deputy (I cannot: they sign nothing) |
| endorse a deliverable | R, A or C, or being its named endorser, or a deputy there |
| approve a deliverable | R or A, or being its named approver, or a deputy there |
| return a deliverable | R, A or C, or being named on it, or a deputy there |
| endorse the closure report | R, A or C, or a deputy there |
| approve the closure report | A, or a deputy there |
| approve a phase gate | R or A, or being its named approver, or a deputy there |
| register a programme, manage tokens | admin only |

"As a deputy" always means by a delegation on that programme covering today (from its start to
its end date inclusive, and before any revocation takes effect), judged on the roster and
delegations as they stand now, whatever time a question is about.

A back-dated command (``occurred_at`` before today) needs the authority on the day it is dated
as well as today, and more working days back than the rule allows (``tracker.backdating``)
needs an admin: an effective date cannot borrow authority the caller does not hold now.

Passing this gate is not the end: the domain then refuses, as a rule (409), an endorsement or
approval by someone it does not name, or a deputy outside their delegation's dates.

The command line and the seed act as ``admin`` (``Command.acting_as``'s default): they are the
operator of their database. The API sets it from the caller's token on every command.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Final, Protocol

import msgspec

from tracker import commands as c
from tracker.backdating import BackdatingRule
from tracker.commands import Scope
from tracker.errors import Forbidden
from tracker.events.values import PersonRef
from tracker.programmes import ProgrammeState
from tracker.projections.read_model.digest import Digest


class Caller(Protocol):
    """Who acts: a person and the scope of their token (``api.auth.Principal`` is one)."""

    @property
    def person(self) -> str: ...

    @property
    def scope(self) -> Scope: ...


class Acting(msgspec.Struct, frozen=True, kw_only=True):
    """A caller made from a command: its actor and ``acting_as``."""

    person: str
    scope: Scope


class Action(enum.Enum):
    READ = "read"
    PLAN = "change the plan of"
    ROSTER = "change the roster of"
    DELEGATE = "appoint a deputy on"
    ENDORSE = "endorse a deliverable of"
    APPROVE = "approve a deliverable of"
    RETURN = "return a deliverable of"
    CLOSURE_ENDORSE = "endorse the closure report of"
    CLOSURE_APPROVE = "approve the closure report of"
    GATE_APPROVE = "approve a phase gate of"
    ADMIN = "administer"


LETTERS: Final[dict[Action, frozenset[str]]] = {
    Action.READ: frozenset("RACI"),
    Action.PLAN: frozenset("RA"),
    Action.ROSTER: frozenset("A"),
    Action.DELEGATE: frozenset("A"),
    Action.ENDORSE: frozenset("RAC"),
    Action.APPROVE: frozenset("RA"),
    Action.RETURN: frozenset("RAC"),
    Action.CLOSURE_ENDORSE: frozenset("RAC"),
    Action.CLOSURE_APPROVE: frozenset("A"),
    Action.GATE_APPROVE: frozenset("RA"),
    Action.ADMIN: frozenset(),
}

WHO: Final[dict[Action, str]] = {
    Action.READ: "any letter, a deputy there, or named on a deliverable",
    Action.PLAN: "R, A or admin",
    Action.ROSTER: "A or admin",
    Action.DELEGATE: "the A, or an R or C for themselves; admin",
    Action.ENDORSE: "a named endorser, or their deputy",
    Action.APPROVE: "a named approver, or their deputy",
    Action.RETURN: "a named endorser or approver, or their deputy",
    Action.CLOSURE_ENDORSE: "every R and C of the roster, or a deputy",
    Action.CLOSURE_APPROVE: "the A, or a deputy",
    Action.GATE_APPROVE: "a named gate approver, or their deputy",
    Action.ADMIN: "admin",
}
"""Who may, in a few words (the API's summaries say it after what an operation does)."""

SIGNERS: Final = frozenset("RAC")
"""The letters that endorse or approve."""

DEPUTY_MAY: Final = frozenset(
    {
        Action.READ,
        Action.ENDORSE,
        Action.APPROVE,
        Action.RETURN,
        Action.CLOSURE_ENDORSE,
        Action.CLOSURE_APPROVE,
        Action.GATE_APPROVE,
    }
)


class Named(Protocol):
    """What names its signatories: a deliverable, or a phase gate (approvers only)."""

    @property
    def endorsers(self) -> Sequence[PersonRef]: ...

    @property
    def approvers(self) -> Sequence[PersonRef]: ...


class Involvement(msgspec.Struct, frozen=True, kw_only=True):
    """How one person stands on one programme (and, for a deliverable, on that item)."""

    letter: str | None = None
    deputy: bool = False
    """Someone's deputy on the programme by a delegation covering today."""
    named_endorser: bool = False
    named_approver: bool = False
    named_anywhere: bool = False


def involvement(
    person: str,
    today: date,
    programme: ProgrammeState,
    item: Named | None = None,
    *,
    on: date | None = None,
) -> Involvement:
    """How ``person`` stands today; with ``on``, how they stood on that day instead (the
    roster letter they held then, a delegation covering it): a back-dated action needs both."""
    if on is None:
        member = programme.member(person)
        letter = member.raci if member is not None else None
        day = today
    else:
        letter, day = programme.letter_on(person, on), on
    endorsers = {p.email for p in item.endorsers} if item is not None else set()
    approvers = {p.email for p in item.approvers} if item is not None else set()
    return Involvement(
        letter=letter,
        deputy=any(d.deputy == person and d.covers(day) for d in programme.delegations),
        named_endorser=person in endorsers,
        named_approver=person in approvers,
        named_anywhere=person in endorsers | approvers,
    )


def digest_involvement(person: str, today: date, found: Digest) -> Involvement:
    """The same, from a programme's digest as it stands now (for queries)."""
    return Involvement(
        letter=found.roster.get(person),
        deputy=found.deputy_on(person, today),
        named_anywhere=person in found.named,
    )


def allowed(
    principal: Caller, action: Action, who: Involvement, *, deputising_for: str | None = None
) -> bool:
    if principal.scope == "admin":
        return True
    if principal.scope == "reader" or action is Action.ADMIN:
        return action is Action.READ and principal.scope == "reader"
    if who.letter is not None and who.letter in LETTERS[action]:
        return True
    if who.deputy and action in DEPUTY_MAY:
        return True
    match action:
        case Action.READ:
            return who.named_anywhere
        case Action.ENDORSE:
            return who.named_endorser
        case Action.APPROVE | Action.GATE_APPROVE:
            return who.named_approver
        case Action.RETURN:
            return who.named_anywhere
        case Action.DELEGATE:
            # Only those who sign have anything to delegate; an I member appointing a
            # "deputy" would only be handing an outsider read access.
            return who.letter in SIGNERS and deputising_for == principal.person
        case _:
            return False


def _standing(who: Involvement) -> str:
    if who.letter is not None:
        return f"is {who.letter} on the roster of"
    if who.deputy:
        return "is a deputy on"
    return "is not on the roster of"


def require(
    principal: Caller,
    action: Action,
    who: Involvement,
    programme: str,
    *,
    deputising_for: str | None = None,
    on: date | None = None,
) -> None:
    """Raise ``Forbidden`` naming the caller's standing (on the day ``on``, when a back-dated
    action is judged on the roster of its day) and what the action needs."""
    if allowed(principal, action, who, deputising_for=deputising_for):
        return
    if principal.scope == "reader":
        raise Forbidden(
            f"{principal.person} has a read-only token: it cannot {action.value} {programme!r}"
        )
    if action is Action.ADMIN:
        raise Forbidden(f"{principal.person} cannot {action.value}: that needs an admin token")
    needs = "".join(sorted(LETTERS[action], key="RACI".index)) or "admin"
    when = f" on {on.isoformat()}, the day the action is dated" if on is not None else ""
    raise Forbidden(
        f"{principal.person} {_standing(who)} {programme!r}{when}: to {action.value} it needs "
        f"{' or '.join(needs)} on its roster"
        + (", or being named on the item" if action in DEPUTY_MAY else "")
    )


def readable(principal: Caller, today: date, digests: Iterable[Digest]) -> list[Digest]:
    """The programmes a caller may read now (members: their programmes only)."""
    return [
        d
        for d in digests
        if allowed(principal, Action.READ, digest_involvement(principal.person, today, d))
    ]


ACTIONS: Final[dict[type[c.Command], Action]] = {
    c.RegisterProgramme: Action.ADMIN,
    c.DescribeProgramme: Action.PLAN,
    c.AddWorkstream: Action.PLAN,
    c.DefineOutcome: Action.PLAN,
    c.RecordLearningPoint: Action.PLAN,
    c.RecordCloseOutRecommendation: Action.PLAN,
    c.RecordNextStep: Action.PLAN,
    c.AssignRosterMember: Action.ROSTER,
    c.ChangeRosterMember: Action.ROSTER,
    c.RevokeRosterMember: Action.ROSTER,
    c.AppointDeputy: Action.DELEGATE,
    c.RevokeDeputy: Action.DELEGATE,
    c.PlanDeliverable: Action.PLAN,
    c.ReplanDeliverable: Action.PLAN,
    c.ChangeDeliverableSignatories: Action.PLAN,
    c.SubmitDeliverable: Action.PLAN,
    c.ResubmitDeliverable: Action.PLAN,
    c.DeferDeliverable: Action.PLAN,
    c.ReinstateDeliverable: Action.PLAN,
    c.ReopenDeliverable: Action.PLAN,
    c.EndorseDeliverable: Action.ENDORSE,
    c.ApproveDeliverable: Action.APPROVE,
    c.ReturnDeliverable: Action.RETURN,
    c.BaselineMilestone: Action.PLAN,
    c.ReforecastMilestone: Action.PLAN,
    c.RebaselineMilestone: Action.PLAN,
    c.AchieveMilestone: Action.PLAN,
    c.RaiseRisk: Action.PLAN,
    c.RescoreRisk: Action.PLAN,
    c.LogRiskUpdate: Action.PLAN,
    c.ChangeRiskOwner: Action.PLAN,
    c.CloseRisk: Action.PLAN,
    c.SubmitClosureReport: Action.PLAN,
    c.EndorseClosureReport: Action.CLOSURE_ENDORSE,
    c.ApproveClosureReport: Action.CLOSURE_APPROVE,
    c.DefineGate: Action.PLAN,
    c.ApproveGate: Action.GATE_APPROVE,
}
"""What each command needs (the table at the top of this module says who has it)."""


def action_of(command: c.Command) -> Action:
    return ACTIONS[type(command)]


def deputising_for(command: c.Command, programme: ProgrammeState) -> str | None:
    """Whose deputy a delegation command appoints or revokes (a signer may manage their own)."""
    match command:
        case c.AppointDeputy():
            return command.for_email
        case c.RevokeDeputy():
            found = programme.delegation(command.delegation_id)
            return found.principal if found is not None else None
        case _:
            return None


def authorise(
    command: c.Command,
    programme: ProgrammeState,
    item: Named | None,
    *,
    today: date,
    on: date,
    rule: BackdatingRule,
) -> None:
    """Refuse (``Forbidden``) a command its caller may not give: judged on the roster and
    delegations as they stand ``today``, and, for a command dated ``on`` an earlier day, on
    that day's roster as well; dated more working days back than ``rule`` allows, only an
    admin may enter it."""
    if command.acting_as == "admin":
        return
    caller = Acting(person=command.actor or "", scope=command.acting_as)
    action = action_of(command)
    label = programme.key or getattr(command, "programme_key", "")
    deputy_of = deputising_for(command, programme)
    who = involvement(caller.person, today, programme, item)
    require(caller, action, who, label, deputising_for=deputy_of)
    if on >= today:
        return
    if rule.is_late(on, today):
        raise Forbidden(
            f"occurred_at {on.isoformat()} is {rule.working_days_back(on, today)} working days "
            f"back: more than {rule.working_days} needs an admin token and a backdating_reason "
            "(ask an administrator to enter it, citing the record it comes from)",
            code="backdating_needs_admin",
        )
    then = involvement(caller.person, today, programme, item, on=on)
    require(caller, action, then, label, deputising_for=deputy_of, on=on)
