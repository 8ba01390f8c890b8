"""Who gets the ticket: ordered steps, each returning a Choice or None; the first answer wins.

1. automation handled it (new tickets only; never when a human is required);
2. the ticket is going in circles: the coordinator takes it, and it is flagged;
3. a customer message changed neither team nor tier: it stays with its agent;
4. the preferred agent, when eligible: an offline agent's named backup, a reopened ticket's last agent;
5. the best-scored eligible agent with room, claimed under a row lock;
otherwise it waits in its team/tier queue.
"""

from __future__ import annotations

from collections.abc import Callable

from escalation.autonomy.decision import apply_autonomy
from escalation.routing.candidates import Assessment
from escalation.routing.circular import bounce_reason, with_team
from escalation.routing.claim import claim_best
from escalation.routing.decisions import Choice, save_ticket
from escalation.routing.explain import exclusions_summary, why_agent
from escalation.routing.run import Run
from helpdesk import unit_of_work
from helpdesk.events import event_record
from helpdesk.models import Agent, Autonomy, Role, Trigger

FLAG_REASON = "Bounced between teams: needs a coordinator."


def by_automation(run: Run) -> Choice | None:
    if run.trigger != "created" or run.human or run.autonomy.mode == Autonomy.HUMAN:
        return None
    save_ticket(run)  # automation works on the ticket as routing has settled it
    unit_of_work.write_now()
    handled = apply_autonomy(run.ticket, run.autonomy)
    unit_of_work.write_now()
    if handled:
        # It may have answered or closed the ticket.
        run.ticket.refresh_from_db(fields=["status", "assignee", "metadata"])
        return Choice("automation", f"Handled automatically: {run.autonomy.reason}")
    return None


def coordinator_for(run: Run) -> Agent | None:
    """The configured coordinator, else the lead of the ticket's team, else any lead or admin."""
    team_lead = run.ticket.team.lead_id if run.ticket.team_id else None
    wanted = [pk for pk in (run.policy.knobs.coordinator_id, team_lead) if pk and pk not in run.excluded]
    people = {a.pk: a for a in Agent.objects.select_related("user", "tier").filter(pk__in=wanted)}
    for pk in wanted:
        if pk in people:
            return people[pk]
    leads = Agent.objects.select_related("user", "tier").filter(role__in=[Role.LEAD, Role.ADMIN])
    return leads.exclude(pk__in=run.excluded).order_by("role", "pk").first()


def to_coordinator_if_circular(run: Run) -> Choice | None:
    path = with_team(run.history.team_path, run.ticket.team_id)
    reason = bounce_reason(path, hop_limit=run.policy.knobs.hop_limit, names=run.policy.team_names)
    if reason is None:
        return None
    coordinator, ticket = coordinator_for(run), run.ticket
    ticket.is_flagged, ticket.flag_reason = True, FLAG_REASON  # saved with the rest of the run
    event_record(
        ticket=ticket,
        code="routing.circular_blocked",
        trigger=Trigger.ROUTING,
        reason=reason,
        to_team=ticket.team,
        to_agent=coordinator,
        details={"team_path": list(path)},
    )
    owner = f"coordinator {coordinator}" if coordinator else "nobody (no coordinator or team lead is set)"
    return Choice("coordinator", f"Sent to {owner} instead of bouncing again: {reason}", agent=coordinator)


def kept_after_message(run: Run) -> Choice | None:
    ticket = run.ticket
    unchanged = ticket.team == run.before["team"] and ticket.tier == run.before["tier"]
    if run.trigger != "customer_wrote" or not ticket.assignee_id or not unchanged:
        return None
    headline = f"Stays with {ticket.assignee}: the new message changed neither team nor tier"
    return Choice("kept", headline, ticket.assignee)


def _claimed(run: Run, kind: str, candidates: list[Assessment], why: str = "") -> Choice | None:
    claimed = claim_best(candidates, run.reads, current_assignee_id=run.ticket.assignee_id)
    if claimed is None:
        return None
    reasons = why_agent(claimed, eligible=run.eligible_count, preferred_reason=why)
    return Choice(kind, f"Assigned to {claimed.agent.name}: {reasons}", claimed.agent.model, claimed)


def preferred_agent(run: Run) -> Choice | None:
    if run.preferred_agent_id:
        wanted, why = run.preferred_agent_id, "the named backup of the agent who went away"
    elif run.trigger == "reopened":
        wanted, why = (
            run.ticket.assignee_id or run.history.last_agent_id,
            "back to the agent who handled it before",
        )
    else:
        return None
    match = [a for a in run.assessments if a.agent.pk == wanted and a.eligible]
    return _claimed(run, "preferred", match, why) if match else None


def best_agent(run: Run) -> Choice | None:
    return _claimed(run, "best", run.assessments)


def waiting(run: Run) -> Choice:
    ticket = run.ticket
    if not ticket.team_id:
        return Choice("waiting", "Waiting: no team could be determined for this ticket")
    where = f"the {ticket.team} tier {ticket.tier.level if ticket.tier_id else '?'} queue"
    return Choice("waiting", f"Waiting in {where}: {exclusions_summary(run.assessments)}")


CHOOSERS: list[Callable[[Run], Choice | None]] = [
    by_automation,
    to_coordinator_if_circular,
    kept_after_message,
    preferred_agent,
    best_agent,
]


def choose(run: Run) -> Choice:
    for chooser in CHOOSERS:
        choice = chooser(run)
        if choice is not None:
            return choice
    return waiting(run)
