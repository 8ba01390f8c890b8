"""The escalation app's tables, by family: routing, SLA, autonomy, triage and accounts."""

from escalation.coverage.models import CoverageGap, OnCall  # noqa: E402 - on-call duty and coverage gaps
from escalation.models.accounts import (
    AccountHealth,
    AccountHealthSettings,
    AccountOutcome,
    OutcomeKind,
    UsageMeasure,
    UsageRecord,
)
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
from escalation.models.simulate import DraftPolicy
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
    "AccountHealth",
    "AccountHealthSettings",
    "AccountOutcome",
    "OutcomeKind",
    "UsageMeasure",
    "UsageRecord",
    "ERR_COORDINATOR_NOT_LEAD",
    "FAILURES",
    "SUCCESSES",
    "AutomationRecord",
    "AutonomyDefaults",
    "BreachAction",
    "BusinessCalendar",
    "CategoryAutonomy",
    "ClosedDay",
    "CoverageGap",
    "DraftPolicy",
    "OnCall",
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
