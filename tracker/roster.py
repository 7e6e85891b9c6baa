"""The RACI roster and deputies of a programme. Pure.

- A member is a person (e-mail) with a name, a role title and one RACI letter (Latin R, A, C, I).
- At most one Accountable at any moment: assigning or changing someone to A while another member
  is A is refused, naming the current A. Handing over is two steps: change the current A to
  another letter, then make the new person A. "Exactly one A" is required where it matters: the
  closure report cannot be submitted or approved without one.
- A deputy may act for a person on this programme from a start date to an end date inclusive;
  revoking ends the delegation from the revocation's effective date (earlier acts stand).
- Roster and delegation changes are plan changes: refused on a closed programme.
"""

from __future__ import annotations

from uuid import UUID

from tracker.commands import (
    AppointDeputy,
    AssignRosterMember,
    ChangeRosterMember,
    RevokeDeputy,
    RevokeRosterMember,
)
from tracker.context import Context
from tracker.errors import InvalidInput, NotFound, RuleBroken
from tracker.events.programmes import (
    DeputyAppointed,
    DeputyRevoked,
    RaciLetter,
    RosterMemberAssigned,
    RosterMemberChanged,
    RosterMemberRevoked,
)
from tracker.ids import person_id
from tracker.programmes import ProgrammeEvent, ProgrammeState, RosterMember, one_line
from tracker.raci import parse_raci


def _describe(member: RosterMember) -> str:
    return f"{member.name} ({member.raci}, {member.role_title})"


def _check_single_accountable(state: ProgrammeState, email: str, raci: RaciLetter) -> None:
    current = state.accountable()
    if raci == "A" and current is not None and current.email != email:
        raise RuleBroken(
            "accountable_exists",
            f"{current.name} is already the Accountable (A) of {state.name!r}: change their "
            "letter first, then make the new sponsor A",
        )


def decide_assign_member(
    state: ProgrammeState, command: AssignRosterMember, context: Context
) -> list[ProgrammeEvent]:
    state.require_registered(command.programme_key)
    state.require_open("changing the roster")
    email = person_id(command.email)
    raci = parse_raci(command.raci)
    existing = state.member(email)
    if existing is not None:
        raise RuleBroken(
            "already_on_roster",
            f"{email} is already on the roster as {_describe(existing)}: change them instead",
        )
    _check_single_accountable(state, email, raci)
    return [
        RosterMemberAssigned(
            programme_key=state.key,
            email=email,
            name=one_line(command.name, "name"),
            role_title=one_line(command.role_title, "role title"),
            raci=raci,
        )
    ]


def _require_member(state: ProgrammeState, email: str) -> RosterMember:
    member = state.member(email)
    if member is None:
        raise NotFound(f"{email} is not on the roster of {state.name!r}", code="not_on_roster")
    return member


def decide_change_member(
    state: ProgrammeState, command: ChangeRosterMember, context: Context
) -> list[ProgrammeEvent]:
    state.require_registered(command.programme_key)
    state.require_open("changing the roster")
    member = _require_member(state, person_id(command.email))
    raci = member.raci if command.raci is None else parse_raci(command.raci)
    name = member.name if command.name is None else one_line(command.name, "name")
    role_title = (
        member.role_title
        if command.role_title is None
        else one_line(command.role_title, "role title")
    )
    if (raci, name, role_title) == (member.raci, member.name, member.role_title):
        return []
    _check_single_accountable(state, member.email, raci)
    return [
        RosterMemberChanged(
            programme_key=state.key,
            email=member.email,
            name=name,
            role_title=role_title,
            raci=raci,
            previous_raci=member.raci,
        )
    ]


def decide_revoke_member(
    state: ProgrammeState, command: RevokeRosterMember, context: Context
) -> list[ProgrammeEvent]:
    state.require_registered(command.programme_key)
    state.require_open("changing the roster")
    member = _require_member(state, person_id(command.email))
    return [
        RosterMemberRevoked(
            programme_key=state.key, email=member.email, reason=command.reason.strip()
        )
    ]


def decide_appoint_deputy(
    state: ProgrammeState, command: AppointDeputy, context: Context, *, new_id: UUID
) -> list[ProgrammeEvent]:
    state.require_registered(command.programme_key)
    state.require_open("appointing a deputy")
    deputy = person_id(command.deputy_email)
    principal = person_id(command.for_email)
    if deputy == principal:
        raise InvalidInput(f"{deputy} cannot deputise for themselves")
    if command.ends_on < command.starts_on:
        raise InvalidInput(
            f"a delegation ending {command.ends_on.isoformat()} before it starts "
            f"{command.starts_on.isoformat()} covers no day"
        )
    if state.delegation(new_id) is not None:
        raise RuleBroken("already_exists", f"delegation {new_id} already exists")
    return [
        DeputyAppointed(
            programme_key=state.key,
            delegation_id=new_id,
            deputy=deputy,
            principal=principal,
            starts_on=command.starts_on,
            ends_on=command.ends_on,
            deputy_name=command.deputy_name.strip(),
        )
    ]


def decide_revoke_deputy(
    state: ProgrammeState, command: RevokeDeputy, context: Context
) -> list[ProgrammeEvent]:
    state.require_registered(command.programme_key)
    state.require_open("revoking a deputy")
    delegation = state.delegation(command.delegation_id)
    if delegation is None:
        raise NotFound(
            f"delegation {command.delegation_id} does not exist in {state.name!r}",
            code="delegation_not_found",
        )
    if delegation.revoked_on is not None:
        return []
    return [
        DeputyRevoked(
            programme_key=state.key,
            delegation_id=delegation.delegation_id,
            revoked_on=context.on,
            reason=command.reason.strip(),
        )
    ]
