"""Closing notes of a programme: learning points, close-out recommendations and next steps
(agreed closure actions). Numbered as in the report; a number is allocated when not given.
Recording them is a plan change: refused once the programme is closed. Pure."""

from __future__ import annotations

from uuid import UUID

from tracker.commands import RecordCloseOutRecommendation, RecordLearningPoint, RecordNextStep
from tracker.context import Context
from tracker.errors import InvalidInput, NotFound, RuleBroken
from tracker.events.programmes import (
    CloseOutRecommendationRecorded,
    LearningPointRecorded,
    NextStepRecorded,
)
from tracker.programmes import Numbered, ProgrammeEvent, ProgrammeState, required_text


def _number(taken: tuple[Numbered, ...], wanted: int | None, what: str) -> int:
    if wanted is None:
        return max((n.number for n in taken), default=0) + 1
    if wanted < 1:
        raise InvalidInput(f"{what} number must be 1 or more, got {wanted}")
    if any(n.number == wanted for n in taken):
        raise RuleBroken(f"duplicate_{what.replace(' ', '_')}", f"{what} {wanted} already exists")
    return wanted


def _fresh_id(taken: tuple[Numbered, ...], item_id: UUID, what: str) -> UUID:
    if any(n.item_id == item_id for n in taken):
        raise RuleBroken("already_exists", f"{what} {item_id} already exists")
    return item_id


def decide_record_learning_point(
    state: ProgrammeState, command: RecordLearningPoint, context: Context, *, new_id: UUID
) -> list[ProgrammeEvent]:
    state.require_registered(command.programme_key)
    state.require_open("recording a learning point")
    return [
        LearningPointRecorded(
            programme_key=state.key,
            learning_point_id=_fresh_id(state.learning_points, new_id, "learning point"),
            number=_number(state.learning_points, command.number, "learning point"),
            description=required_text(command.description, "description"),
            recommendation=command.recommendation.strip(),
            responsible=command.responsible.strip(),
        )
    ]


def decide_record_recommendation(
    state: ProgrammeState,
    command: RecordCloseOutRecommendation,
    context: Context,
    *,
    new_id: UUID,
) -> list[ProgrammeEvent]:
    state.require_registered(command.programme_key)
    state.require_open("recording a close-out recommendation")
    return [
        CloseOutRecommendationRecorded(
            programme_key=state.key,
            recommendation_id=_fresh_id(state.recommendations, new_id, "recommendation"),
            number=_number(state.recommendations, command.number, "recommendation"),
            description=required_text(command.description, "description"),
            responsible=command.responsible.strip(),
        )
    ]


def decide_record_next_step(
    state: ProgrammeState, command: RecordNextStep, context: Context, *, new_id: UUID
) -> list[ProgrammeEvent]:
    state.require_registered(command.programme_key)
    state.require_open("recording a next step")
    if command.deliverable_id is not None and command.deliverable_id not in state.deliverables:
        raise NotFound(
            f"deliverable {command.deliverable_id} is not in programme {state.key!r}",
            code="deliverable_not_found",
        )
    return [
        NextStepRecorded(
            programme_key=state.key,
            next_step_id=_fresh_id(state.next_steps, new_id, "next step"),
            number=_number(state.next_steps, command.number, "next step"),
            description=required_text(command.description, "description"),
            responsible=command.responsible.strip(),
            deliverable_id=command.deliverable_id,
        )
    ]
