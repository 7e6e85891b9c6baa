"""The shared sign-off rules: who may act, in whose name, and when approval counts. Pure."""

from __future__ import annotations

from uuid import uuid4

import pytest

from tests.builders import ANDREW, GABBY, GLYN, MIKE, PAUL, ROB, STRANGER, Person, day
from tracker.errors import InvalidInput, RuleBroken
from tracker.ids import PersonId
from tracker.signoff import (
    Acting,
    Delegation,
    SignOffRound,
    decide_approval,
    decide_endorsement,
    resolve_acting,
)

NAMES = {p.email: p.name for p in (ANDREW, GABBY, GLYN, MIKE, PAUL, ROB, STRANGER)}


def name_of(email: str) -> str:
    return NAMES.get(email, email)


def delegation(
    deputy: Person, principal: Person, starts: str, ends: str, revoked: str | None = None
) -> Delegation:
    return Delegation(
        delegation_id=uuid4(),
        deputy=deputy.email,
        principal=principal.email,
        starts_on=day(starts),
        ends_on=day(ends),
        revoked_on=None if revoked is None else day(revoked),
    )


def acting(
    actor: Person,
    named: list[Person],
    delegations: list[Delegation] = [],  # noqa: B006 - never mutated
    on: str = "2021-03-01",
    on_behalf_of: Person | None = None,
    done: list[Person] = [],  # noqa: B006 - never mutated
    recorded: str | None = None,
) -> Acting:
    return resolve_acting(
        actor=PersonId(actor.email),
        on_behalf_of=None if on_behalf_of is None else on_behalf_of.email,
        role="approver",
        named=[p.email for p in named],
        done=[p.email for p in done],
        delegations=delegations,
        days=[day(on)] if recorded is None else [day(on), day(recorded)],
        item="deliverable 'DR Plan'",
        name_of=name_of,
    )


def round_of(endorsers: list[Person], approvers: list[Person]) -> SignOffRound:
    return SignOffRound(
        number=1,
        endorsers=tuple(p.email for p in endorsers),
        approvers=tuple(p.email for p in approvers),
    )


# Who may act.


def test_a_named_person_acts_in_their_own_name() -> None:
    assert acting(MIKE, [MIKE]) == Acting(actor=MIKE.email)


def test_a_deputy_inside_the_delegation_dates_acts_on_behalf_of_the_principal() -> None:
    result = acting(
        GLYN, [MIKE], [delegation(GLYN, MIKE, "2021-01-01", "2021-04-30")], on="2021-04-30"
    )
    assert result == Acting(actor=GLYN.email, on_behalf_of=MIKE.email)
    assert result.signatory == MIKE.email


def test_a_deputy_outside_the_delegation_dates_is_refused_naming_the_dates() -> None:
    with pytest.raises(RuleBroken) as refused:
        acting(GLYN, [MIKE], [delegation(GLYN, MIKE, "2021-01-01", "2021-04-30")], on="2021-05-01")
    assert refused.value.code == "not_a_signatory"
    assert (
        "Glyn Peach deputises for Mike Kirby from 2021-01-01 to 2021-04-30" in refused.value.message
    )


def test_a_deputy_dating_an_act_into_an_ended_delegation_is_refused_naming_both_days() -> None:
    ended = delegation(GLYN, MIKE, "2020-01-01", "2020-12-31")
    assert acting(GLYN, [MIKE], [ended], on="2020-06-01").on_behalf_of == MIKE.email
    with pytest.raises(RuleBroken) as refused:
        acting(GLYN, [MIKE], [ended], on="2020-06-01", recorded="2021-03-01")
    assert refused.value.code == "not_a_signatory"
    assert "on 2020-06-01 and on 2021-03-01 (when recorded)" in refused.value.message
    both = delegation(GLYN, MIKE, "2020-01-01", "2021-12-31")
    late = acting(GLYN, [MIKE], [both], on="2020-06-01", recorded="2021-03-01")
    assert late.on_behalf_of == MIKE.email


def test_a_deputy_after_the_revocation_is_refused() -> None:
    revoked = delegation(GLYN, MIKE, "2021-01-01", "2021-12-31", revoked="2021-03-01")
    assert acting(GLYN, [MIKE], [revoked], on="2021-02-28").on_behalf_of == MIKE.email
    with pytest.raises(RuleBroken, match="revoked from 2021-03-01"):
        acting(GLYN, [MIKE], [revoked], on="2021-03-01")


def test_a_deputy_of_someone_else_on_another_item_gets_nothing_here() -> None:
    with pytest.raises(RuleBroken):
        acting(GLYN, [PAUL], [delegation(GLYN, MIKE, "2021-01-01", "2021-12-31")])


def test_acting_in_ones_own_name_wins_over_acting_as_deputy() -> None:
    both = acting(GLYN, [GLYN, MIKE], [delegation(GLYN, MIKE, "2021-01-01", "2021-12-31")])
    assert both == Acting(actor=GLYN.email)


def test_a_named_person_who_is_also_a_deputy_may_say_on_whose_behalf() -> None:
    explicit = acting(
        GLYN,
        [GLYN, MIKE],
        [delegation(GLYN, MIKE, "2021-01-01", "2021-12-31")],
        on_behalf_of=MIKE,
    )
    assert explicit == Acting(actor=GLYN.email, on_behalf_of=MIKE.email)


def test_a_deputy_for_two_pending_principals_must_say_on_whose_behalf() -> None:
    delegations = [
        delegation(GLYN, MIKE, "2021-01-01", "2021-12-31"),
        delegation(GLYN, PAUL, "2021-01-01", "2021-12-31"),
    ]
    with pytest.raises(RuleBroken) as refused:
        acting(GLYN, [MIKE, PAUL], delegations)
    assert refused.value.code == "on_behalf_of_required"
    assert acting(GLYN, [MIKE, PAUL], delegations, done=[MIKE]).on_behalf_of == PAUL.email


def test_on_behalf_of_someone_not_named_is_refused() -> None:
    with pytest.raises(RuleBroken, match="Rob Cathey is not an approver"):
        acting(GLYN, [MIKE], [delegation(GLYN, ROB, "2021-01-01", "2021-12-31")], on_behalf_of=ROB)


def test_on_behalf_of_without_a_delegation_is_refused() -> None:
    with pytest.raises(RuleBroken) as refused:
        acting(GLYN, [MIKE], on_behalf_of=MIKE)
    assert refused.value.code == "not_a_deputy"


def test_a_stranger_is_refused_naming_the_approvers() -> None:
    with pytest.raises(RuleBroken) as refused:
        acting(STRANGER, [GABBY, PAUL])
    assert "the approvers are Gabby Nelson, Paul Sutcliffe" in refused.value.message


# Endorsing and approving.


def test_a_repeated_endorsement_by_the_same_person_writes_nothing() -> None:
    current = round_of([ROB], [MIKE])
    assert decide_endorsement(current, Acting(actor=ROB.email)) is True
    after = current.endorse(Acting(actor=ROB.email))
    assert decide_endorsement(after, Acting(actor=ROB.email)) is False


def test_an_endorsement_by_a_deputy_counts_for_the_principal_once() -> None:
    after = round_of([ROB], [MIKE]).endorse(Acting(actor=GLYN.email, on_behalf_of=ROB.email))
    assert decide_endorsement(after, Acting(actor=ROB.email)) is False


def test_a_repeated_approval_by_the_same_person_writes_nothing() -> None:
    current = round_of([], [GABBY, PAUL]).approve(Acting(actor=GABBY.email))
    assert decide_approval(current, Acting(actor=GABBY.email), name_of=name_of).record is False


def test_approval_is_refused_while_endorsements_are_missing_naming_who_in_order() -> None:
    current = round_of([ROB, GLYN, ANDREW], [MIKE]).endorse(Acting(actor=GLYN.email))
    with pytest.raises(RuleBroken) as refused:
        decide_approval(current, Acting(actor=MIKE.email), name_of=name_of)
    assert refused.value.code == "endorsements_missing"
    assert refused.value.message.startswith("awaiting endorsement from: Rob Cathey, Andrew Rogers")


def test_an_override_reason_lets_approval_through_recording_who_was_missing() -> None:
    current = round_of([ROB, ANDREW], [MIKE])
    result = decide_approval(
        current,
        Acting(actor=MIKE.email),
        name_of=name_of,
        override_reason="Legal sign-off given at board",
        override_allowed=True,
    )
    assert result.record and result.completes
    assert result.endorsements_missing == (ROB.email, ANDREW.email)


def test_a_blank_override_reason_does_not_override() -> None:
    with pytest.raises(RuleBroken):
        decide_approval(
            round_of([ROB], [MIKE]),
            Acting(actor=MIKE.email),
            name_of=name_of,
            override_reason="   ",
            override_allowed=True,
        )


def test_an_override_reason_is_refused_where_no_override_is_allowed() -> None:
    with pytest.raises(InvalidInput):
        decide_approval(
            round_of([ROB], [MIKE]), Acting(actor=MIKE.email), name_of=name_of, override_reason="x"
        )


def test_joint_approval_completes_only_with_the_last_approver() -> None:
    current = round_of([], [GABBY, PAUL])
    first = decide_approval(current, Acting(actor=GABBY.email), name_of=name_of)
    assert first.record and not first.completes
    current = current.approve(Acting(actor=GABBY.email))
    assert decide_approval(current, Acting(actor=PAUL.email), name_of=name_of).completes


def test_clearing_a_round_keeps_its_number_and_signatories() -> None:
    signed = round_of([ROB], [MIKE]).endorse(Acting(actor=ROB.email))
    cleared = signed.cleared()
    assert (cleared.number, cleared.endorsers, cleared.endorsements) == (1, (ROB.email,), ())
