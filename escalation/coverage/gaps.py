"""Tracking the stretches tickets wait with no eligible agent, alerting leads, and summing them up."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from escalation.coverage.models import CoverageGap, OnCall
from helpdesk.models import OPEN_STATUSES, Agent, Role, Ticket
from helpdesk.notifications import notify

GAP_KEY = "coverage_gap"  # routing_state: the id of the ticket's open gap


def on_call_agents(team_id: int | None, now: dt.datetime) -> frozenset[int]:
    """Agent ids on call for the team right now."""
    if not team_id:
        return frozenset()
    rows = OnCall.objects.filter(OnCall.active_at(now), team_id=team_id).values_list("agent_id", flat=True)
    return frozenset(rows)


def teams_on_call(now: dt.datetime) -> list[int]:
    return list(OnCall.objects.filter(OnCall.active_at(now)).values_list("team_id", flat=True).distinct())


def track_gap(run, *, waiting: bool) -> None:
    """Open a gap when the ticket waits with nobody eligible; close it once someone is (or it moved)."""
    ticket = run.ticket
    if not isinstance(ticket.metadata, dict):
        ticket.metadata = {}
    state = ticket.metadata.setdefault("routing", {})
    uncovered = waiting and ticket.team_id is not None and run.eligible_count == 0
    open_id = state.get(GAP_KEY)
    if open_id is not None:
        gap = CoverageGap.objects.filter(pk=open_id, ended_at=None).first()
        same_queue = gap is not None and (gap.team_id, gap.tier_id) == (ticket.team_id, ticket.tier_id)
        if uncovered and same_queue:
            return
        if gap is not None:
            CoverageGap.objects.filter(pk=gap.pk).update(ended_at=run.now)
        state.pop(GAP_KEY, None)
    if uncovered:
        reasons = Counter(a.code for a in run.assessments)
        gap = CoverageGap.objects.create(
            ticket=ticket,
            team_id=ticket.team_id,
            tier_id=ticket.tier_id,
            priority=ticket.priority,
            started_at=run.now,
            reasons=dict(reasons) or {"nobody": 0},
        )
        state[GAP_KEY] = gap.pk


def alert_uncovered(*, alert_after_minutes: int, now: dt.datetime | None = None) -> int:
    """Tell the team lead (or every lead) about each ticket uncovered for too long, once per gap; close the
    gaps of tickets that are no longer open. Returns how many alerts went out."""
    now = now or timezone.now()
    CoverageGap.objects.filter(ended_at=None).exclude(ticket__status__in=OPEN_STATUSES).update(ended_at=now)
    if not alert_after_minutes:
        return 0
    due = (
        CoverageGap.objects.filter(
            ended_at=None, alerted_at=None, started_at__lte=now - dt.timedelta(minutes=alert_after_minutes)
        )
        .select_related("ticket", "team__lead__user", "tier")
        .order_by("started_at")[:200]
    )
    leads = None
    sent = 0
    for gap in due:
        lead = gap.team.lead if gap.team_id and gap.team.lead_id else None
        if lead is not None:
            recipients = [lead.user]
        else:
            if leads is None:
                leads = [
                    a.user
                    for a in Agent.objects.select_related("user").filter(role__in=[Role.LEAD, Role.ADMIN])
                ]
            recipients = leads
        minutes = int(gap.minutes(now))
        why = (
            ", ".join(f"{n} {code}" for code, n in sorted(gap.reasons.items(), key=lambda kv: -kv[1]))
            or "none"
        )
        notify(
            recipients=recipients,
            kind="coverage",
            title=f"{gap.ticket.number}: no eligible agent for {minutes} min",
            body=(
                f'"{gap.ticket.subject}" ({gap.priority or gap.ticket.priority}) waits in the '
                f"{gap.team or 'unassigned'} tier {gap.tier.level if gap.tier_id else '?'} queue with nobody "
                f"who can take it (agents excluded: {why}). Put someone on call, or take it."
            ),
            ticket=gap.ticket,
        )
        CoverageGap.objects.filter(pk=gap.pk).update(alerted_at=now)
        sent += 1
    return sent


@dataclass(frozen=True)
class GapRow:
    team: str
    tier: int | None
    hour_of_week: int  # 0 = Monday 00:00-01:00 UTC ... 167 = Sunday 23:00
    tickets: int
    minutes: float

    @property
    def when(self) -> str:
        day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][self.hour_of_week // 24]
        return f"{day} {self.hour_of_week % 24:02d}:00"


def coverage_gaps(
    *, since: dt.datetime | None = None, until: dt.datetime | None = None, now: dt.datetime | None = None
) -> list[GapRow]:
    """Tickets and minutes waiting with no eligible agent, by team, tier and the hour of the week (UTC)
    the gap began, longest first. Open gaps count up to now."""
    now = now or timezone.now()
    gaps = CoverageGap.objects.select_related("team", "tier")
    if since:
        gaps = gaps.filter(Q(ended_at__isnull=True) | Q(ended_at__gte=since))
    if until:
        gaps = gaps.filter(started_at__lt=until)
    tickets: dict[tuple, set[int]] = defaultdict(set)
    minutes: dict[tuple, float] = defaultdict(float)
    for gap in gaps.iterator(chunk_size=1000):
        key = (
            gap.team.name if gap.team_id else "(no team)",
            gap.tier.level if gap.tier_id else None,
            gap.started_at.weekday() * 24 + gap.started_at.hour,
        )
        tickets[key].add(gap.ticket_id)
        minutes[key] += gap.minutes(now)
    rows = [GapRow(*key, len(tickets[key]), round(minutes[key], 1)) for key in tickets]
    return sorted(rows, key=lambda r: (-r.minutes, r.team, r.tier or 0, r.hour_of_week))


def uncovered_tickets(team_id: int | None = None) -> list[Ticket]:
    """Tickets waiting right now with no eligible agent (their open gaps), oldest first."""
    gaps = CoverageGap.objects.filter(ended_at=None)
    if team_id:
        gaps = gaps.filter(team_id=team_id)
    return list(Ticket.objects.filter(pk__in=gaps.values("ticket_id")).order_by("created_at"))
