"""The closure report: submit, endorse, approve. Pure; it lives in the programme stream.

- Submitting records the report as it stands: endorsers are every R and C on the roster, the
  approver is the A, the I members are kept to be informed, and every stream of the programme
  is pinned at its version. The programme becomes "closing". Submitting again while closing
  makes a new revision: endorsements of the old one no longer count.
- Endorsing: each R and C, or their deputy on the day. Repeats write nothing.
- Approving: the A, or their deputy. Refused while endorsements are missing, naming who, unless
  an override reason is given; the approval then records the reason and who was missing. The
  approval closes the programme (``ProgrammeClosed``) and names the I members to inform.
"""

from __future__ import annotations

from typing import Literal, get_args

import msgspec

from tracker.commands import ApproveClosureReport, EndorseClosureReport, SubmitClosureReport
from tracker.context import Context
from tracker.errors import InvalidInput, RuleBroken
from tracker.events.closure import (
    ClosureReportApproved,
    ClosureReportEndorsed,
    ClosureReportSubmitted,
    ProgrammeClosed,
    ReportSection,
)
from tracker.events.values import PersonRef, StreamVersion
from tracker.programmes import ProgrammeEvent, ProgrammeState, one_line
from tracker.signoff import Acting, NameOf, SignOffRound, decide_approval, resolve_acting

ClosureStatus = Literal["none", "submitted", "approved"]


class ClosureState(msgspec.Struct, frozen=True, kw_only=True):
    revision: int = 0
    status: ClosureStatus = "none"
    approver: PersonRef | None = None
    endorsers: tuple[PersonRef, ...] = ()
    informed: tuple[PersonRef, ...] = ()
    round: SignOffRound = SignOffRound()
    override_reason: str | None = None
    endorsements_missing: tuple[str, ...] = ()


def evolve(state: ClosureState, event: ProgrammeEvent) -> ClosureState:
    """Folds the closure events of the programme stream; other programme events pass."""
    replace = msgspec.structs.replace
    match event:
        case ClosureReportSubmitted():
            return ClosureState(
                revision=event.revision,
                status="submitted",
                approver=event.approver,
                endorsers=event.endorsers,
                informed=event.informed,
                round=SignOffRound(
                    number=event.revision,
                    endorsers=tuple(p.email for p in event.endorsers),
                    approvers=(event.approver.email,),
                ),
            )
        case ClosureReportEndorsed():
            acting = Acting(actor=event.actor, on_behalf_of=event.on_behalf_of)
            return replace(state, round=state.round.endorse(acting))
        case ClosureReportApproved():
            acting = Acting(actor=event.actor, on_behalf_of=event.on_behalf_of)
            return replace(
                state,
                status="approved",
                round=state.round.approve(acting),
                override_reason=event.override_reason,
                endorsements_missing=event.endorsements_missing,
            )
        case _:
            return state


def _name_lookup(programme: ProgrammeState, closure: ClosureState) -> NameOf:
    people = [*closure.endorsers, *closure.informed]
    if closure.approver is not None:
        people.append(closure.approver)

    def name_of(email: str) -> str:
        named = next((p.name for p in people if p.email == email and p.name), None)
        return named or programme.name_of(email)

    return name_of


def _item(programme: ProgrammeState) -> str:
    return f"the closure report of {programme.name!r}"


def _refs(programme: ProgrammeState, letters: str) -> tuple[PersonRef, ...]:
    return tuple(
        PersonRef(email=m.email, name=m.name) for m in programme.roster if m.raci in letters
    )


def decide_submit(
    programme: ProgrammeState,
    closure: ClosureState,
    command: SubmitClosureReport,
    context: Context,
    *,
    programme_version: int,
    items: tuple[StreamVersion, ...],
) -> list[ProgrammeEvent]:
    programme.require_registered(command.programme_key)
    programme.require_open("submitting the closure report")
    accountable = programme.accountable()
    if accountable is None:
        raise RuleBroken(
            "no_accountable",
            f"{programme.name!r} has no Accountable (A) on its roster to approve the closure "
            "report: assign the sponsor first",
        )
    return [
        ClosureReportSubmitted(
            programme_key=programme.key,
            revision=closure.revision + 1,
            approver=PersonRef(email=accountable.email, name=accountable.name),
            endorsers=_refs(programme, "RC"),
            informed=_refs(programme, "I"),
            programme_version=programme_version,
            items=items,
            summary=command.summary.strip(),
            presenters=_presenters(command.presenters),
            sections=_sections(command.sections),
        )
    ]


ReportPart = Literal[
    "roles",
    "purpose",
    "scope",
    "governance",
    "outcomes",
    "deliverables",
    "learning_points",
    "issues_and_risks",
    "recommendations",
    "next_steps",
]
"""The parts of the closure report a paper's section heading may name, in the report's order."""
REPORT_PARTS: tuple[str, ...] = get_args(ReportPart)

MAX_PRESENTERS = 10
MAX_HEADING = 200


def _presenters(presenters: tuple[str, ...]) -> tuple[str, ...]:
    """Who presented the report, as the paper prints them: at most ``MAX_PRESENTERS`` lines of
    at most ``MAX_HEADING`` characters, each one line and none twice."""
    if len(presenters) > MAX_PRESENTERS:
        raise InvalidInput(f"a report has at most {MAX_PRESENTERS} presenters")
    cleaned = tuple(_bounded(p, "presenter") for p in presenters)
    if len(set(cleaned)) != len(cleaned):
        raise InvalidInput("a presenter is named twice")
    return cleaned


def _sections(sections: tuple[ReportSection, ...]) -> tuple[ReportSection, ...]:
    """The paper's section headings: each names a part of ``REPORT_PARTS`` once; a number is
    at most 10 characters ("" when unnumbered), a title one line of at most ``MAX_HEADING``."""
    seen: set[str] = set()
    cleaned: list[ReportSection] = []
    for section in sections:
        if section.part not in REPORT_PARTS:
            raise InvalidInput(
                f"section part {section.part!r} must be one of {', '.join(REPORT_PARTS)}"
            )
        if section.part in seen:
            raise InvalidInput(f"section part {section.part!r} is given twice")
        seen.add(section.part)
        number = one_line(section.number, "section number") if section.number.strip() else ""
        if len(number) > 10:
            raise InvalidInput("a section number is at most 10 characters")
        cleaned.append(
            ReportSection(
                part=section.part, number=number, title=_bounded(section.title, "section title")
            )
        )
    return tuple(cleaned)


def _bounded(value: str, what: str) -> str:
    text = one_line(value, what)
    if len(text) > MAX_HEADING:
        raise InvalidInput(f"a {what} is at most {MAX_HEADING} characters")
    return text


def _require_submitted(programme: ProgrammeState, closure: ClosureState, doing: str) -> None:
    if closure.status == "none":
        raise RuleBroken(
            "closure_not_submitted",
            f"no closure report has been submitted for {programme.name!r}: {doing} does not apply",
        )
    if closure.status == "approved":
        raise RuleBroken(
            "programme_closed",
            f"the closure report of {programme.name!r} is approved and the programme is closed: "
            f"{doing} does not apply",
        )


def decide_endorse(
    programme: ProgrammeState,
    closure: ClosureState,
    command: EndorseClosureReport,
    context: Context,
) -> list[ProgrammeEvent]:
    programme.require_registered(command.programme_key)
    actor = context.require_actor("endorsing the closure report")
    if closure.status == "none":
        _require_submitted(programme, closure, "endorsing")
    current = closure.round
    acting = resolve_acting(
        actor=actor,
        on_behalf_of=command.on_behalf_of,
        role="endorser",
        named=current.endorsers,
        done=[s.signatory for s in current.endorsements],
        delegations=programme.delegations,
        days=context.days,
        item=_item(programme),
        name_of=_name_lookup(programme, closure),
    )
    if current.has_endorsed(acting.signatory):
        return []
    _require_submitted(programme, closure, "endorsing")
    return [
        ClosureReportEndorsed(
            programme_key=programme.key,
            revision=closure.revision,
            actor=acting.actor,
            on_behalf_of=acting.on_behalf_of,
        )
    ]


def decide_approve(
    programme: ProgrammeState,
    closure: ClosureState,
    command: ApproveClosureReport,
    context: Context,
) -> list[ProgrammeEvent]:
    programme.require_registered(command.programme_key)
    actor = context.require_actor("approving the closure report")
    if closure.status == "none":
        _require_submitted(programme, closure, "approving")
    current = closure.round
    name_of = _name_lookup(programme, closure)
    acting = resolve_acting(
        actor=actor,
        on_behalf_of=command.on_behalf_of,
        role="approver",
        named=current.approvers,
        done=[s.signatory for s in current.approvals],
        delegations=programme.delegations,
        days=context.days,
        item=_item(programme),
        name_of=name_of,
    )
    if current.has_approved(acting.signatory):
        return []
    _require_submitted(programme, closure, "approving")
    approval = decide_approval(
        current,
        acting,
        name_of=name_of,
        override_reason=command.override_reason,
        override_allowed=True,
    )
    override = command.override_reason.strip() if command.override_reason else None
    return [
        ClosureReportApproved(
            programme_key=programme.key,
            revision=closure.revision,
            actor=acting.actor,
            on_behalf_of=acting.on_behalf_of,
            override_reason=override if approval.endorsements_missing else None,
            endorsements_missing=approval.endorsements_missing,
            informed=tuple(p.email for p in closure.informed),
        ),
        ProgrammeClosed(programme_key=programme.key, closed_on=context.on),
    ]
