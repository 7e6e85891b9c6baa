"""Folding events into a ``ProgrammeView``: the one place the read side's rules live.

``apply`` mutates the view it is given: the fold owns its accumulator, so folding 1,000,000
events does not copy a programme per event. Callers that need an unchanged view copy it first
(``copy_view``).

The same ``apply`` serves every path: a full fold from the store, the projector (on a *partial*
view: the header plus the items its batch touches, ``touch`` says which), a snapshot plus
the events after it, and the read model's rows plus the events the projector has not folded
yet. An item event whose item is not in the view changes only the header's bookkeeping
(position, counts, times), so a caller folding a partial view must load every item the events
name first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from uuid import UUID

import msgspec

from tracker.context import local_date
from tracker.deliverables import deliverable_stream
from tracker.events.base import StoredEvent
from tracker.events.closure import (
    ClosureReportApproved,
    ClosureReportEndorsed,
    ClosureReportSubmitted,
    ProgrammeClosed,
)
from tracker.events.deliverables import (
    DeliverableApproved,
    DeliverableDeferred,
    DeliverableEndorsed,
    DeliverablePlanned,
    DeliverableReinstated,
    DeliverableReopened,
    DeliverableReplanned,
    DeliverableResubmitted,
    DeliverableReturned,
    DeliverableSignatoriesChanged,
    DeliverableSignedOff,
    DeliverableSubmitted,
)
from tracker.events.gates import GateApproved, GateDefined, GatePassed
from tracker.events.milestones import (
    MilestoneAchieved,
    MilestoneBaselined,
    MilestoneRebaselined,
    MilestoneReforecast,
)
from tracker.events.programmes import (
    CloseOutRecommendationRecorded,
    DeliverableListed,
    DeputyAppointed,
    DeputyRevoked,
    GateListed,
    LearningPointRecorded,
    MilestoneListed,
    NextStepRecorded,
    OutcomeDefined,
    ProgrammeDescribed,
    ProgrammeRegistered,
    RaidRefReserved,
    RosterMemberAssigned,
    RosterMemberChanged,
    RosterMemberRevoked,
    WorkstreamAdded,
)
from tracker.events.risks import (
    RiskClosed,
    RiskOwnerChanged,
    RiskRaised,
    RiskRescored,
    RiskUpdateLogged,
)
from tracker.events.values import PersonRef
from tracker.gates import gate_stream
from tracker.milestones import milestone_stream
from tracker.projections.read_model.views import (
    ClosureView,
    Delegation,
    DeliverableView,
    GateView,
    HistoryEntry,
    LateEntry,
    LateMark,
    MilestoneChange,
    MilestoneView,
    NumberedNote,
    PaperNote,
    ProgrammeView,
    Provenance,
    RaidUpdate,
    RaidView,
    RosterEntry,
    Signature,
)
from tracker.risks import risk_stream

_ITEM_LEVEL = (
    DeliverablePlanned,
    DeliverableReplanned,
    DeliverableSignatoriesChanged,
    DeliverableSubmitted,
    DeliverableResubmitted,
    DeliverableEndorsed,
    DeliverableApproved,
    DeliverableSignedOff,
    DeliverableReturned,
    DeliverableDeferred,
    DeliverableReinstated,
    DeliverableReopened,
    MilestoneBaselined,
    MilestoneReforecast,
    MilestoneRebaselined,
    MilestoneAchieved,
    RiskRaised,
    RiskRescored,
    RiskUpdateLogged,
    RiskOwnerChanged,
    RiskClosed,
)
"""Events of item streams (deliverable, milestone, RAID), handled by ``_apply_item``: none of
them has a case in ``apply``'s match, which would send them to ``_apply_item`` anyway; testing
them first skips the match. A type missing here still works (through the match), only slower."""


@functools.lru_cache(maxsize=1 << 17)
def _text(identifier: object) -> str:
    """An id as the views key it: ``str(UUID)`` costs about a microsecond, and a fold asks
    for the same few thousand ids again and again."""
    return str(identifier)


ItemRef = tuple[str, UUID]
"""(kind, id) of an item row: kind ``deliverable``, ``milestone`` or ``raid``."""

Touch = tuple[str, ItemRef | None]
"""What an event acts on: its programme, and its item (None for the programme stream)."""

_ITEM_STREAMS: dict[str, tuple[str, str]] = {
    "deliverable": ("deliverable", "deliverable_id"),
    "milestone": ("milestone", "milestone_id"),
    "risk": ("raid", "item_id"),
}
"""Item stream category: (item kind, the id field of its events)."""
_HEADER_STREAMS: frozenset[str] = frozenset({"programme", "gate"})
"""Stream categories folded into the programme's header: the programme's own, and its phase
gates (a programme has a handful; the header holds them, ``ProgrammeView.gates``)."""


def touch(event: StoredEvent) -> Touch | None:
    """The programme whose history an event is part of, and the item it acts on; None for an
    event of no programme (people, tokens, and the reminder and mute streams, which carry a
    programme key but are not its history)."""
    category = event.stream_id.partition(":")[0]
    key = getattr(event.data, "programme_key", None)
    if not isinstance(key, str):
        return None
    if category in _HEADER_STREAMS:
        return (key, None)
    found = _ITEM_STREAMS.get(category)
    if found is None:
        return None
    kind, field = found
    return (key, (kind, getattr(event.data, field)))


def belongs_to(event: StoredEvent) -> str | None:
    """The programme an event is part of the history of, or None (see ``touch``)."""
    found = touch(event)
    return found[0] if found is not None else None


def fold(key: str, events: Iterable[StoredEvent]) -> ProgrammeView:
    view = ProgrammeView(key=key)
    for event in events:
        apply(view, event)
    return view


_view_encoder = msgspec.msgpack.Encoder()
_view_decoder = msgspec.msgpack.Decoder(ProgrammeView)


def copy_view(view: ProgrammeView) -> ProgrammeView:
    """A deep copy, to fold further without changing ``view``."""
    return _view_decoder.decode(_view_encoder.encode(view))


def _provenance(event: StoredEvent) -> Provenance:
    return Provenance(
        position=event.position,
        stream_id=event.stream_id,
        version=event.version,
        source=dict(event.metadata.source),
    )


def _learn(view: ProgrammeView, people: Iterable[PersonRef]) -> None:
    for person in people:
        if person.name and person.email not in view.people:
            view.people[person.email] = person.name


def _name(view: ProgrammeView, email: str) -> str:
    return view.people.get(email, email)


def _signature(
    view: ProgrammeView, event: StoredEvent, actor: str, behalf: str | None
) -> Signature:
    person = behalf or actor
    return Signature(
        person=person,
        name=_name(view, person),
        actor=actor,
        actor_name=_name(view, actor),
        on_behalf_of=behalf,
        on=event.occurred_at.date(),
        recorded_at=event.recorded_at,
    )


def _late(event: StoredEvent) -> LateMark | None:
    reason = event.metadata.backdating_reason
    if not reason:
        return None
    return LateMark(
        on=local_date(event.occurred_at), recorded_on=local_date(event.recorded_at), reason=reason
    )


ODDITY = "oddity"
"""The ``source`` key where the seed records a paper's oddities (``seed.source.oddities``)."""


def _note_oddities(view: ProgrammeView, stream_id: str, source: Mapping[str, str]) -> None:
    """Each "rule: sentence" line once per paper line: several events cite one row."""
    document, line = source.get("document", ""), source.get("line", "")
    for entry in source[ODDITY].splitlines():
        rule, _, text = entry.partition(": ")
        seen = any(
            n.rule == rule and n.document == document and n.line == line and n.text == text
            for n in view.paper_notes
        )
        if not seen:
            view.paper_notes.append(
                PaperNote(rule=rule, text=text, stream_id=stream_id, document=document, line=line)
            )


def apply(view: ProgrammeView, event: StoredEvent) -> None:
    data = event.data
    view.position = event.position
    view.events += 1
    late = _late(event)
    if late is not None:
        view.late_entries.append(LateEntry(stream_id=event.stream_id, type=event.type, mark=late))
    source = event.metadata.source
    if ODDITY in source:
        _note_oddities(view, event.stream_id, source)
    if view.occurred_until is None or event.occurred_at > view.occurred_until:
        view.occurred_until = event.occurred_at
    if view.recorded_until is None or event.recorded_at > view.recorded_until:
        view.recorded_until = event.recorded_at
    if isinstance(data, _ITEM_LEVEL):
        _apply_item(view, event)
        return
    if event.stream_id.startswith("programme:"):
        view.version = event.version
    on = event.occurred_at.date()
    match data:
        case ProgrammeRegistered():
            view.name, view.purpose, view.scope = data.name, data.purpose, data.scope
            view.governance = data.governance
            view.starts_on, view.planned_end_on = data.starts_on, data.planned_end_on
        case ProgrammeDescribed():
            view.name, view.purpose, view.scope = data.name, data.purpose, data.scope
            view.governance = data.governance
        case WorkstreamAdded():
            view.workstreams[data.workstream] = data.title
            if data.description:
                view.workstream_descriptions[data.workstream] = data.description
        case RosterMemberAssigned() | RosterMemberChanged():
            view.people[data.email] = data.name
            view.roster[data.email] = RosterEntry(
                email=data.email,
                name=data.name,
                role_title=data.role_title,
                raci=data.raci,
                provenance=_provenance(event),
            )
        case RosterMemberRevoked():
            view.roster.pop(data.email, None)
        case DeputyAppointed():
            if data.deputy_name:
                view.people.setdefault(data.deputy, data.deputy_name)
            view.delegations[str(data.delegation_id)] = Delegation(
                id=str(data.delegation_id),
                deputy=data.deputy,
                deputy_name=data.deputy_name or _name(view, data.deputy),
                principal=data.principal,
                starts_on=data.starts_on,
                ends_on=data.ends_on,
            )
        case DeputyRevoked():
            delegation = view.delegations.get(str(data.delegation_id))
            if delegation is not None:
                delegation.revoked_on = data.revoked_on
        case OutcomeDefined():
            view.outcomes[data.number] = data.title
            if status := event.metadata.source.get("status"):
                view.outcome_source_status[data.number] = status
        case LearningPointRecorded():
            view.learning_points.append(
                NumberedNote(
                    id=str(data.learning_point_id),
                    number=data.number,
                    description=data.description,
                    recommendation=data.recommendation,
                    responsible=data.responsible,
                    provenance=_provenance(event),
                )
            )
        case CloseOutRecommendationRecorded():
            view.recommendations.append(
                NumberedNote(
                    id=str(data.recommendation_id),
                    number=data.number,
                    description=data.description,
                    responsible=data.responsible,
                    provenance=_provenance(event),
                )
            )
        case NextStepRecorded():
            view.next_steps.append(
                NumberedNote(
                    id=str(data.next_step_id),
                    number=data.number,
                    description=data.description,
                    responsible=data.responsible,
                    deliverable_id=str(data.deliverable_id) if data.deliverable_id else None,
                    provenance=_provenance(event),
                )
            )
        case ClosureReportSubmitted():
            _learn(view, (data.approver, *data.endorsers, *data.informed))
            view.lifecycle = "closing"
            view.closure = ClosureView(
                state="submitted",
                revision=data.revision,
                approver=data.approver,
                endorsers=list(data.endorsers),
                informed=list(data.informed),
                submitted_on=on,
                summary=data.summary,
                presenters=list(data.presenters),
                sections=list(data.sections),
                provenance=_provenance(event),
            )
        case ClosureReportEndorsed():
            view.closure.endorsements.append(_signature(view, event, data.actor, data.on_behalf_of))
        case ClosureReportApproved():
            view.closure.state = "approved"
            view.closure.approval = _signature(view, event, data.actor, data.on_behalf_of)
            view.closure.override_reason = data.override_reason
            view.closure.endorsements_missing_at_approval = list(data.endorsements_missing)
        case ProgrammeClosed():
            view.lifecycle = "closed"
            view.closed_on = data.closed_on
        case DeliverableListed():
            _listed(view, view.deliverables, data.deliverable_id, deliverable_stream)
        case MilestoneListed():
            _listed(view, view.milestones, data.milestone_id, milestone_stream)
        case RaidRefReserved():
            _listed(view, view.raid, data.item_id, risk_stream)
        case GateListed():
            _listed(view, view.gates, data.gate_id, gate_stream)
        case GateDefined():
            _learn(view, data.approvers)
            _opened(view, event)
            view.gates[_text(data.gate_id)] = GateView(
                id=_text(data.gate_id),
                title=data.title,
                order=data.order,
                deliverables=[_text(i) for i in data.deliverables],
                milestones=[_text(i) for i in data.milestones],
                approvers=list(data.approvers),
                defined_on=on,
                provenance=_provenance(event),
                version=event.version,
            )
        case GateApproved():
            gate = view.gates.get(_text(data.gate_id))
            if gate is not None:
                gate.approvals.append(_signature(view, event, data.actor, data.on_behalf_of))
                gate.version = event.version
        case GatePassed():
            gate = view.gates.get(_text(data.gate_id))
            if gate is not None:
                gate.passed_on = on
                gate.version = event.version
        case _:
            _apply_item(view, event)


def _listed(
    view: ProgrammeView, items: Mapping[str, object], item_id: UUID, stream: Callable[[UUID], str]
) -> None:
    """An item listed in the programme stream: its own stream is unopened until its first
    event is folded (the two are one append, but a page of the log may end between them)."""
    if _text(item_id) not in items:
        name = stream(item_id)
        if name not in view.unopened:
            view.unopened.append(name)


def _opened(view: ProgrammeView, event: StoredEvent) -> None:
    if view.unopened and event.stream_id in view.unopened:
        view.unopened.remove(event.stream_id)


def _name_count(view: ProgrammeView, refs: Iterable[PersonRef], step: int) -> None:
    # Each person once, in the order named: a set's order would differ between processes
    # (string hashing is randomised), and the rows are compared byte for byte.
    for email in dict.fromkeys(p.email for p in refs):
        left = view.named.get(email, 0) + step
        if left > 0:
            view.named[email] = left
        else:
            view.named.pop(email, None)


_CREATES = frozenset({DeliverablePlanned, MilestoneBaselined, RiskRaised})
"""The events that create an item (its stream's first event)."""


def _apply_item(view: ProgrammeView, event: StoredEvent) -> None:
    data = event.data
    if type(data) in _CREATES:
        _create(view, event)
        return
    deliverable_id = getattr(data, "deliverable_id", None)
    if deliverable_id is not None:
        deliverable = view.deliverables.get(_text(deliverable_id))
        if deliverable is not None:
            _apply_deliverable(view, deliverable, event)
            deliverable.version = event.version
            return
    milestone_id = getattr(data, "milestone_id", None)
    if milestone_id is not None:
        milestone = view.milestones.get(_text(milestone_id))
        if milestone is not None:
            _apply_milestone(milestone, event)
            milestone.version = event.version
            return
    item_id = getattr(data, "item_id", None)
    if item_id is not None:
        raid = view.raid.get(_text(item_id))
        if raid is not None:
            _apply_raid(view, raid, event)
            raid.version = event.version


def _create(view: ProgrammeView, event: StoredEvent) -> None:
    data = event.data
    on = event.occurred_at.date()
    match data:
        case DeliverablePlanned():
            _learn(view, (*data.approvers, *data.endorsers))
            _opened(view, event)
            _name_count(view, (*data.approvers, *data.endorsers), +1)
            view.deliverables[_text(data.deliverable_id)] = DeliverableView(
                id=_text(data.deliverable_id),
                title=data.title,
                due_on=data.due_on,
                approvers=list(data.approvers),
                endorsers=list(data.endorsers),
                outcome_number=data.outcome_number,
                workstream=data.workstream,
                due_assumed=data.due_assumed,
                history=[
                    HistoryEntry(
                        on=on,
                        what="planned",
                        detail=f"due {data.due_on}" + (" (assumed)" if data.due_assumed else ""),
                    )
                ],
                provenance=_provenance(event),
                version=event.version,
            )
        case MilestoneBaselined():
            _opened(view, event)
            view.milestones[_text(data.milestone_id)] = MilestoneView(
                id=_text(data.milestone_id),
                title=data.title,
                original_baseline=data.baseline,
                baseline=data.baseline,
                forecast=data.baseline,
                workstream=data.workstream,
                provenance=_provenance(event),
                source_status=event.metadata.source.get("status", ""),
                version=event.version,
            )
        case RiskRaised():
            _learn(view, (data.owner,))
            _opened(view, event)
            view.raid[_text(data.item_id)] = RaidView(
                id=_text(data.item_id),
                ref=data.ref,
                kind=data.kind,
                description=data.description,
                owner=data.owner,
                raised_on=on,
                impact=data.impact,
                likelihood=data.likelihood,
                mitigation=data.mitigation,
                provenance=_provenance(event),
                version=event.version,
            )
        case _:
            pass


def _apply_deliverable(view: ProgrammeView, item: DeliverableView, event: StoredEvent) -> None:
    data = event.data
    on = event.occurred_at.date()
    match data:
        case DeliverableReplanned():
            item.history.append(
                HistoryEntry(
                    on=on,
                    what="replanned",
                    detail=f"{data.previous_due_on} -> {data.due_on}: {data.reason}",
                )
            )
            item.due_on = data.due_on
            item.due_assumed = False  # a re-planned date is a decision, no longer a placeholder
        case DeliverableSignatoriesChanged():
            _learn(view, (*data.approvers, *data.endorsers))
            _name_count(view, (*item.approvers, *item.endorsers), -1)
            _name_count(view, (*data.approvers, *data.endorsers), +1)
            item.approvers, item.endorsers = list(data.approvers), list(data.endorsers)
            item.history.append(HistoryEntry(on=on, what="signatories changed", detail=data.reason))
        case DeliverableSubmitted() | DeliverableResubmitted():
            item.state, item.round, item.submitted_on = "submitted", data.round, on
            item.endorsements, item.approvals, item.returned_comment = [], [], None
            item.history.append(
                HistoryEntry(on=on, what="submitted", detail=data.note, actor=event.metadata.actor)
            )
        case DeliverableEndorsed():
            item.endorsements.append(_signature(view, event, data.actor, data.on_behalf_of))
        case DeliverableApproved():
            item.approvals.append(_signature(view, event, data.actor, data.on_behalf_of))
        case DeliverableSignedOff():
            item.state, item.signed_off_on = "signed_off", on
            item.signed_off_late = _late(event)
            item.history.append(HistoryEntry(on=on, what="signed off"))
        case DeliverableReturned():
            item.state, item.returned_comment = "returned", data.comment
            item.history.append(
                HistoryEntry(on=on, what="returned", detail=data.comment, actor=data.actor)
            )
        case DeliverableDeferred():
            item.state = "deferred"
            item.deferred_reason, item.deferred_destination = data.reason, data.destination
            item.history.append(
                HistoryEntry(on=on, what="deferred", detail=f"{data.destination}: {data.reason}")
            )
        case DeliverableReinstated():
            item.state, item.deferred_reason, item.deferred_destination = "planned", None, None
            item.history.append(HistoryEntry(on=on, what="reinstated", detail=data.reason))
        case DeliverableReopened():
            item.state, item.signed_off_on, item.signed_off_late = "planned", None, None
            item.endorsements, item.approvals = [], []
            item.history.append(HistoryEntry(on=on, what="reopened", detail=data.reason))
        case _:
            pass


def _apply_milestone(item: MilestoneView, event: StoredEvent) -> None:
    data = event.data
    on = event.occurred_at.date()
    status = event.metadata.source.get("status") if event.metadata.source else None
    if status:
        item.source_status = status
    match data:
        case MilestoneReforecast():
            item.changes.append(
                MilestoneChange(
                    on=on,
                    kind="reforecast",
                    value=data.forecast,
                    previous=data.previous_forecast,
                    reason=data.reason,
                )
            )
            item.forecast = data.forecast
        case MilestoneRebaselined():
            item.changes.append(
                MilestoneChange(
                    on=on,
                    kind="rebaseline",
                    value=data.baseline,
                    previous=data.previous_baseline,
                    reason=data.reason,
                )
            )
            if item.forecast == item.baseline:
                item.forecast = data.baseline
            item.baseline = data.baseline
        case MilestoneAchieved():
            item.actual = data.actual
        case _:
            pass


def _apply_raid(view: ProgrammeView, item: RaidView, event: StoredEvent) -> None:
    data = event.data
    on = event.occurred_at.date()
    match data:
        case RiskRescored():
            item.impact, item.likelihood = data.impact, data.likelihood
            if data.reason:
                item.updates.append(RaidUpdate(on=on, text=f"Re-scored: {data.reason}"))
        case RiskUpdateLogged():
            item.updates.append(RaidUpdate(on=data.logged_on, text=data.text))
        case RiskOwnerChanged():
            _learn(view, (data.owner,))
            item.owner = data.owner
        case RiskClosed():
            item.is_open, item.closed_on, item.closing_note = False, on, data.note
        case _:
            pass
