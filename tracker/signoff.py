"""Who may endorse or approve, and when an item is signed off. Shared by deliverables and the
closure report. Pure.

- Only a named person, or their deputy on a day the delegation covers, may act. The actor
  acting in their own name wins over acting as a deputy; ``on_behalf_of`` chooses explicitly.
  A back-dated act needs the delegation to cover both its effective day and the day it is
  recorded: an ended delegation cannot be borrowed by dating an act into it.
- A repeated endorsement or approval by the same person (or for the same principal) writes
  nothing.
- Approvals are refused while endorsements are missing, naming who ("awaiting endorsement from:
  Rob Cathey, Andrew Rogers"). Only the closure report accepts an override reason.
- Signed off when every approver has approved: joint approval, no majority.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import Literal
from uuid import UUID

import msgspec

from tracker.errors import InvalidInput, RuleBroken
from tracker.ids import PersonId, person_id

NameOf = Callable[[str], str]
"""Display name for an e-mail, for messages."""

Role = Literal["endorser", "approver", "signatory"]


class Delegation(msgspec.Struct, frozen=True, kw_only=True):
    """``deputy`` may act for ``principal`` from ``starts_on`` to ``ends_on`` inclusive, until a
    revocation takes effect on ``revoked_on``."""

    delegation_id: UUID
    deputy: str
    principal: str
    starts_on: date
    ends_on: date
    revoked_on: date | None = None

    def covers(self, day: date) -> bool:
        if self.revoked_on is not None and day >= self.revoked_on:
            return False
        return self.starts_on <= day <= self.ends_on

    def describe(self, name_of: NameOf) -> str:
        text = (
            f"{name_of(self.deputy)} deputises for {name_of(self.principal)} from "
            f"{self.starts_on.isoformat()} to {self.ends_on.isoformat()}"
        )
        if self.revoked_on is not None:
            text += f" (revoked from {self.revoked_on.isoformat()})"
        return text


class Acting(msgspec.Struct, frozen=True, kw_only=True):
    """Who pressed the button, and for whom when a deputy."""

    actor: str
    on_behalf_of: str | None = None

    @property
    def signatory(self) -> str:
        """Whose endorsement or approval this counts as."""
        return self.on_behalf_of or self.actor


class Signature(msgspec.Struct, frozen=True, kw_only=True):
    signatory: str
    actor: str


class SignOffRound(msgspec.Struct, frozen=True, kw_only=True):
    """One submission's endorsements and approvals, in the order they came."""

    number: int = 0
    endorsers: tuple[str, ...] = ()
    approvers: tuple[str, ...] = ()
    endorsements: tuple[Signature, ...] = ()
    approvals: tuple[Signature, ...] = ()

    def has_endorsed(self, person: str) -> bool:
        return any(s.signatory == person for s in self.endorsements)

    def has_approved(self, person: str) -> bool:
        return any(s.signatory == person for s in self.approvals)

    def missing_endorsers(self) -> tuple[str, ...]:
        return tuple(p for p in self.endorsers if not self.has_endorsed(p))

    def missing_approvers(self) -> tuple[str, ...]:
        return tuple(p for p in self.approvers if not self.has_approved(p))

    def endorse(self, acting: Acting) -> SignOffRound:
        signature = Signature(signatory=acting.signatory, actor=acting.actor)
        return msgspec.structs.replace(self, endorsements=(*self.endorsements, signature))

    def approve(self, acting: Acting) -> SignOffRound:
        signature = Signature(signatory=acting.signatory, actor=acting.actor)
        return msgspec.structs.replace(self, approvals=(*self.approvals, signature))

    def cleared(self) -> SignOffRound:
        """The same round with nothing signed (after a return, deferral or reopening)."""
        return msgspec.structs.replace(self, endorsements=(), approvals=())


def _a(role: Role) -> str:
    return ("an " if role[0] in "aeiou" else "a ") + role


def awaiting(role: Role, people: Sequence[str], name_of: NameOf) -> str:
    noun = "endorsement" if role == "endorser" else "approval"
    return f"awaiting {noun} from: " + ", ".join(name_of(p) for p in people)


def _named_list(role: Role, named: Sequence[str], name_of: NameOf) -> str:
    if not named:
        return f"it has no {role}s"
    if len(named) == 1:
        return f"the {role} is {name_of(named[0])}"
    return f"the {role}s are " + ", ".join(name_of(p) for p in named)


def resolve_acting(
    *,
    actor: PersonId,
    on_behalf_of: str | None,
    role: Role,
    named: Sequence[str],
    done: Collection[str],
    delegations: Sequence[Delegation],
    days: Sequence[date],
    item: str,
    name_of: NameOf,
) -> Acting:
    """Decide in whose name ``actor`` acts as ``role`` of ``item`` on ``days`` (the effective
    day, and the day of recording when they differ: ``Context.days``).

    Named people act in their own name. A deputy acts for the named principal whose delegation
    covers every one of ``days``; with several such principals the one who has not yet acted is
    chosen, and if that is still ambiguous the caller must say ``on_behalf_of``.
    """
    when = _days_text(days)

    def covers(d: Delegation) -> bool:
        return all(d.covers(day) for day in days)

    if on_behalf_of is not None:
        principal = person_id(on_behalf_of)
        if principal != actor:
            if principal not in named:
                raise RuleBroken(
                    "not_a_signatory",
                    f"{name_of(principal)} is not {_a(role)} of {item}: "
                    f"{_named_list(role, named, name_of)}",
                )
            if not any(
                d.deputy == actor and d.principal == principal and covers(d) for d in delegations
            ):
                raise RuleBroken(
                    "not_a_deputy",
                    f"{name_of(actor)} is not a deputy for {name_of(principal)} {when}"
                    f"{_other_dates(actor, [principal], delegations, name_of)}",
                )
            return Acting(actor=actor, on_behalf_of=principal)
    if actor in named:
        return Acting(actor=actor)
    covering = [
        p
        for p in named
        if any(d.deputy == actor and d.principal == p and covers(d) for d in delegations)
    ]
    pending = [p for p in covering if p not in done]
    if len(pending) > 1:
        raise RuleBroken(
            "on_behalf_of_required",
            f"{name_of(actor)} deputises for several {role}s of {item} ("
            + ", ".join(name_of(p) for p in pending)
            + "): say on whose behalf",
        )
    if pending:
        return Acting(actor=actor, on_behalf_of=pending[0])
    if covering:
        return Acting(actor=actor, on_behalf_of=covering[0])
    raise RuleBroken(
        "not_a_signatory",
        f"{name_of(actor)} may not act as {role} of {item} {when}: "
        f"{_named_list(role, named, name_of)}"
        f"{_other_dates(actor, named, delegations, name_of)}",
    )


def _days_text(days: Sequence[date]) -> str:
    """ "on 2021-03-01", or "on 2020-03-01 and on 2026-12-05 (when recorded)"."""
    if len(days) == 1:
        return f"on {days[0].isoformat()}"
    return f"on {days[0].isoformat()} and on {days[-1].isoformat()} (when recorded)"


def _other_dates(
    actor: str, principals: Sequence[str], delegations: Sequence[Delegation], name_of: NameOf
) -> str:
    """Mention delegations that exist but do not cover the day: that is usually the mistake."""
    near = [d for d in delegations if d.deputy == actor and d.principal in principals]
    if not near:
        return ""
    return " (" + "; ".join(d.describe(name_of) for d in near) + ")"


def decide_endorsement(current: SignOffRound, acting: Acting) -> bool:
    """True to record the endorsement; False when this signatory has already endorsed."""
    if acting.signatory not in current.endorsers:
        raise RuleBroken("not_a_signatory", f"{acting.signatory} is not an endorser")
    return not current.has_endorsed(acting.signatory)


class Approval(msgspec.Struct, frozen=True, kw_only=True):
    record: bool
    """False when the signatory has already approved: write nothing."""
    completes: bool = False
    """Every approver will have approved: the item is signed off."""
    endorsements_missing: tuple[str, ...] = ()
    """Non-empty only when an override reason let the approval through."""


def decide_approval(
    current: SignOffRound,
    acting: Acting,
    *,
    name_of: NameOf,
    override_reason: str | None = None,
    override_allowed: bool = False,
) -> Approval:
    if acting.signatory not in current.approvers:
        raise RuleBroken("not_a_signatory", f"{acting.signatory} is not an approver")
    if current.has_approved(acting.signatory):
        return Approval(record=False)
    if override_reason is not None and not override_allowed:
        raise InvalidInput("an override reason is accepted only for the closure report")
    missing = current.missing_endorsers()
    if missing and not (override_reason and override_reason.strip()):
        hint = " (or give an override reason)" if override_allowed else ""
        raise RuleBroken("endorsements_missing", awaiting("endorser", missing, name_of) + hint)
    still_to_approve = [p for p in current.missing_approvers() if p != acting.signatory]
    return Approval(record=True, completes=not still_to_approve, endorsements_missing=missing)
