"""Data-quality findings: reports list the source's oddities rather than hide them; pure.

Each finding has a stable ``code``, a message naming the items, and the ids of the items:

* ``milestone_out_of_sequence``: within a workstream (milestones with none form one group), in
  listed order, a milestone whose baseline is earlier than the previous milestone's, even read
  at its latest (a month, quarter or year read as its last day): the seed's ASH&W "Cycle 4
  Testing complete" January 2013 after Cycle 3 in November 2013.
* ``signed_off_after_closure``: a deliverable signed off (effective date) after the closure
  report that lists it was submitted (the report lists every deliverable of the programme).
* ``no_approver``: a deliverable with no named approver that is not deferred, unless its due
  date is assumed. A row the source gives neither a date nor an approver (the BTLS paper's
  nine "Post Transition" rows, which that paper reports as deferred and the seed defers on the
  report's day) is planned with an assumed due date; before its deferral the missing approver
  is the paper's own gap, not a lapse the tracker should report, and the paper gives no ground
  for one. Re-planning the due date to a real one (``DeliverableReplanned``) ends the
  exemption: from then on it is flagged like any other until deferred or given an approver.
* ``duplicate_title``: two or more deliverables of one outcome (or of none) with the same title,
  compared ignoring case and runs of whitespace.
* ``name_variants``: one e-mail spelt with different display names across the roster, approvers,
  endorsers, owners, delegations and the closure report ("Rachel" and "Rachael Tanner").
* ``recorded_late``: entries dated further back than the back-dating rule allows without a
  reason (``tracker.backdating``), one finding per reason given: how many, how late, and why
  (the seed's entries, recorded years after the papers they cite, are one such group).
* ``gate_item_reopened``: a passed phase gate one of whose deliverables or milestones is no
  longer done (reopened, returned, reinstated after deferral): the gate stays passed, and this
  says which items no longer meet it.
* ``approver_not_on_roster``: people named to approve deliverables who are not on the
  programme's roster (BTLS: Paul Sutcliffe, Sarah Oldendorp, Mark Greenwood, Sharon Porter).
* The paper's own oddities, one finding per rule (``PAPER_RULES``), from what the seed recorded
  in the events' ``source`` (``seed.source.oddities``), each naming its document and line:
  look-alike RACI letters, a merged row, status words in the Approved By cell, "(as above)"
  rows whose dates differ, an outlier sign-off date, an outcome reported Complete that a later
  sign-off contradicts, a table without its header, durations that do not add up, dates the
  paper does not give (assumed), one milestone dated differently in different papers, an
  achievement inferred from a later paper, an undated paper, a date without its year and a
  reference dated differently from its paper.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date, datetime

import msgspec

from tracker.backdating import lateness
from tracker.calendar import WorkingCalendar
from tracker.events.values import PersonRef
from tracker.projections.read_model.views import LateEntry, PaperNote, ProgrammeView
from tracker.projections.reports.gates import reopened_after_passing
from tracker.projections.reports.sealing import seal
from tracker.rag import RagThresholds

CODES: tuple[str, ...] = (
    "milestone_out_of_sequence",
    "signed_off_after_closure",
    "no_approver",
    "duplicate_title",
    "name_variants",
    "recorded_late",
    "gate_item_reopened",
    "approver_not_on_roster",
)

PAPER_RULES: dict[str, str] = {
    "raci_lookalike": "RACI letters printed with look-alike Greek or Cyrillic capitals",
    "merged_row": "A row that holds several deliverables",
    "status_in_approver_cell": "Status words printed in the Approved By cell",
    "as_above_dates_differ": 'Rows marked "(as above)" whose dates differ from the row above',
    "outlier_sign_off_date": "A sign-off date far from every other",
    "outcome_status_contradicted": "An outcome reported Complete that a later sign-off contradicts",
    "missing_header": "A table whose header row lacks a column",
    "durations_do_not_add_up": "Durations that do not add up",
    "date_assumed": "Dates the paper does not give, assumed by the seed",
    "risks_not_itemised": "Risks the paper mentions without listing them",
    "risk_not_scored": "Risks the paper names without scoring them",
    "dated_differently_across_papers": "One milestone dated differently in different papers",
    "achievement_inferred": "Achievements no paper reports, inferred from a later paper",
    "undated_paper": "A paper that prints no date",
    "date_without_year": "A date printed without its year",
    "reference_date_differs": "A paper whose reference is dated differently from the paper",
}
"""The paper oddities the seed records (``seed.source.oddities``), in the order reported; a
rule not listed here is reported after them under its own code."""


class Finding(msgspec.Struct, kw_only=True):
    id: str
    code: str
    message: str
    item_ids: list[str]


class DataQualityReport(msgspec.Struct, kw_only=True):
    key: str
    name: str
    today: date
    findings: list[Finding]
    position: int
    as_of: datetime | None = None
    known_at: datetime | None = None
    content_hash: str = ""


def finding(code: str, message: str, item_ids: list[str]) -> Finding:
    digest = hashlib.sha256("\n".join(item_ids).encode()).hexdigest()[:12]
    return Finding(id=f"{code}:{digest}", code=code, message=message, item_ids=item_ids)


def _normal(text: str) -> str:
    return " ".join(text.split())


def milestones_out_of_sequence(view: ProgrammeView) -> list[Finding]:
    """A milestone listed after another in its workstream but dated wholly before it. An
    assumed baseline (not in the source) takes no part: an assumption raises no finding."""
    found: list[Finding] = []
    previous_in: dict[str | None, str] = {}
    for item in view.milestones.values():
        if item.baseline.assumed:
            continue
        previous_id = previous_in.get(item.workstream)
        previous_in[item.workstream] = item.id
        if previous_id is None:
            continue
        previous = view.milestones[previous_id]
        if item.baseline.last_day < previous.baseline.date:
            where = f" in workstream {item.workstream}" if item.workstream else ""
            found.append(
                finding(
                    "milestone_out_of_sequence",
                    f"Milestone '{item.title}' (baseline {item.baseline}) is listed after "
                    f"'{previous.title}' (baseline {previous.baseline}){where} but is dated "
                    "earlier",
                    [item.id, previous.id],
                )
            )
    return found


def signed_off_after_closure(view: ProgrammeView) -> list[Finding]:
    submitted = view.closure.submitted_on
    if submitted is None:
        return []
    return [
        finding(
            "signed_off_after_closure",
            f"Deliverable '{item.title}' was signed off {item.signed_off_on.isoformat()}, after "
            f"the closure report that lists it was submitted {submitted.isoformat()}",
            [item.id],
        )
        for item in view.deliverables.values()
        if item.signed_off_on is not None and item.signed_off_on > submitted
    ]


def no_approver(view: ProgrammeView) -> list[Finding]:
    return [
        finding(
            "no_approver",
            f"Deliverable '{item.title}' has no approver and is not deferred",
            [item.id],
        )
        for item in view.deliverables.values()
        if not item.approvers and item.state != "deferred" and not item.due_assumed
    ]


def duplicate_titles(view: ProgrammeView) -> list[Finding]:
    groups: dict[tuple[int | None, str], list[str]] = {}
    for item in view.deliverables.values():
        key = (item.outcome_number, _normal(item.title).casefold())
        groups.setdefault(key, []).append(item.id)
    found: list[Finding] = []
    for (outcome, _), ids in groups.items():
        if len(ids) < 2:
            continue
        title = view.deliverables[ids[0]].title
        where = f"Outcome {outcome}" if outcome is not None else "Deliverables outside any outcome"
        found.append(
            finding(
                "duplicate_title",
                f"{where} lists '{title}' {len(ids)} times",
                ids,
            )
        )
    return found


def _named(view: ProgrammeView) -> Iterable[tuple[str, str, str]]:
    """(e-mail, name, item id) for every place the view names a person with a name."""
    for member in view.roster.values():
        yield member.email, member.name, f"roster:{member.email}"
    for delegation in view.delegations.values():
        yield delegation.deputy, delegation.deputy_name, delegation.id
    for item in view.deliverables.values():
        for ref in (*item.approvers, *item.endorsers):
            yield ref.email, ref.name, item.id
    for risk in view.raid.values():
        yield risk.owner.email, risk.owner.name, risk.id
    closure = view.closure
    refs: list[PersonRef] = [*closure.endorsers, *closure.informed]
    if closure.approver is not None:
        refs.append(closure.approver)
    for ref in refs:
        yield ref.email, ref.name, "closure"


def name_variants(view: ProgrammeView) -> list[Finding]:
    names: dict[str, dict[str, dict[str, None]]] = {}
    for email, name, item_id in _named(view):
        if not name.strip():
            continue
        by_name = names.setdefault(email.lower(), {})
        by_name.setdefault(_normal(name), {})[item_id] = None
    found: list[Finding] = []
    for email, by_name in names.items():
        if len(by_name) < 2:
            continue
        spelt = ", ".join(
            f"'{name}' ({len(ids)} {'place' if len(ids) == 1 else 'places'})"
            for name, ids in by_name.items()
        )
        item_ids = list(dict.fromkeys(i for ids in by_name.values() for i in ids))
        found.append(
            finding("name_variants", f"{email} is named {len(by_name)} ways: {spelt}", item_ids)
        )
    return found


def _entry_title(view: ProgrammeView, stream_id: str) -> str:
    kind, _, identifier = stream_id.partition(":")
    if kind == "deliverable" and identifier in view.deliverables:
        return f"deliverable '{view.deliverables[identifier].title}'"
    if kind == "milestone" and identifier in view.milestones:
        return f"milestone '{view.milestones[identifier].title}'"
    if kind == "risk" and identifier in view.raid:
        return view.raid[identifier].ref
    if kind == "gate" and identifier in view.gates:
        return f"gate '{view.gates[identifier].title}'"
    return f"programme '{view.name or view.key}'"


def _words(event_type: str) -> str:
    """ "DeliverableApproved" -> "approved": the verb of the event's name."""
    words = re.findall(r"[A-Z][a-z]*", event_type)
    return " ".join(w.lower() for w in words[1:]) or event_type


def recorded_late(view: ProgrammeView) -> list[Finding]:
    by_reason: dict[str, list[LateEntry]] = {}
    for entry in view.late_entries:
        by_reason.setdefault(entry.mark.reason, []).append(entry)
    found: list[Finding] = []
    for reason, entries in by_reason.items():
        ids = list(dict.fromkeys(e.stream_id.partition(":")[2] for e in entries))
        if len(entries) == 1:
            [only] = entries
            mark = only.mark
            message = (
                f"The {_words(only.type)} of {_entry_title(view, only.stream_id)}, dated "
                f"{mark.on.isoformat()}, was {lateness(mark.on, mark.recorded_on)}: {reason}"
            )
        else:
            latest = max(entries, key=lambda e: (e.mark.recorded_on - e.mark.on).days).mark
            first = min(e.mark.on for e in entries)
            last = max(e.mark.on for e in entries)
            things = f"{len(ids)} item{'s' if len(ids) != 1 else ''}"
            message = (
                f"{len(entries)} entries on {things}, dated {first.isoformat()} to "
                f"{last.isoformat()}, were recorded back-dated, the longest "
                f"{lateness(latest.on, latest.recorded_on)}: {reason}"
            )
        found.append(finding("recorded_late", message, ids))
    return found


def gate_items_reopened(view: ProgrammeView) -> list[Finding]:
    found: list[Finding] = []
    for gate, undone in reopened_after_passing(view):
        items = "; ".join(f"{c.kind} '{c.title}' is {c.status.replace('_', ' ')}" for c in undone)
        found.append(
            finding(
                "gate_item_reopened",
                f"Gate '{gate.title}' passed on {gate.passed_on} but no longer holds: {items}",
                [gate.id, *(c.id for c in undone)],
            )
        )
    return found


def approver_not_on_roster(view: ProgrammeView) -> list[Finding]:
    by_person: dict[str, list[str]] = {}
    for item in view.deliverables.values():
        for ref in item.approvers:
            if ref.email not in view.roster:
                by_person.setdefault(ref.email, []).append(item.id)
    if not by_person:
        return []
    people = "; ".join(
        f"{_name_of(view, email)} ({len(ids)} deliverable{'s' if len(ids) != 1 else ''})"
        for email, ids in by_person.items()
    )
    ids = list(dict.fromkeys(i for found in by_person.values() for i in found))
    return [
        finding(
            "approver_not_on_roster",
            f"Approvers not on the programme's roster: {people}",
            ids,
        )
    ]


def _name_of(view: ProgrammeView, email: str) -> str:
    return view.people.get(email, email)


def _where(document: str, line: str) -> str:
    """ "003 line 391": the paper by its number, and the line."""
    paper = document.split("_", 1)[0] if document[:3].isdigit() else document
    return f"{paper} line {line}" if line else paper


def paper_oddities(view: ProgrammeView) -> list[Finding]:
    """One finding per rule, each oddity with its paper and line."""
    by_rule: dict[str, list[PaperNote]] = {}
    for note in view.paper_notes:
        by_rule.setdefault(note.rule, []).append(note)
    ordered = [r for r in PAPER_RULES if r in by_rule] + sorted(set(by_rule) - set(PAPER_RULES))
    found: list[Finding] = []
    for rule in ordered:
        notes = by_rule[rule]
        heading = PAPER_RULES.get(rule, rule.replace("_", " ").capitalize())
        listed = "; ".join(f"{n.text} ({_where(n.document, n.line)})" for n in notes)
        ids = list(dict.fromkeys(n.stream_id.partition(":")[2] for n in notes))
        found.append(finding(rule, f"{heading}: {listed}", ids))
    return found


def findings(view: ProgrammeView) -> list[Finding]:
    """Every finding, grouped by code in the order of ``CODES``."""
    return [
        *milestones_out_of_sequence(view),
        *signed_off_after_closure(view),
        *no_approver(view),
        *duplicate_titles(view),
        *name_variants(view),
        *recorded_late(view),
        *gate_items_reopened(view),
        *approver_not_on_roster(view),
        *paper_oddities(view),
    ]


def finding_count(view: ProgrammeView) -> int:
    """``len(findings(view))`` without writing the messages: ``recorded_late`` is one finding
    per reason given, which a set counts in a fortieth of the time its messages take (the
    portfolio counts findings for every programme it lists)."""
    late = len({entry.mark.reason for entry in view.late_entries})
    return (
        late
        + sum(
            len(rule(view))
            for rule in (
                milestones_out_of_sequence,
                signed_off_after_closure,
                no_approver,
                duplicate_titles,
                name_variants,
                gate_items_reopened,
                approver_not_on_roster,
            )
        )
        + len({note.rule for note in view.paper_notes})
    )


def data_quality(
    view: ProgrammeView,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    *,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
) -> DataQualityReport:
    """The findings do not depend on ``today``, ``calendar`` or ``thresholds``: they are taken
    for a uniform signature and ``today`` is stamped for the record."""
    return seal(
        DataQualityReport(
            key=view.key,
            name=view.name,
            today=today,
            findings=findings(view),
            position=view.position,
            as_of=as_of,
            known_at=known_at,
        )
    )


__all__ = [
    "CODES",
    "PAPER_RULES",
    "DataQualityReport",
    "Finding",
    "approver_not_on_roster",
    "data_quality",
    "duplicate_titles",
    "finding",
    "finding_count",
    "findings",
    "gate_items_reopened",
    "milestones_out_of_sequence",
    "name_variants",
    "no_approver",
    "paper_oddities",
    "recorded_late",
    "signed_off_after_closure",
]
