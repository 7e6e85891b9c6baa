"""RAID items: risks, issues, assumptions, dependencies. Pure.

- Refs are unique within a programme, compared case-insensitively ("r1" clashes with "R1").
  The programme stream records each ref (``RaidRefReserved``), so two people raising "R3" at
  once conflict on the programme stream's version and only one wins. Without a ref, the next
  free one of the kind's letter is allocated (R, I, A, D).
- Scores are whole numbers 1 to 5. Risks need impact and likelihood; issues need impact and have
  no likelihood (they have happened); assumptions and dependencies may carry an impact only.
- Re-scoring, logging an update, changing the owner and closing apply to open items only.
  Closing needs a note. A re-score to the same score, or an owner change to the same owner,
  writes nothing.
- Raising is a plan change, refused on a closed programme; the rest is accepted after closure,
  because remaining risks and issues are handed over with the closure report.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal, assert_never
from uuid import UUID

import msgspec

from tracker.commands import ChangeRiskOwner, CloseRisk, LogRiskUpdate, RaiseRisk, RescoreRisk
from tracker.context import Context
from tracker.errors import InvalidInput, NotFound, RuleBroken
from tracker.events.programmes import RaidKind, RaidRefReserved
from tracker.events.risks import (
    RiskClosed,
    RiskOwnerChanged,
    RiskRaised,
    RiskRescored,
    RiskUpdateLogged,
)
from tracker.events.values import PersonRef
from tracker.ids import person_id
from tracker.programmes import ProgrammeEvent, ProgrammeState, required_text

RiskEvent = RiskRaised | RiskRescored | RiskUpdateLogged | RiskOwnerChanged | RiskClosed
RISK_EVENT_TYPES = (RiskRaised, RiskRescored, RiskUpdateLogged, RiskOwnerChanged, RiskClosed)

PREFIX: dict[RaidKind, str] = {"risk": "R", "issue": "I", "assumption": "A", "dependency": "D"}
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,19}$")


def risk_stream(item_id: UUID) -> str:
    return f"risk:{item_id}"


class LogEntry(msgspec.Struct, frozen=True, kw_only=True):
    logged_on: date
    text: str


class RiskState(msgspec.Struct, frozen=True, kw_only=True):
    item_id: UUID | None = None
    programme_key: str = ""
    ref: str = ""
    kind: RaidKind = "risk"
    description: str = ""
    owner: PersonRef | None = None
    impact: int | None = None
    likelihood: int | None = None
    mitigation: str = ""
    status: Literal["open", "closed"] = "open"
    updates: tuple[LogEntry, ...] = ()
    closing_note: str = ""

    @property
    def exists(self) -> bool:
        return self.item_id is not None


def evolve(state: RiskState, event: RiskEvent) -> RiskState:
    replace = msgspec.structs.replace
    match event:
        case RiskRaised():
            return RiskState(
                item_id=event.item_id,
                programme_key=event.programme_key,
                ref=event.ref,
                kind=event.kind,
                description=event.description,
                owner=event.owner,
                impact=event.impact,
                likelihood=event.likelihood,
                mitigation=event.mitigation,
            )
        case RiskRescored():
            return replace(state, impact=event.impact, likelihood=event.likelihood)
        case RiskUpdateLogged():
            entry = LogEntry(logged_on=event.logged_on, text=event.text)
            return replace(state, updates=(*state.updates, entry))
        case RiskOwnerChanged():
            return replace(state, owner=event.owner)
        case RiskClosed():
            return replace(state, status="closed", closing_note=event.note)
        case _:
            assert_never(event)


def checked_scores(
    kind: RaidKind, impact: int | None, likelihood: int | None
) -> tuple[int | None, int | None]:
    for label, value in (("impact", impact), ("likelihood", likelihood)):
        if value is not None and not 1 <= value <= 5:
            raise InvalidInput(f"{label} must be a whole number from 1 to 5, got {value}")
    if kind == "risk" and (impact is None or likelihood is None):
        raise InvalidInput("a risk needs both impact and likelihood (1 to 5)")
    if kind == "issue" and impact is None:
        raise InvalidInput("an issue needs an impact (1 to 5)")
    if kind != "risk" and likelihood is not None:
        raise InvalidInput(f"likelihood is for risks only, not for an {kind}")
    return impact, likelihood


def allocate_ref(programme: ProgrammeState, kind: RaidKind, wanted: str | None) -> str:
    taken = {r.ref.casefold(): r for r in programme.raid_refs}
    if wanted is None:
        prefix = PREFIX[kind]
        numbers = [
            int(r.ref[len(prefix) :])
            for r in programme.raid_refs
            if r.ref[: len(prefix)].upper() == prefix and r.ref[len(prefix) :].isdigit()
        ]
        return f"{prefix}{max(numbers, default=0) + 1}"
    ref = wanted.strip()
    if not _REF.match(ref):
        raise InvalidInput(
            f"RAID ref {wanted!r} must be 1 to 20 letters, digits or . _ / - (e.g. R1, I2)"
        )
    clash = taken.get(ref.casefold())
    if clash is not None:
        raise RuleBroken(
            "duplicate_ref",
            f"ref {clash.ref} is already used in {programme.name!r} by a {clash.kind}",
        )
    return ref


class RiskCreation(msgspec.Struct, frozen=True, kw_only=True):
    programme_events: list[ProgrammeEvent]
    item_events: list[RiskEvent]


def _owner(owner: PersonRef) -> PersonRef:
    return PersonRef(email=person_id(owner.email), name=owner.name.strip())


def decide_raise(
    programme: ProgrammeState,
    existing: RiskState,
    command: RaiseRisk,
    context: Context,
    *,
    new_id: UUID,
) -> RiskCreation:
    programme.require_registered(command.programme_key)
    if existing.exists:
        raise RuleBroken("already_exists", f"RAID item {new_id} already exists")
    reserved = next((r for r in programme.raid_refs if r.item_id == new_id), None)
    listed: list[ProgrammeEvent] = []
    if reserved is not None:
        # An earlier attempt reserved the ref and stopped before its second append: finish it.
        ref = reserved.ref
    else:
        programme.require_open(f"raising a new {command.kind}")
        ref = allocate_ref(programme, command.kind, command.ref)
        listed.append(
            RaidRefReserved(programme_key=programme.key, ref=ref, item_id=new_id, kind=command.kind)
        )
    impact, likelihood = checked_scores(command.kind, command.impact, command.likelihood)
    raised = RiskRaised(
        item_id=new_id,
        programme_key=programme.key,
        ref=ref,
        kind=command.kind,
        description=required_text(command.description, "description"),
        owner=_owner(command.owner),
        impact=impact,
        likelihood=likelihood,
        mitigation=command.mitigation.strip(),
    )
    return RiskCreation(programme_events=listed, item_events=[raised])


def _require_open(state: RiskState, item_id: UUID, doing: str) -> None:
    if not state.exists:
        raise NotFound(f"RAID item {item_id} does not exist", code="risk_not_found")
    if state.status == "closed":
        raise RuleBroken(
            "risk_closed", f"{state.kind} {state.ref} is closed: {doing} does not apply"
        )


def decide_rescore(
    programme: ProgrammeState, state: RiskState, command: RescoreRisk, context: Context
) -> list[RiskEvent]:
    _require_open(state, command.item_id, "re-scoring")
    impact, likelihood = checked_scores(state.kind, command.impact, command.likelihood)
    if (impact, likelihood) == (state.impact, state.likelihood):
        return []
    return [
        RiskRescored(
            item_id=command.item_id,
            programme_key=state.programme_key,
            impact=impact,
            likelihood=likelihood,
            reason=command.reason.strip(),
        )
    ]


def decide_log_update(
    programme: ProgrammeState, state: RiskState, command: LogRiskUpdate, context: Context
) -> list[RiskEvent]:
    _require_open(state, command.item_id, "logging an update")
    return [
        RiskUpdateLogged(
            item_id=command.item_id,
            programme_key=state.programme_key,
            logged_on=context.on,
            text=required_text(command.text, "update"),
        )
    ]


def decide_change_owner(
    programme: ProgrammeState, state: RiskState, command: ChangeRiskOwner, context: Context
) -> list[RiskEvent]:
    _require_open(state, command.item_id, "changing the owner")
    owner = _owner(command.owner)
    if state.owner is not None and owner.email == state.owner.email:
        return []
    return [
        RiskOwnerChanged(
            item_id=command.item_id,
            programme_key=state.programme_key,
            owner=owner,
            previous_owner=state.owner.email if state.owner is not None else "",
        )
    ]


def decide_close(
    programme: ProgrammeState, state: RiskState, command: CloseRisk, context: Context
) -> list[RiskEvent]:
    _require_open(state, command.item_id, "closing")
    return [
        RiskClosed(
            item_id=command.item_id,
            programme_key=state.programme_key,
            note=required_text(command.note, "the closing note"),
        )
    ]
