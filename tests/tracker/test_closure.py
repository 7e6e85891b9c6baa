"""The closure report: endorsed by every R and C, approved by the A or their deputy. Pure."""

from __future__ import annotations

import msgspec
import pytest

from tests.builders import (
    ANDREW,
    ANTONY,
    GABBY,
    GLYN,
    KEY,
    MIKE,
    PAUL,
    RACHAEL,
    ROB,
    Person,
    btls,
    closure,
    ctx,
    deputy,
    kinds,
    member,
    programme,
    registered,
)
from tracker.closure import ClosureState, decide_approve, decide_endorse, decide_submit
from tracker.closure import evolve as closure_apply
from tracker.commands import ApproveClosureReport, EndorseClosureReport, SubmitClosureReport
from tracker.errors import InvalidInput, RuleBroken
from tracker.events.closure import (
    ClosureReportApproved,
    ClosureReportSubmitted,
    ProgrammeClosed,
    ReportSection,
)
from tracker.events.codec import canonical_json
from tracker.events.prepare import stored_fields
from tracker.events.values import StreamVersion
from tracker.programmes import ProgrammeEvent, ProgrammeState
from tracker.programmes import evolve as evolve_programme

SUBMIT = SubmitClosureReport(programme_key=KEY, summary="All ten outcomes complete")
ENDORSE = EndorseClosureReport(programme_key=KEY)
APPROVE = ApproveClosureReport(programme_key=KEY)
ENDORSERS = (GLYN, ROB, GABBY, ANTONY, ANDREW, RACHAEL)
PINNED = {
    "programme_version": 12,
    "items": (StreamVersion(stream_id="deliverable:x", version=3),),
}


def submitted_report(state: ProgrammeState) -> ClosureReportSubmitted:
    [event] = decide_submit(
        state,
        ClosureState(),
        SUBMIT,
        ctx("2021-04-20"),
        programme_version=12,
        items=(StreamVersion(stream_id="deliverable:x", version=3),),
    )
    assert isinstance(event, ClosureReportSubmitted)
    return event


def given(*extra: ProgrammeEvent) -> tuple[ProgrammeState, ClosureState]:
    base = btls(*extra)
    report = submitted_report(base)
    return evolve_programme(base, report), closure(report)


def endorse_all(state: ProgrammeState, report: ClosureState, *people: Person) -> ClosureState:
    for person in people:
        for event in decide_endorse(state, report, ENDORSE, ctx("2021-04-21", person)):
            report = closure_apply(report, event)
    return report


def test_submitting_names_every_r_and_c_as_endorsers_and_the_a_as_approver() -> None:
    event = submitted_report(btls(member(PAUL, "I", "Head of Digital")))
    assert event.approver.email == MIKE.email
    assert [p.name for p in event.endorsers] == [p.name for p in ENDORSERS]
    assert [p.email for p in event.informed] == [PAUL.email]
    assert event.items == (StreamVersion(stream_id="deliverable:x", version=3),)


def test_submitting_moves_the_programme_to_closing() -> None:
    state, report = given()
    assert (state.lifecycle, report.status, report.revision) == ("closing", "submitted", 1)


def test_submitting_without_an_accountable_is_refused() -> None:
    no_sponsor = programme(registered(), member(ROB, "R"))
    with pytest.raises(RuleBroken) as refused:
        submitted_report(no_sponsor)
    assert refused.value.code == "no_accountable"


def test_each_responsible_and_consulted_member_endorses() -> None:
    state, report = given()
    events = decide_endorse(state, report, ENDORSE, ctx("2021-04-21", ANDREW))
    assert kinds(events) == ["ClosureReportEndorsed"]


def test_consulted_person_endorses_but_cannot_approve() -> None:
    state, report = given()
    report = endorse_all(state, report, ANDREW)
    with pytest.raises(RuleBroken) as refused:
        decide_approve(state, report, APPROVE, ctx("2021-04-21", ANDREW))
    assert refused.value.code == "not_a_signatory"
    assert "the approver is Mike Kirby" in refused.value.message


def test_the_accountable_does_not_endorse() -> None:
    state, report = given()
    with pytest.raises(RuleBroken, match="may not act as endorser"):
        decide_endorse(state, report, ENDORSE, ctx("2021-04-21", MIKE))


def test_a_repeated_endorsement_writes_nothing() -> None:
    state, report = given()
    report = endorse_all(state, report, ROB)
    assert decide_endorse(state, report, ENDORSE, ctx("2021-04-22", ROB)) == []


def test_approval_before_every_endorsement_is_refused_naming_who_is_missing() -> None:
    state, report = given()
    report = endorse_all(state, report, GLYN, GABBY, ANTONY, RACHAEL)
    with pytest.raises(RuleBroken) as refused:
        decide_approve(state, report, APPROVE, ctx("2021-04-22", MIKE))
    assert refused.value.code == "endorsements_missing"
    assert refused.value.message.startswith("awaiting endorsement from: Rob Cathey, Andrew Rogers")


def test_approval_with_an_override_reason_records_the_reason_and_who_was_missing() -> None:
    state, report = given()
    report = endorse_all(state, report, GLYN, GABBY, ANTONY, RACHAEL)
    override = ApproveClosureReport(programme_key=KEY, override_reason="Board minute 14/21")
    approval, closed = decide_approve(state, report, override, ctx("2021-04-22", MIKE))
    assert isinstance(approval, ClosureReportApproved)
    assert approval.override_reason == "Board minute 14/21"
    assert approval.endorsements_missing == (ROB.email, ANDREW.email)
    assert isinstance(closed, ProgrammeClosed)


def test_approval_by_the_accountable_closes_the_programme_and_names_who_to_inform() -> None:
    state, report = given(member(PAUL, "I", "Head of Digital"))
    report = endorse_all(state, report, *ENDORSERS)
    events = decide_approve(state, report, APPROVE, ctx("2021-04-22", MIKE))
    assert kinds(events) == ["ClosureReportApproved", "ProgrammeClosed"]
    assert events[0].informed == (PAUL.email,)  # type: ignore[union-attr]
    for event in events:
        state = evolve_programme(state, event)
    assert state.lifecycle == "closed"


def test_the_sponsors_deputy_approves_on_the_sponsors_behalf() -> None:
    """'Glyn Peach deputized for Mike Kirby as appropriate.'"""
    state, report = given(deputy(GLYN, MIKE, "2021-01-01", "2021-06-30"))
    report = endorse_all(state, report, *ENDORSERS)
    approval, _ = decide_approve(state, report, APPROVE, ctx("2021-04-22", GLYN))
    assert isinstance(approval, ClosureReportApproved)
    assert (approval.actor, approval.on_behalf_of) == (GLYN.email, MIKE.email)


def test_a_repeated_approval_writes_nothing_and_the_closed_report_refuses_new_endorsements() -> (
    None
):
    state, report = given()
    report = endorse_all(state, report, GLYN, GABBY, ANTONY, RACHAEL)
    override = ApproveClosureReport(programme_key=KEY, override_reason="Board minute")
    for event in decide_approve(state, report, override, ctx("2021-04-22", MIKE)):
        state = evolve_programme(state, event)
        report = closure_apply(report, event)
    assert decide_approve(state, report, APPROVE, ctx("2021-04-23", MIKE)) == []
    with pytest.raises(RuleBroken) as refused:
        decide_endorse(state, report, ENDORSE, ctx("2021-04-23", ROB))
    assert refused.value.code == "programme_closed"


def test_a_closed_programme_refuses_a_new_closure_report() -> None:
    state = btls(ProgrammeClosed(programme_key=KEY, closed_on=ctx().on))
    with pytest.raises(RuleBroken, match="is closed"):
        submitted_report(state)


def test_endorsing_before_any_submission_is_refused() -> None:
    with pytest.raises(RuleBroken) as refused:
        decide_endorse(btls(), ClosureState(), ENDORSE, ctx("2021-04-21", ROB))
    assert refused.value.code == "closure_not_submitted"


def test_resubmitting_while_closing_starts_a_new_revision_without_old_endorsements() -> None:
    state, report = given()
    report = endorse_all(state, report, ROB)
    [again] = decide_submit(
        state, report, SUBMIT, ctx("2021-04-25"), programme_version=14, items=()
    )
    report = closure_apply(report, again)
    assert report.revision == 2
    assert not report.round.has_endorsed(ROB.email)


def test_submitting_records_the_papers_presenters_and_section_headings() -> None:
    command = SubmitClosureReport(
        programme_key=KEY,
        presenters=(" Glyn Peach - Chief Digital Officer ",),
        sections=(ReportSection(part="deliverables", number="4", title="Socitm deliverables"),),
    )
    [event] = decide_submit(btls(), ClosureState(), command, ctx("2021-04-20"), **PINNED)
    assert isinstance(event, ClosureReportSubmitted)
    assert event.presenters == ("Glyn Peach - Chief Digital Officer",)
    assert event.sections == (
        ReportSection(part="deliverables", number="4", title="Socitm deliverables"),
    )


@pytest.mark.parametrize(
    ("presenters", "sections", "words"),
    [
        (("x" * 201,), (), "at most 200"),
        (("A\nB",), (), "one line"),
        (("A", "A"), (), "named twice"),
        (tuple(f"P{n}" for n in range(11)), (), "at most 10 presenters"),
        ((), (ReportSection(part="annex", number="9", title="Annex"),), "must be one of"),
        (
            (),
            (
                ReportSection(part="outcomes", number="3", title="Outcomes"),
                ReportSection(part="outcomes", number="4", title="Outcomes again"),
            ),
            "given twice",
        ),
        ((), (ReportSection(part="scope", number="12345678901", title="Scope"),), "10 char"),
    ],
)
def test_presenters_and_sections_are_bounded(
    presenters: tuple[str, ...], sections: tuple[ReportSection, ...], words: str
) -> None:
    command = SubmitClosureReport(programme_key=KEY, presenters=presenters, sections=sections)
    with pytest.raises(InvalidInput, match=words):
        decide_submit(btls(), ClosureState(), command, ctx("2021-04-20"), **PINNED)


def test_a_submission_without_presenters_or_sections_encodes_as_before_they_existed() -> None:
    event = submitted_report(btls())
    stored = msgspec.json.decode(canonical_json(stored_fields(event)))
    assert "presenters" not in stored and "sections" not in stored
    assert set(stored) == {f.name for f in msgspec.structs.fields(event)} - {
        "presenters",
        "sections",
    }
    assert ClosureReportSubmitted.omitted_when_default == {"presenters", "sections"}
