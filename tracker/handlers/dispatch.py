"""``Handlers``: every command handler on one object, and ``handle`` to dispatch any command."""

from __future__ import annotations

from tracker import commands as c
from tracker.errors import InvalidInput
from tracker.handlers.base import CommandResult
from tracker.handlers.closure import ClosureHandlers
from tracker.handlers.items import ItemHandlers
from tracker.handlers.programmes import ProgrammeHandlers


class Handlers(ProgrammeHandlers, ItemHandlers, ClosureHandlers):
    """``Handlers(store, clock)``: load, decide, append with the expected version."""

    async def handle(self, command: c.Command) -> CommandResult:
        match command:
            case c.RegisterProgramme():
                return await self.register_programme(command)
            case c.DescribeProgramme():
                return await self.describe_programme(command)
            case c.AddWorkstream():
                return await self.add_workstream(command)
            case c.AssignRosterMember():
                return await self.assign_roster_member(command)
            case c.ChangeRosterMember():
                return await self.change_roster_member(command)
            case c.RevokeRosterMember():
                return await self.revoke_roster_member(command)
            case c.AppointDeputy():
                return await self.appoint_deputy(command)
            case c.RevokeDeputy():
                return await self.revoke_deputy(command)
            case c.DefineOutcome():
                return await self.define_outcome(command)
            case c.RecordLearningPoint():
                return await self.record_learning_point(command)
            case c.RecordCloseOutRecommendation():
                return await self.record_close_out_recommendation(command)
            case c.RecordNextStep():
                return await self.record_next_step(command)
            case c.PlanDeliverable():
                return await self.plan_deliverable(command)
            case c.ReplanDeliverable():
                return await self.replan_deliverable(command)
            case c.ChangeDeliverableSignatories():
                return await self.change_deliverable_signatories(command)
            case c.SubmitDeliverable():
                return await self.submit_deliverable(command)
            case c.ResubmitDeliverable():
                return await self.resubmit_deliverable(command)
            case c.EndorseDeliverable():
                return await self.endorse_deliverable(command)
            case c.ApproveDeliverable():
                return await self.approve_deliverable(command)
            case c.ReturnDeliverable():
                return await self.return_deliverable(command)
            case c.DeferDeliverable():
                return await self.defer_deliverable(command)
            case c.ReinstateDeliverable():
                return await self.reinstate_deliverable(command)
            case c.ReopenDeliverable():
                return await self.reopen_deliverable(command)
            case c.BaselineMilestone():
                return await self.baseline_milestone(command)
            case c.ReforecastMilestone():
                return await self.reforecast_milestone(command)
            case c.RebaselineMilestone():
                return await self.rebaseline_milestone(command)
            case c.AchieveMilestone():
                return await self.achieve_milestone(command)
            case c.RaiseRisk():
                return await self.raise_risk(command)
            case c.RescoreRisk():
                return await self.rescore_risk(command)
            case c.LogRiskUpdate():
                return await self.log_risk_update(command)
            case c.ChangeRiskOwner():
                return await self.change_risk_owner(command)
            case c.CloseRisk():
                return await self.close_risk(command)
            case c.SubmitClosureReport():
                return await self.submit_closure_report(command)
            case c.EndorseClosureReport():
                return await self.endorse_closure_report(command)
            case c.ApproveClosureReport():
                return await self.approve_closure_report(command)
            case _:
                raise InvalidInput(f"no handler for {type(command).__name__}")
