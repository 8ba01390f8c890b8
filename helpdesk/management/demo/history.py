"""Ninety days of believable ticket history: conversations, escalations, reopenings, CSAT.

Each ticket's life is simulated forward from its creation time; anything that would happen after
`now` has not happened yet, so recent tickets are still new, open or pending. Rows are bulk-inserted.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.functions import Coalesce

from helpdesk.management.demo import content, patterns
from helpdesk.management.demo.people import Cast
from helpdesk.models import (
    Agent,
    AuthorKind,
    Autonomy,
    CategorySource,
    Channel,
    Csat,
    Customer,
    Message,
    Priority,
    Role,
    Segment,
    Status,
    Team,
    Ticket,
    TicketEvent,
    Trigger,
)

RECENT_SHARE = 0.06
# Some accounts go through a rough patch: for most of the last three months their people write in angrier
# and their tickets escalate more, which later shows in their renewals (escalation.accounts.demo), long
# enough before them for the health of a month earlier to see it.
TROUBLED_PERCENT = 15
TROUBLE_DAYS = 85
ESCALATION_BIAS = {
    "Security incident": 0.25,
    "Bug report": 0.3,
    "Billing dispute": 0.25,
    "Cancellation": 0.2,
    "API & integrations": 0.12,
}
PRIORITY_BASE = {Priority.LOW: 20, Priority.NORMAL: 40, Priority.HIGH: 65, Priority.URGENT: 85}
SEGMENT_BONUS = {Segment.TRIAL: 0, Segment.STANDARD: 4, Segment.PREMIUM: 8, Segment.ENTERPRISE: 14}
# Tickets that customers often file in the wrong place, and where they really belong.
MISFILED_FIRST_TEAM = {
    "Bug report": "Technical",
    "Security incident": "Accounts",
    "Refund request": "Accounts",
}
CHANNELS = [Channel.PORTAL] * 5 + [Channel.EMAIL] * 3 + [Channel.CHAT, Channel.PHONE, Channel.API]


@dataclass
class Life:
    """What happened to one ticket, as rows to insert once the ticket has a primary key."""

    ticket: Ticket
    messages: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    csat: tuple[int, str, dt.datetime] | None = None

    def say(self, at, kind, author, body, *, internal=False):
        self.messages.append(
            {"created_at": at, "author_kind": kind, "author": author, "body": body, "is_internal": internal}
        )

    def log(self, at, code, **columns):
        self.events.append({"created_at": at, "code": code, **columns})


def fill_text(template: str, rng: random.Random) -> str:
    """A text template with its {slots} filled at random (also used by bench/analytics.py)."""
    slots = {name: rng.choice(values) for name, values in content.SLOTS.items()}
    slots.update(
        amount=rng.choice([39, 89, 120, 249, 380, 560, 640, 890, 1200, 2400]),
        n=rng.randint(2, 400),
        invoice=f"INV-{rng.randint(10000, 99999)}",
    )
    return template.format(**slots)


OPENINGS = (
    "",
    "",
    "Hi,",
    "Hello team,",
    "Good morning,",
    "Hi support,",
    "Dear support team,",
    "Hey,",
    "Quick question.",
    "Following up on a colleague's request:",
)
CLOSINGS = (
    "",
    "",
    "Thanks.",
    "Thank you!",
    "Regards",
    "Any help appreciated.",
    "Please advise.",
    "Can someone look at this today?",
    "Let me know if you need more details.",
    "Cheers",
)
VAGUE = (
    (
        "Problem with our account",
        "Something is not right with our account since yesterday. Can someone call me?",
    ),
    ("Need help", "We need help with this, it is not working the way we expect. Details in the attachment."),
    ("Question", "I have a question about how this is supposed to work for our team."),
    ("Issue since the update", "Since your last update things behave differently for us. Please check."),
    ("Follow-up", "Following up on my earlier message, we still need an answer on this."),
)
VAGUE_SHARE = 0.08  # tickets that say too little to tell their category (the agent found out later)
MIXED_SHARE = 0.15  # tickets that also mention a second topic
DROP_WORD = 0.06  # words customers leave out or garble


def varied_text(category_name: str, rng: random.Random, detail: str = "") -> tuple[str, str]:
    """A customer's subject and text for a ticket that ended up in `category_name`: one of the category's
    templates with an opening and closing, sometimes a second topic mixed in, sometimes too vague to
    tell, with words dropped here and there, so a model trained on the demo history meets the ambiguity
    real tickets have (and its card shows honest figures, not a memorised 100%). `detail` (how the problem
    shows itself) goes after the description."""
    if rng.random() < VAGUE_SHARE:
        subject, body = rng.choice(VAGUE)
    else:
        subject_t, body_t = rng.choice(content.TEXTS[category_name])
        subject, body = fill_text(subject_t, rng), fill_text(body_t, rng)
        if rng.random() < MIXED_SHARE:
            other = rng.choice([name for name in content.TEXTS if name != category_name])
            _, other_body = rng.choice(content.TEXTS[other])
            extra = fill_text(other_body, rng).split(". ")[0].rstrip(".")
            body = f"{body} Also, unrelated: {extra}." if rng.random() < 0.5 else f"{extra}. And: {body}"
    words = body.split()
    if len(words) > 8:
        words = [w for w in words if rng.random() >= DROP_WORD]
    body = " ".join(
        part for part in (rng.choice(OPENINGS), " ".join(words), detail, rng.choice(CLOSINGS)) if part
    )
    return subject, body


def _priority(category: str, subject: str, segment: str, rng: random.Random) -> str:
    if category == "Security incident" or "Production down" in subject:
        level = Priority.URGENT if rng.random() < 0.7 else Priority.HIGH
    elif category in ("Billing dispute", "Cancellation", "Performance"):
        level = Priority.HIGH if rng.random() < 0.6 else Priority.NORMAL
    elif category in ("How-to question", "Feature request", "Invoice question"):
        level = Priority.LOW if rng.random() < 0.6 else Priority.NORMAL
    else:
        level = Priority.NORMAL
    if segment == Segment.ENTERPRISE and level in (Priority.LOW, Priority.NORMAL) and rng.random() < 0.5:
        level = Priority.HIGH if level == Priority.NORMAL else Priority.NORMAL
    return level


class HistoryBuilder:
    def __init__(self, cast: Cast, rng: random.Random, now: dt.datetime):
        self.cast, self.rng, self.now = cast, rng, now
        self.pool: dict[tuple[int, int], list[Agent]] = defaultdict(list)
        for agent in (
            Agent.objects.filter(role=Role.AGENT).select_related("tier", "user").prefetch_related("teams")
        ):
            for team in agent.teams.all():
                self.pool[(team.pk, agent.tier.level)].append(agent)
        self.org_of = {c.user_id: c.organization for c in Customer.objects.select_related("organization")}
        # A few customers write in much more often than the rest (repeat contacts).
        self.customer_weights = [1 + (12 if i % 17 == 0 else 0) for i in range(len(cast.customers))]
        self.open_load: Counter[int] = Counter()
        self.new_hires = patterns.new_hires(self.pool)
        # Chosen by name, not by the random stream, so the rest of the history stays as it was.
        organizations = sorted(
            {org.pk: org for org in self.org_of.values()}.values(), key=lambda o: zlib.crc32(o.name.encode())
        )
        self.troubled = {
            org.pk for org in organizations[: round(len(organizations) * TROUBLED_PERCENT / 100)]
        }

    def in_trouble(self, ticket: Ticket) -> bool:
        return ticket.organization_id in self.troubled and ticket.created_at >= self.now - dt.timedelta(
            days=TROUBLE_DAYS
        )

    def agent_for(self, team_id: int, level: int) -> Agent:
        candidates = (
            self.pool.get((team_id, level))
            or self.pool.get((team_id, 1))
            or [a for agents in self.pool.values() for a in agents]
        )
        return self.rng.choice(candidates)

    def simulate(self) -> Life:
        rng, cast = self.rng, self.cast
        # Most history is old and settled; a slice is from the last two days and still being worked.
        window = 2 * 86400 if rng.random() < RECENT_SHARE else 90 * 86400
        created = self.now - dt.timedelta(seconds=rng.uniform(0, window))
        category_name = rng.choices(
            list(content.CATEGORY_WEIGHTS), weights=list(content.CATEGORY_WEIGHTS.values())
        )[0]
        category_name = patterns.surge(category_name, created, self.now, rng)
        category = cast.categories[category_name]
        hard, detail = patterns.complex_problem(rng)
        subject, body = varied_text(category_name, rng, detail)
        customer = rng.choices(cast.customers, weights=self.customer_weights)[0]
        org = self.org_of[customer.pk]
        priority = _priority(category_name, subject, org.segment, rng)
        misfiled = MISFILED_FIRST_TEAM.get(category_name) if rng.random() < 0.35 else None
        team = cast.teams[misfiled] if misfiled else category.team
        tier = cast.tiers[1]
        channel = rng.choice(CHANNELS)
        frustrated = any(
            cue in body.lower() for cue in ("third time", "nobody seems to care", "urgent", "refusing")
        )
        troubled = org.pk in self.troubled and created >= self.now - dt.timedelta(days=TROUBLE_DAYS)
        if troubled and not frustrated:
            frustrated = rng.random() < 0.5
        ticket = Ticket(
            subject=subject[:200],
            body=body,
            channel=channel,
            category=category,
            category_source=CategorySource.AGENT,  # resolved history: the agents' final category
            team=team,
            tier=tier,
            customer=customer,
            organization=org,
            priority=priority,
            created_at=created,
            last_customer_message_at=created,
            priority_score=min(
                100.0,
                PRIORITY_BASE[priority]
                + SEGMENT_BONUS[org.segment]
                + rng.uniform(-5, 5)
                + (8 if frustrated else 0),
            ),
            sentiment=round(rng.uniform(-0.9, -0.4) if frustrated else rng.uniform(-0.3, 0.5), 2),
            frustration=round(rng.uniform(0.6, 0.95) if frustrated else rng.uniform(0.0, 0.35), 2),
            first_response_due=created + dt.timedelta(minutes=tier.first_response_minutes),
            resolution_due=created + dt.timedelta(minutes=tier.resolution_minutes),
            metadata={"demo": True},
        )
        life = Life(ticket)
        life.say(created, AuthorKind.CUSTOMER, customer, body)
        life.log(created, "ticket.created", actor=customer, to_team=team, details={"channel": channel})
        ticket.autonomy = patterns.autonomy_for(category_name, rng)
        start = created
        if ticket.autonomy == Autonomy.AUTONOMOUS:
            start = self._answer_automatically(life)
            if start is None:
                return life
        elif ticket.autonomy == Autonomy.REVIEW:
            life.log(created + dt.timedelta(seconds=20), "automation.draft", trigger=Trigger.MODEL)
        if patterns.abandoned(team.name, rng):
            if start + dt.timedelta(hours=4) < self.now:
                life.log(
                    start + dt.timedelta(hours=4),
                    "sla.abandoned",
                    trigger=Trigger.SLA,
                    reason="Untouched in the queue for 4 hours.",
                )
            start += dt.timedelta(hours=rng.uniform(4.5, 10))
        agent = self.agent_for(team.pk, 1)
        life.log(
            start + dt.timedelta(seconds=rng.randint(2, 90)),
            "ticket.assigned",
            trigger=Trigger.ROUTING,
            to_agent=agent,
        )
        self._work(life, agent, category_name, misfiled, start, hard)
        return life

    def _answer_automatically(self, life: Life) -> dt.datetime | None:
        """The automatic answer: accepted (resolved, None) or rejected (the time a person takes over)."""
        rng, ticket = self.rng, life.ticket
        at = ticket.created_at + dt.timedelta(seconds=20)
        life.say(at, AuthorKind.SYSTEM, None, "Here is what usually solves this — does it help?")
        life.log(at, "automation.replied", trigger=Trigger.MODEL)
        ticket.first_response_at, ticket.status = at, Status.PENDING
        if rng.random() < patterns.ACCEPTED_AUTOMATIC_ANSWER:
            resolved = at + dt.timedelta(hours=rng.uniform(0.2, 8))
            if resolved < self.now:
                life.log(
                    resolved,
                    "ticket.resolved",
                    trigger=Trigger.SYSTEM,
                    from_value=Status.PENDING,
                    to_value=Status.RESOLVED,
                    reason="The customer confirmed the automatic answer.",
                )
                ticket.status, ticket.resolved_at = Status.RESOLVED, resolved
                self._close_and_rate(life, resolved)
            return None
        rejected = at + dt.timedelta(hours=rng.uniform(0.5, 8))
        if rejected > self.now:
            return None
        life.say(rejected, AuthorKind.CUSTOMER, ticket.customer, "That did not help, I need a person.")
        life.log(rejected, "automation.rejected", actor=ticket.customer)
        ticket.first_response_at, ticket.status = None, Status.OPEN
        return rejected

    def _work(
        self,
        life: Life,
        agent: Agent,
        category_name: str,
        misfiled: str | None,
        start: dt.datetime,
        hard: bool,
    ) -> None:
        rng, ticket, now = self.rng, life.ticket, self.now
        created = start
        first_response = created + dt.timedelta(
            minutes=ticket.tier.first_response_minutes * rng.lognormvariate(-0.9, 0.7)
        )
        if first_response > now:
            self._leave_open(life, agent, responded=False)
            return
        ticket.first_response_at = first_response
        life.say(first_response, AuthorKind.AGENT, agent.user, rng.choice(content.AGENT_REPLIES["default"]))
        life.log(first_response, "message.agent", actor=agent.user)
        usual = (
            0.12
            + ESCALATION_BIAS.get(category_name, 0)
            + (0.08 if ticket.organization.segment == Segment.ENTERPRISE else 0)
            + (patterns.NEW_HIRE_EXTRA_ESCALATION if agent.pk in self.new_hires else 0)
            + (0.2 if self.in_trouble(ticket) else 0)
        )
        escalate_p = patterns.escalation_chance(usual, hard)
        hours = rng.lognormvariate(1.9, 0.9)  # median ~7h of work
        if created.weekday() == 4:
            hours *= 2.0  # Friday tickets wait over the weekend
        moment = first_response
        resolved = created + dt.timedelta(hours=hours)
        if misfiled or rng.random() < escalate_p:
            agent, moment = self._escalate(life, agent, moment, category_name, misfiled, hard)
            if moment > first_response:
                # Friday escalations wait over the weekend.
                work = patterns.work_after_escalation(ticket.tier.level, category_name, rng)
                resolved = moment + work * (2 if moment.weekday() == 4 else 1)
            else:
                # The escalation is still to come: tier 1 is still on it, so it cannot be resolved yet
                # (resolving it at its plain time would show a hard ticket solved by tier 1).
                resolved = now + dt.timedelta(days=1)
        if rng.random() < 0.4:
            at = moment + dt.timedelta(hours=rng.uniform(0.5, 6))
            if at < now:
                life.say(
                    at,
                    AuthorKind.CUSTOMER,
                    ticket.customer,
                    rng.choice(content.AGENT_REPLIES["customer_followup"]),
                )
                life.log(at, "message.customer", actor=ticket.customer)
                ticket.last_customer_message_at = at
        if resolved <= moment:
            resolved = moment + dt.timedelta(minutes=rng.randint(10, 240))
        if resolved > now:
            self._leave_open(life, agent, responded=True)
            return
        self._resolve(life, agent, resolved)

    def _escalate(
        self,
        life: Life,
        agent: Agent,
        after: dt.datetime,
        category_name: str,
        misfiled: str | None,
        hard: bool,
    ):
        """An agent escalates the ticket (to another team, or a tier up); now and then it bounces back
        or goes up once more. The agent who has it in the end, and when that happened."""
        rng, ticket = self.rng, life.ticket
        at = after + patterns.escalation_delay(rng)
        if at > self.now:
            return agent, after
        trigger = patterns.trigger_for(ticket.frustration or 0, rng)
        life.say(at, AuthorKind.AGENT, agent.user, rng.choice(content.AGENT_REPLIES["note"]), internal=True)
        life.log(at, "message.note", actor=agent.user)
        functional = misfiled is not None or rng.random() < patterns.TEAM_CHANGE_SHARE[hard]
        old_team, old_tier = ticket.team, ticket.tier
        if functional:
            ticket.team = self._functional_target(ticket, category_name, misfiled)
        else:
            ticket.tier = self.cast.tiers[min(3, old_tier.level + 1)]
        life.log(
            at,
            "escalation.functional" if functional else "escalation.hierarchical",
            actor=agent.user if trigger == Trigger.MANUAL else None,
            trigger=trigger,
            reason=rng.choice(content.ESCALATION_REASONS["functional" if functional else "hierarchical"]),
            from_team=old_team,
            to_team=ticket.team,
            from_tier=old_tier,
            to_tier=ticket.tier,
            from_agent=agent,
        )
        ticket.escalation_count += 1
        new_agent = self.agent_for(ticket.team.pk, ticket.tier.level)
        life.log(
            at + dt.timedelta(seconds=30),
            "ticket.assigned",
            trigger=Trigger.ROUTING,
            from_agent=agent,
            to_agent=new_agent,
        )
        if functional and rng.random() < 0.08:
            new_agent, at = self._bounce_back(life, new_agent, at, old_team)
        elif not functional and ticket.tier.level < 3 and rng.random() < 0.25:
            new_agent, at = self._raise_again(life, new_agent, at)
        ticket.resolution_due = ticket.created_at + dt.timedelta(minutes=ticket.tier.resolution_minutes)
        return new_agent, at

    def _functional_target(self, ticket: Ticket, category_name: str, misfiled: str | None) -> Team:
        """The team a functional escalation sends the ticket to: the right one for a misfiled ticket,
        else one of the usual paths out of its team."""
        cast, paths = self.cast, content.FUNCTIONAL_PATHS[ticket.team.name]
        target = cast.categories[category_name].team if misfiled else cast.teams[self.rng.choice(paths)]
        return cast.teams[paths[0]] if target == ticket.team else target

    def _bounce_back(self, life: Life, agent: Agent, at: dt.datetime, old_team: Team):
        """Ping-pong: the receiving team sends it straight back (and routing sometimes stops it there)."""
        rng, ticket = self.rng, life.ticket
        back = at + dt.timedelta(hours=rng.uniform(1, 8))
        if back >= self.now:
            return agent, at
        life.log(
            back,
            "escalation.functional",
            actor=agent.user,
            reason="Not ours — sending back.",
            from_team=ticket.team,
            to_team=old_team,
            from_tier=ticket.tier,
            to_tier=ticket.tier,
            from_agent=agent,
        )
        ticket.team, ticket.escalation_count = old_team, ticket.escalation_count + 1
        if rng.random() < 0.5:
            life.log(
                back + dt.timedelta(seconds=10),
                "routing.circular_blocked",
                trigger=Trigger.ROUTING,
                reason="Bounced back and forth: kept here with the team lead.",
            )
        agent = self.agent_for(old_team.pk, ticket.tier.level)
        life.log(back + dt.timedelta(seconds=30), "ticket.assigned", trigger=Trigger.ROUTING, to_agent=agent)
        return agent, back

    def _raise_again(self, life: Life, agent: Agent, at: dt.datetime):
        """The next tier cannot solve it either: one more tier up."""
        rng, ticket = self.rng, life.ticket
        later = at + dt.timedelta(hours=rng.uniform(2, 30))
        if later >= self.now:
            return agent, at
        previous = ticket.tier
        ticket.tier = self.cast.tiers[previous.level + 1]
        life.log(
            later,
            "escalation.hierarchical",
            actor=agent.user,
            reason=rng.choice(content.ESCALATION_REASONS["hierarchical"]),
            from_team=ticket.team,
            to_team=ticket.team,
            from_tier=previous,
            to_tier=ticket.tier,
            from_agent=agent,
        )
        ticket.escalation_count += 1
        agent = self.agent_for(ticket.team.pk, ticket.tier.level)
        life.log(later + dt.timedelta(seconds=30), "ticket.assigned", trigger=Trigger.ROUTING, to_agent=agent)
        return agent, later

    def _leave_open(self, life: Life, agent: Agent, *, responded: bool) -> None:
        ticket = life.ticket
        if self.open_load[agent.pk] < agent.capacity and (responded or self.rng.random() < 0.5):
            ticket.assignee = agent
            self.open_load[agent.pk] += 1
            ticket.status = (
                self.rng.choice([Status.OPEN, Status.OPEN, Status.PENDING, Status.ON_HOLD])
                if responded
                else Status.OPEN
            )
        else:
            ticket.status = Status.OPEN if responded else Status.NEW
            life.log(
                ticket.created_at + dt.timedelta(minutes=2),
                "ticket.unassigned",
                trigger=Trigger.ROUTING,
                from_agent=agent,
                reason="Agent at capacity; waiting in queue.",
            )
        self._check_sla(life, self.now)

    def _resolve(self, life: Life, agent: Agent, resolved: dt.datetime) -> None:
        rng, ticket = self.rng, life.ticket
        life.say(resolved, AuthorKind.AGENT, agent.user, rng.choice(content.AGENT_REPLIES["resolution"]))
        life.log(resolved, "message.agent", actor=agent.user)
        life.log(
            resolved,
            "ticket.resolved",
            actor=agent.user,
            to_agent=agent,
            from_value=Status.OPEN,
            to_value=Status.RESOLVED,
        )
        ticket.assignee, ticket.status, ticket.resolved_at = agent, Status.RESOLVED, resolved
        if rng.random() < 0.08:
            reopened = resolved + dt.timedelta(hours=rng.uniform(1, 48))
            if reopened < self.now:
                life.say(
                    reopened,
                    AuthorKind.CUSTOMER,
                    ticket.customer,
                    "It still does not work on our side, unfortunately.",
                )
                life.log(
                    reopened,
                    "ticket.reopened",
                    actor=ticket.customer,
                    from_value=Status.RESOLVED,
                    to_value=Status.OPEN,
                    from_agent=agent,
                )
                ticket.reopen_count += 1
                resolved = reopened + dt.timedelta(hours=rng.uniform(1, 24))
                if resolved > self.now:
                    ticket.status, ticket.resolved_at = Status.OPEN, None
                    self.open_load[agent.pk] += 1
                    return
                life.log(
                    resolved,
                    "ticket.resolved",
                    actor=agent.user,
                    to_agent=agent,
                    from_value=Status.OPEN,
                    to_value=Status.RESOLVED,
                )
                ticket.resolved_at = resolved
        self._check_sla(life, resolved)
        self._close_and_rate(life, resolved)

    def _check_sla(self, life: Life, until: dt.datetime) -> None:
        """Breached when the first answer or the resolution came (or has not come by `until`) too late."""
        ticket = life.ticket
        missed = [
            (due, name)
            for due, done, name in (
                (ticket.first_response_due, ticket.first_response_at or until, "first response"),
                (ticket.resolution_due, until, "resolution"),
            )
            if due and done > due
        ]
        ticket.sla_breached = bool(missed)
        if missed:
            due, name = min(missed)
            life.log(due, "sla.breached", trigger=Trigger.SLA, to_value=name)

    def _close_and_rate(self, life: Life, resolved: dt.datetime) -> None:
        rng, ticket = self.rng, life.ticket
        if self.now - resolved > dt.timedelta(days=4):
            ticket.status, ticket.closed_at = Status.CLOSED, resolved + dt.timedelta(days=4)
            life.log(
                ticket.closed_at,
                "ticket.status_changed",
                trigger=Trigger.SYSTEM,
                from_value=Status.RESOLVED,
                to_value=Status.CLOSED,
                reason="Closed automatically four days after resolution.",
            )
        if rng.random() < 0.6:
            score = (
                4.6
                - 0.9 * (ticket.escalation_count > 0)
                - 1.1 * ticket.sla_breached
                - 0.8 * ticket.reopen_count
                + rng.gauss(0, 0.8)
            )
            score = int(min(5, max(1, round(score))))
            at = min(resolved + dt.timedelta(hours=rng.uniform(1, 20)), self.now)
            life.csat = (
                score,
                rng.choice(["", "", "Quick and friendly.", "Took far too long.", "Solved, thanks."]),
                at,
            )
            life.log(at, "csat.rated", actor=ticket.customer, to_value=str(score))


def build_history(*, cast: Cast, rng: random.Random, count: int, now: dt.datetime) -> int:
    patterns.add_articles(cast.categories)
    builder = HistoryBuilder(cast, rng, now)
    lives = [builder.simulate() for _ in range(count)]
    with transaction.atomic():
        Ticket.objects.bulk_create([life.ticket for life in lives], batch_size=500)
        Message.objects.bulk_create(
            [
                Message(ticket=life.ticket, channel=life.ticket.channel, **m)
                for life in lives
                for m in life.messages
            ],
            batch_size=1000,
        )
        TicketEvent.objects.bulk_create(
            [TicketEvent(ticket=life.ticket, **e) for life in lives for e in life.events], batch_size=1000
        )
        # bulk_create stamps auto_now fields with the insert time; history should look its age.
        Ticket.objects.filter(pk__in=[life.ticket.pk for life in lives]).update(
            updated_at=Coalesce("closed_at", "resolved_at", "last_customer_message_at", "created_at")
        )
        Csat.objects.bulk_create(
            [
                Csat(ticket=life.ticket, score=s, comment=c, created_at=at)
                for life in lives
                if life.csat
                for s, c, at in [life.csat]
            ],
            batch_size=1000,
        )
    return len(lives)
