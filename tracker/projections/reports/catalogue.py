"""The reports of one programme by name: ``render(name, view, question)``."""

from __future__ import annotations

from typing import Final, Literal, overload

from tracker.projections.read_model.views import ProgrammeView
from tracker.projections.reports import closure_report as _closure
from tracker.projections.reports import data_quality as _quality
from tracker.projections.reports import gates as _gates
from tracker.projections.reports import milestone_board as _board
from tracker.projections.reports import raid_log as _raid
from tracker.projections.reports import signoff_status as _signoffs
from tracker.projections.reports.closure_report import ClosureReport
from tracker.projections.reports.data_quality import DataQualityReport
from tracker.projections.reports.gates import GateBoard
from tracker.projections.reports.milestone_board import MilestoneBoard
from tracker.projections.reports.question import Question
from tracker.projections.reports.raid_log import RaidLog
from tracker.projections.reports.signoff_status import SignOffStatus

ReportName = Literal["signoffs", "milestones", "gates", "risks", "data-quality", "closure-report"]
Report = SignOffStatus | MilestoneBoard | GateBoard | RaidLog | DataQualityReport | ClosureReport

REPORTS: Final[tuple[ReportName, ...]] = (
    "signoffs",
    "milestones",
    "gates",
    "risks",
    "data-quality",
    "closure-report",
)


@overload
def render(
    report: Literal["signoffs"], view: ProgrammeView, question: Question
) -> SignOffStatus: ...


@overload
def render(
    report: Literal["milestones"], view: ProgrammeView, question: Question
) -> MilestoneBoard: ...


@overload
def render(report: Literal["gates"], view: ProgrammeView, question: Question) -> GateBoard: ...


@overload
def render(report: Literal["risks"], view: ProgrammeView, question: Question) -> RaidLog: ...


@overload
def render(
    report: Literal["data-quality"], view: ProgrammeView, question: Question
) -> DataQualityReport: ...


@overload
def render(
    report: Literal["closure-report"], view: ProgrammeView, question: Question
) -> ClosureReport: ...


@overload
def render(report: ReportName, view: ProgrammeView, question: Question) -> Report: ...


def render(report: ReportName, view: ProgrammeView, question: Question) -> Report:
    """The report named ``report`` of ``view``, answering ``question``."""
    q = question
    args = (view, q.today, q.calendar, q.thresholds)
    match report:
        case "signoffs":
            return _signoffs.signoff_status(*args, as_of=q.as_of, known_at=q.known_at)
        case "milestones":
            return _board.milestone_board(*args, as_of=q.as_of, known_at=q.known_at)
        case "gates":
            return _gates.gate_board(*args, as_of=q.as_of, known_at=q.known_at)
        case "risks":
            return _raid.raid_log(*args, as_of=q.as_of, known_at=q.known_at)
        case "data-quality":
            return _quality.data_quality(*args, as_of=q.as_of, known_at=q.known_at)
        case "closure-report":
            return _closure.closure_report(*args, as_of=q.as_of, known_at=q.known_at)
