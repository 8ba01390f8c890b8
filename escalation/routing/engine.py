"""Routing: which team, tier and agent get a ticket, and why. Plain functions; tasks and signals call them.

`route(ticket_ids, trigger)` is the one entry: it runs these steps for each ticket in one unit of work
(one transaction), holding the tickets' row locks; a single ticket is a batch of one:
1. Skip the ticket when it is gone, closed, or already assigned (a retried task, or someone took it),
   unless the trigger asks to look again (reopened, customer wrote). A ticket's first routing counts as
   its creation even when a re-check or an offer reaches it before its own task does.
2. Triage (escalation.triage: a model, or the keyword fallback; the decision records which).
3. Rules (escalation.routing.rules, admin-edited data) on a plain snapshot of the ticket; a new ticket's
   snapshot carries the team triage is about to give it, so team conditions match at creation.
   The text's business impact and complexity are read too (escalation.triage.impact).
4. Team: a rule's team (for new tickets and new customer messages), else triage's new team after a
   customer message, else the current team, else triage's. Tier: the highest of the current tier, rule
   minimums and triage's suggestion (a raise is dropped when the team has nobody at that tier).
5. Priority score and level (escalation.routing.scoring), lifted to the strongest floor: a rule's, the
   business impact's, the model's confident priority; SLA due times (escalation.sla.due).
6. Autonomy (escalation.autonomy.decision): a rule that requires a human always wins, then the
   relationship guardrails (escalation.relationship.guardrails).
7. Who gets it, the first step that answers:
   a. automation handled it (new tickets only; never when a human is required);
   b. the ticket is going in circles: the coordinator, and the ticket is flagged;
   c. a customer message changed neither team nor tier: it stays with its agent;
   d. the preferred agent when eligible: an offline agent's named backup, a reopened ticket's last agent;
   e. the best-scored eligible agent with room, claimed under a row lock (escalation.routing.claim);
   f. nobody: it waits in its team/tier queue. Optional skills relax, and the next tier up may take
      it, after the configured waits (the once-a-minute re-check applies them).
8. Record: assignment events, a RoutingDecision (factors, candidates, rules, explanation), notifications.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from escalation.autonomy.decision import decide_autonomy
from escalation.autonomy.outcomes import watch_for_follow_up
from escalation.coverage.gaps import alert_uncovered, teams_on_call
from escalation.models import RoutingDecision
from escalation.relationship.guardrails import current_guardrails, relationship_risks
from escalation.routing.candidates import assess_all, team_agents
from escalation.routing.choosers import choose
from escalation.routing.circular import HISTORY_CODES, initial_history, load_history
from escalation.routing.decisions import (
    record_decision,
    routing_state,
    send_rule_notifications,
    snapshot_before,
)
from escalation.routing.follow_up import keep_place, keep_priority, place_before, set_rules_aside
from escalation.routing.placement import (
    align_category,
    need_for,
    settle_team,
    settle_tier,
    take_rule_category,
    take_triage,
    weights,
)
from escalation.routing.policy import Policy, current_policy
from escalation.routing.read_ahead import ReadAhead, read_batch
from escalation.routing.rules import apply_rules
from escalation.routing.run import QUIET_TRIGGERS, REVIEW_TRIGGERS, Run
from escalation.routing.scoring import Floor, score_snapshot, strongest_floor
from escalation.routing.snapshot import snapshot_for
from escalation.sla.due import sla_apply
from escalation.triage.impact import read_impact
from escalation.triage.ticket import triage_ticket
from helpdesk.models import (
    OPEN_STATUSES,
    Agent,
    AgentStatus,
    Autonomy,
    Status,
    Team,
    Ticket,
    TicketEvent,
    Trigger,
)
from helpdesk.services import ticket_arrivals_record, ticket_assign
from helpdesk.unit_of_work import unit_of_work


def locked_tickets(which: Q, *, skip_locked: bool = False, limit: int | None = None) -> list[Ticket]:
    """The tickets matching `which` under row locks, oldest first, with whether each has own skills and
    a history worth reading (answered in the same query, so a brand-new ticket costs no further round
    trips for them)."""
    own_skills = Ticket.required_skills.through.objects.filter(ticket_id=OuterRef("pk"))
    moves = TicketEvent.objects.filter(ticket_id=OuterRef("pk"), code__in=HISTORY_CODES).exclude(
        code="ticket.created"
    )
    return list(
        Ticket.objects.select_for_update(of=("self",), skip_locked=skip_locked)
        .select_related("organization", "category", "team", "tier", "assignee__user")
        .annotate(has_own_skills=Exists(own_skills), has_history=Exists(moves))
        .filter(which)
        .order_by("created_at", "pk")[:limit]
    )


def _settle(run: Run) -> None:
    """Steps 2-6 on the locked ticket, in memory (record_decision saves it once, at the end)."""
    ticket, policy = run.ticket, run.policy
    before = place_before(run)  # a follow-up's wording alone moves nothing (escalation/routing/follow_up.py)
    take_triage(run)
    reads = run.reads
    run.snap = snapshot_for(
        ticket,
        now=run.now,
        with_messages=run.trigger != "created",
        good_csat=policy.knobs.good_csat,
        history=reads.history(ticket),
        bodies=reads.bodies(ticket),
    )
    if run.snap.team is None:  # a new ticket: rules see the team triage is about to give it
        likely = run.triage.team or (ticket.category.team if ticket.category_id else None)
        if likely is not None:
            run.snap = dataclasses.replace(run.snap, team=likely.name)
    run.outcome = apply_rules(policy.rules, run.snap)
    set_rules_aside(run, before)
    take_rule_category(run)
    run.impact = read_impact(run.snap.text)
    settle_team(run)
    keep_place(run, before)
    align_category(run)
    run.agents = team_agents(ticket.team_id, run.now, reads=reads) if ticket.team_id else []
    settle_tier(run)
    if ticket.first_routed_at is None:
        ticket.first_routed_at = run.now
    state = routing_state(ticket)
    run.floor = priority_floor_for(run)
    state["priority_floor"] = run.floor.as_record() if run.floor else None
    run.score = score_snapshot(
        run.snap, factors=policy.factors, thresholds=policy.thresholds, floor=run.floor
    )
    ticket.priority_score, ticket.priority = run.score.value, run.score.priority
    keep_priority(run, before)
    sla_apply(ticket, now=run.now, state=reads.sla_state(ticket))
    guard = current_guardrails()
    run.risks = relationship_risks(run.snap, guard)
    run.autonomy = decide_autonomy(
        ticket, run.triage, human_required=run.human, risks=run.risks, risk_mode=guard.mode
    )
    ticket.autonomy, ticket.requires_human = run.autonomy.mode, run.human
    if run.risks or run.autonomy.confidence is not None and run.autonomy.mode != Autonomy.AUTONOMOUS:
        run.notes.append(f"Autonomy {run.autonomy.mode}: {run.autonomy.reason}")
    send_rule_notifications(ticket, run.outcome, state, coordinator_id=policy.knobs.coordinator_id)


def priority_floor_for(run: Run) -> Floor | None:
    """The strongest of: a rule's priority, the business impact the text states, the model's confident
    priority."""
    rule = (
        Floor(run.outcome.priority, detail=f"a rule sets priority at least {run.outcome.priority}")
        if run.outcome.priority
        else None
    )
    impact = run.impact
    stated = (
        Floor(impact.floor, "business_impact", "Business impact", impact.describe())
        if impact is not None and impact.floor
        else None
    )
    triage, needed = run.triage, run.policy.knobs.predicted_priority_confidence
    predicted = None
    if triage.priority and triage.priority_confidence is not None and triage.priority_confidence >= needed:
        predicted = Floor(
            triage.priority,
            "predicted_priority",
            "Predicted priority",
            f"the model predicts {triage.priority} ({triage.priority_confidence:.0%} ≥ {needed:.0%})",
        )
    return strongest_floor(rule, stated, predicted)


Decisions = dict[int, RoutingDecision | None]


def route(
    ticket_ids: Collection[int],
    trigger: str,
    *,
    exclude_agent_ids: tuple[int, ...] = (),
    preferred_agent_id: int | None = None,
    policy: Policy | None = None,
    now: dt.datetime | None = None,
) -> Decisions:
    """Route these tickets (see the module docstring), oldest first, in one unit of work holding their
    row locks; a single ticket is a batch of one. Their rows are read once for all of them
    (escalation.routing.read_ahead) and their writes go out as one statement per table.
    {ticket id: its decision, or None when there was nothing to do or nothing new}; tickets that are
    gone are left out. A ticket's first routing records its arrival (the `ticket.created` event).
    `policy` and `now` default to the live policy and the present; a replay of history
    (escalation.simulate) passes a draft policy and the moment the ticket arrived."""
    now, policy = now or timezone.now(), policy or current_policy()
    with unit_of_work(gather_writes=True):
        tickets = locked_tickets(Q(pk__in=ticket_ids))
        if not tickets:
            return {}
        ticket_arrivals_record([t for t in tickets if t.first_routed_at is None])
        reads = read_batch(tickets, now)
        return {
            ticket.pk: _route_locked(
                ticket,
                trigger=trigger,
                now=now,
                policy=policy,
                reads=reads,
                excluded=frozenset(exclude_agent_ids),
                preferred_agent_id=preferred_agent_id,
            )
            for ticket in tickets
        }


def _route_locked(
    ticket: Ticket,
    *,
    trigger: str,
    now: dt.datetime,
    policy: Policy,
    reads: ReadAhead,
    excluded: frozenset[int],
    preferred_agent_id: int | None,
) -> RoutingDecision | None:
    """Steps 1-8 for one ticket this unit of work holds locked."""
    if not ticket.is_open:
        return None
    if ticket.assignee_id and trigger not in REVIEW_TRIGGERS:
        return None  # a retried task, or someone took it meanwhile
    first_routing = ticket.first_routed_at is None
    if trigger == "created" and not first_routing:
        return None  # a batch routed it before its own task came (escalation.routing.batch)
    if trigger in QUIET_TRIGGERS and first_routing:
        trigger = "created"  # a re-check got to a new ticket first: it is still its first routing
    run = Run(
        ticket=ticket,
        trigger=trigger,
        now=now,
        policy=policy,
        history=load_history(ticket.pk) if ticket.has_history else initial_history(ticket),
        triage=triage_ticket(ticket, reads=reads),
        excluded=excluded,
        preferred_agent_id=preferred_agent_id,
        before=snapshot_before(ticket),
        reads=reads,
    )
    _settle(run)
    if ticket.team_id:
        run.assessments = assess_all(run.agents, need_for(run), weights(policy))
    decision = record_decision(run, choose(run))
    if run.trigger == "created":
        watch_for_follow_up(ticket)  # its category is settled now
    return decision


# --- when routing runs again ----------------------------------------------------------------------


RECHECK_BATCH = 500
NEW_TICKET_GRACE = dt.timedelta(minutes=2)  # a new ticket's own routing task normally runs within this
# Answered automatically and waiting for the customer: nobody needs to take it unless they write back.
AWAITING_AUTOMATIC_ANSWER = Q(status=Status.PENDING, autonomy=Autonomy.AUTONOMOUS)


def _waiting_tickets() -> QuerySet[Ticket]:
    """Open unassigned tickets with a team, once their first routing ran (or should have long ago),
    except automatic answers waiting for the customer."""
    routed_or_overdue = Q(first_routed_at__isnull=False) | Q(
        created_at__lte=timezone.now() - NEW_TICKET_GRACE
    )
    return Ticket.objects.filter(
        routed_or_overdue, status__in=OPEN_STATUSES, assignee__isnull=True, team__isnull=False
    ).exclude(AWAITING_AUTOMATIC_ANSWER)


def offer_waiting_tickets(agent_id: int) -> int:
    """An agent became available or freed capacity: offer them the best waiting tickets they could take.

    Highest priority score first, then oldest. Each offer is a full routing run, so a better-fitting
    colleague may still win a ticket. Returns how many tickets this agent received.
    """
    agent = Agent.objects.select_related("tier").filter(pk=agent_id).first()
    if agent is None or agent.status != AgentStatus.AVAILABLE:
        return 0
    load = Ticket.objects.filter(assignee_id=agent_id, status__in=OPEN_STATUSES).count()
    room = agent.capacity - load
    if room <= 0:
        return 0
    overflow_before = timezone.now() - dt.timedelta(minutes=current_policy().knobs.overflow_minutes)
    reachable = (
        Q(tier=agent.tier_id)
        | Q(tier__isnull=True)
        | Q(tier__level=agent.tier.level - 1, created_at__lte=overflow_before)
    )
    waiting = list(
        _waiting_tickets()
        .filter(reachable, team__in=agent.teams.all())
        .order_by("-priority_score", "created_at", "pk")
        .values_list("pk", flat=True)[: room * 5]
    )
    received = 0
    for pk in waiting:
        decision = route([pk], "agent_available").get(pk)
        received += bool(decision and decision.agent_id == agent_id)
        if received >= room:
            break
    return received


def reroute_agent_tickets(agent_id: int) -> int:
    """Hand on the open tickets of an agent who went offline, away or on leave (their backup first).

    Does nothing when the agent is back (available and not on leave) by the time this runs.
    """
    agent = Agent.objects.filter(pk=agent_id).first()
    if agent is None:
        return 0
    today = timezone.localdate()
    on_leave = agent.leaves.filter(starts_on__lte=today, ends_on__gte=today).exists()
    if agent.status == AgentStatus.AVAILABLE and not on_leave:
        return 0
    moved = 0
    ticket_ids = Ticket.objects.filter(assignee_id=agent_id, status__in=OPEN_STATUSES).order_by(
        "-priority_score", "created_at"
    )
    for pk in list(ticket_ids.values_list("pk", flat=True)):
        with unit_of_work():
            ticket = Ticket.objects.select_for_update().filter(pk=pk, assignee_id=agent_id).first()
            if ticket is None or not ticket.is_open:
                continue
            reason = f"{agent} is {'on leave' if on_leave else AgentStatus(agent.status).label.lower()}."
            ticket_assign(ticket=ticket, agent=None, actor=None, trigger=Trigger.ROUTING, reason=reason)
            route(
                [pk], "agent_unavailable", exclude_agent_ids=(agent_id,), preferred_agent_id=agent.backup_id
            )
            moved += 1
    return moved


def reassess_after_message(ticket_id: int) -> RoutingDecision | None:
    """The customer wrote again: re-route when triage changed materially (new category, sharp frustration rise)."""
    ticket = Ticket.objects.select_related("category").filter(pk=ticket_id).first()
    if ticket is None or not ticket.is_open:
        return None
    triage = triage_ticket(ticket)
    new_category = triage.category is not None and triage.category.pk != ticket.category_id
    rise = (triage.frustration or 0.0) - (ticket.frustration or 0.0)
    if not new_category and rise < current_policy().knobs.frustration_rise:
        return None
    return route([ticket_id], "customer_wrote").get(ticket_id)


def recheck_waiting_tickets() -> int:
    """Once a minute: route waiting tickets again, so relaxed skills, overflow and shift starts take effect.

    Unchanged outcomes are not recorded again (see QUIET_TRIGGERS). Teams with nobody available and
    nobody on call are skipped: no wait can help there (an agent coming back is offered the queue at
    once). Then the team lead hears about tickets that have had no eligible agent for too long
    (escalation.coverage). Returns how many tickets got an agent.
    """
    now = timezone.now()
    staffed = Team.objects.filter(Q(agents__status=AgentStatus.AVAILABLE) | Q(pk__in=teams_on_call(now)))
    waiting = (
        _waiting_tickets()
        .filter(team__in=staffed)
        .order_by("-priority_score", "created_at", "pk")
        .values_list("pk", flat=True)[:RECHECK_BATCH]
    )
    assigned = 0
    for pk in list(dict.fromkeys(waiting)):
        decision = route([pk], "recheck").get(pk)
        assigned += bool(decision and decision.agent_id)
    with unit_of_work():
        alert_uncovered(alert_after_minutes=current_policy().knobs.no_agent_alert_minutes, now=now)
    return assigned
