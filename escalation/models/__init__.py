"""The escalation app's tables, by family: routing, SLA, autonomy and triage."""

from escalation.models.autonomy import (
    FAILURES,
    SUCCESSES,
    AutomationRecord,
    AutonomyDefaults,
    CategoryAutonomy,
    Outcome,
    ThresholdChange,
    Thresholds,
)
from escalation.models.routing import (
    ERR_COORDINATOR_NOT_LEAD,
    EscalationRule,
    FactorKey,
    PriorityThreshold,
    RoutingConfig,
    RoutingDecision,
    ScoringFactor,
)
from escalation.models.sla import (
    BreachAction,
    BusinessCalendar,
    ClosedDay,
    SlaPolicy,
    Target,
    TicketSla,
    WorkingPeriod,
)
from escalation.models.triage import TriageModelVersion

__all__ = [
    "ERR_COORDINATOR_NOT_LEAD",
    "FAILURES",
    "SUCCESSES",
    "AutomationRecord",
    "AutonomyDefaults",
    "BreachAction",
    "BusinessCalendar",
    "CategoryAutonomy",
    "ClosedDay",
    "EscalationRule",
    "FactorKey",
    "Outcome",
    "PriorityThreshold",
    "RoutingConfig",
    "RoutingDecision",
    "ScoringFactor",
    "SlaPolicy",
    "Target",
    "ThresholdChange",
    "Thresholds",
    "TicketSla",
    "TriageModelVersion",
    "WorkingPeriod",
]
