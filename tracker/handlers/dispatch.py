"""Every command and the function that handles it, in one map; ``Handlers.handle`` looks the
command up and runs it. Each handler loads what it needs, checks permission and If-Match
(``HandlerBase.context``), decides, and appends with the loaded version as the expected one."""

from __future__ import annotations

from typing import Final

from tracker import (
    closing_notes,
    deliverable_plan,
    deliverable_signoff,
    gates,
    milestones,
    risks,
    roster,
)
from tracker import commands as c
from tracker import programme_setup as setup
from tracker.errors import InvalidInput
from tracker.handlers.base import CommandResult, Handler, HandlerBase
from tracker.handlers.closure import (
    approve_closure_report,
    endorse_closure_report,
    submit_closure_report,
)
from tracker.handlers.gates import approve_gate
from tracker.handlers.items import DELIVERABLE, GATE, MILESTONE, RISK, creating, on_item
from tracker.handlers.programmes import making, on_programme, register_programme

HANDLERS: Final[dict[type[c.Command], Handler]] = {
    # The programme, its roster and deputies, its notes.
    c.RegisterProgramme: register_programme,
    c.DescribeProgramme: on_programme(setup.decide_describe),
    c.AddWorkstream: on_programme(setup.decide_add_workstream),
    c.DefineOutcome: on_programme(setup.decide_define_outcome),
    c.AssignRosterMember: on_programme(roster.decide_assign_member),
    c.ChangeRosterMember: on_programme(roster.decide_change_member),
    c.RevokeRosterMember: on_programme(roster.decide_revoke_member),
    c.AppointDeputy: making(roster.decide_appoint_deputy, lambda cmd: cmd.delegation_id),
    c.RevokeDeputy: on_programme(roster.decide_revoke_deputy),
    c.RecordLearningPoint: making(
        closing_notes.decide_record_learning_point, lambda cmd: cmd.learning_point_id
    ),
    c.RecordCloseOutRecommendation: making(
        closing_notes.decide_record_recommendation, lambda cmd: cmd.recommendation_id
    ),
    c.RecordNextStep: making(closing_notes.decide_record_next_step, lambda cmd: cmd.next_step_id),
    # Deliverables.
    c.PlanDeliverable: creating(DELIVERABLE, deliverable_plan.decide_plan),
    c.ReplanDeliverable: on_item(DELIVERABLE, deliverable_plan.decide_replan),
    c.ChangeDeliverableSignatories: on_item(
        DELIVERABLE, deliverable_plan.decide_change_signatories
    ),
    c.SubmitDeliverable: on_item(DELIVERABLE, deliverable_signoff.decide_submit),
    c.ResubmitDeliverable: on_item(DELIVERABLE, deliverable_signoff.decide_resubmit),
    c.EndorseDeliverable: on_item(DELIVERABLE, deliverable_signoff.decide_endorse, signing=True),
    c.ApproveDeliverable: on_item(DELIVERABLE, deliverable_signoff.decide_approve, signing=True),
    c.ReturnDeliverable: on_item(DELIVERABLE, deliverable_signoff.decide_return, signing=True),
    c.DeferDeliverable: on_item(DELIVERABLE, deliverable_plan.decide_defer),
    c.ReinstateDeliverable: on_item(DELIVERABLE, deliverable_plan.decide_reinstate),
    c.ReopenDeliverable: on_item(DELIVERABLE, deliverable_plan.decide_reopen),
    # Milestones.
    c.BaselineMilestone: creating(MILESTONE, milestones.decide_baseline),
    c.ReforecastMilestone: on_item(MILESTONE, milestones.decide_reforecast),
    c.RebaselineMilestone: on_item(MILESTONE, milestones.decide_rebaseline),
    c.AchieveMilestone: on_item(MILESTONE, milestones.decide_achieve),
    # RAID items.
    c.RaiseRisk: creating(RISK, risks.decide_raise),
    c.RescoreRisk: on_item(RISK, risks.decide_rescore),
    c.LogRiskUpdate: on_item(RISK, risks.decide_log_update),
    c.ChangeRiskOwner: on_item(RISK, risks.decide_change_owner),
    c.CloseRisk: on_item(RISK, risks.decide_close),
    # Phase gates.
    c.DefineGate: creating(GATE, gates.decide_define),
    c.ApproveGate: approve_gate,
    # The closure report.
    c.SubmitClosureReport: submit_closure_report,
    c.EndorseClosureReport: endorse_closure_report,
    c.ApproveClosureReport: approve_closure_report,
}


class Handlers(HandlerBase):
    """``Handlers(store, clock)``: the loaders and writers every handler uses, and ``handle``."""

    async def handle(self, command: c.Command) -> CommandResult:
        handler = HANDLERS.get(type(command))
        if handler is None:
            raise InvalidInput(f"no handler for {type(command).__name__}")
        return await handler(self, command)
