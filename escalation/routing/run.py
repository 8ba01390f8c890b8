"""One routing run's working state, shared by the steps in placement, choosers and decisions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from escalation.autonomy.decision import AutonomyDecision
from escalation.routing.candidates import AgentFacts, Assessment
from escalation.routing.circular import TicketHistory
from escalation.routing.policy import Policy
from escalation.routing.read_ahead import ReadAhead
from escalation.routing.rules import RuleOutcome
from escalation.routing.scoring import Floor, Score
from escalation.routing.snapshot import TicketSnapshot
from escalation.triage.impact import Impact
from escalation.triage.result import TriageResult
from helpdesk.models import Ticket

REVIEW_TRIGGERS = frozenset({"reopened", "customer_wrote"})  # an assigned ticket is looked at again
CONTENT_TRIGGERS = frozenset({"created", "customer_wrote"})  # rules may move the ticket to another team
QUIET_TRIGGERS = frozenset({"recheck", "agent_available"})  # an unchanged wait is not recorded again


@dataclass
class Run:
    """The ticket row stays locked for the run's whole life; `before` holds what it was at the start."""

    ticket: Ticket
    trigger: str
    now: dt.datetime
    policy: Policy
    history: TicketHistory
    triage: TriageResult
    reads: ReadAhead  # rows read once for all the tickets of the routing unit
    excluded: frozenset[int] = frozenset()
    preferred_agent_id: int | None = None
    before: dict = field(default_factory=dict)
    snap: TicketSnapshot | None = None
    outcome: RuleOutcome = field(default_factory=RuleOutcome)
    score: Score | None = None
    autonomy: AutonomyDecision | None = None
    notes: list[str] = field(default_factory=list)
    agents: list[AgentFacts] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    impact: Impact | None = None  # business impact and complexity stated in the text
    floor: Floor | None = None  # the priority floor this run applied
    risks: list[str] = field(default_factory=list)  # relationship guardrails that hold
    suggestion: dict | None = None  # triage's category suggestion against a customer's or rule's choice

    @property
    def human(self) -> bool:
        """A rule requires a human now, or did before (it is never lifted automatically)."""
        return self.outcome.human or self.ticket.requires_human

    @property
    def eligible_count(self) -> int:
        return sum(a.eligible for a in self.assessments)
