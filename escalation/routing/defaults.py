"""What a fresh install routes by: factor weights, priority thresholds and the seeds' escalation rules.

The data migration installs these once (by natural key, so admin edits are never overwritten); the
router also falls back to the factor weights and thresholds when their tables are empty.
Rules name the demo teams (Billing, Technical, Security, Accounts, Product). A rule whose team does not
exist does not route anywhere, and the phrases are specific enough not to catch other teams' tickets
(e.g. IT tickets about "suspicious" e-mails stay with their team).
"""

from __future__ import annotations

from escalation.models import FactorKey

DEFAULT_FACTOR_WEIGHTS: dict[str, float] = {
    FactorKey.SEGMENT: 15.0,
    FactorKey.CONTRACT_VALUE: 10.0,
    FactorKey.RENEWAL: 15.0,
    FactorKey.CHURN_RISK: 10.0,
    FactorKey.VIP: 8.0,
    FactorKey.FRUSTRATION: 12.0,
    FactorKey.SEVERITY: 20.0,
    FactorKey.REPEAT_CONTACTS: 8.0,
    FactorKey.SLA_PRESSURE: 15.0,
    FactorKey.ESCALATION_RISK: 5.0,
    FactorKey.ACCOUNT_AT_RISK: 10.0,
    FactorKey.USAGE_SURGE: 5.0,
}

DEFAULT_THRESHOLDS: dict[str, float] = {"urgent": 70.0, "high": 45.0, "normal": 15.0, "low": 0.0}

DEMO_TEAMS = ["Billing", "Technical", "Security", "Accounts", "Product"]

DEFAULT_RULES: list[dict] = [
    {
        "name": "Security incident: unauthorized access or breach",
        "order": 10,
        "description": "Suspected intrusions go to Security at once, as urgent, to someone with the skill.",
        "conditions": {
            "field": "text",
            "op": "contains_any",
            "value": [
                "unauthorized access",
                "unauthorised access",
                "data breach",
                "security breach",
                "suspicious activity",
                "suspicious login",
                "account compromised",
                "account was compromised",
                "is our account compromised",
                "we were hacked",
                "been hacked",
                "was hacked",
            ],
        },
        "actions": [
            {"type": "route_to_team", "team": "Security"},
            {"type": "set_priority", "priority": "urgent"},
            {"type": "add_skill", "skill": "security", "required": True},
            {"type": "notify", "to": "team_lead", "message": "Possible security incident: check it now."},
        ],
    },
    {
        "name": "Billing dispute over $500",
        "order": 20,
        "description": "Disputed charges of $500 or more: Billing, and only a person may answer.",
        "conditions": {
            "all": [
                {
                    "field": "text",
                    "op": "contains_any",
                    "value": [
                        "dispute",
                        "disputed",
                        "chargeback",
                        "overcharged",
                        "charged twice",
                        "double charged",
                        "unauthorized charge",
                        "do not recognise",
                        "do not recognize",
                    ],
                },
                {"field": "amount", "op": "gte", "value": 500},
            ]
        },
        "actions": [
            {"type": "route_to_team", "team": "Billing"},
            {"type": "require_human"},
            {"type": "add_skill", "skill": "payments", "required": True},
        ],
    },
    {
        "name": "Refund outside policy",
        "order": 30,
        "description": "Refunds asked after the refund window need a person in Billing to decide.",
        "conditions": {
            "all": [
                {"field": "text", "op": "contains_any", "value": ["refund", "money back", "reimburse"]},
                {
                    "field": "text",
                    "op": "matches",
                    "value": r"\b(past|after|outside|beyond|more than)\b.{0,40}\b(days|policy|trial|period|window)\b",
                },
            ]
        },
        "actions": [
            {"type": "route_to_team", "team": "Billing"},
            {"type": "require_human"},
            {"type": "add_skill", "skill": "refunds", "required": False},
        ],
    },
    {
        "name": "Confirmed bug needs a code change",
        "order": 40,
        "description": "Bugs that need a code fix go to Product instead of circling in support.",
        "conditions": {
            "all": [
                {
                    "field": "text",
                    "op": "contains_any",
                    "value": [
                        "confirmed bug",
                        "clearly a bug",
                        "code change",
                        "code fix",
                        "fix in the code",
                        "needs a fix",
                        "regression",
                    ],
                },
                {"field": "team", "op": "in", "value": DEMO_TEAMS},
            ]
        },
        "actions": [{"type": "route_to_team", "team": "Product"}],
    },
    {
        "name": "Cancellation intent near renewal",
        "order": 50,
        "description": "An account that talks about leaving within 60 days of renewal gets a senior agent.",
        "conditions": {
            "all": [
                {
                    "any": [
                        {"field": "category", "op": "in", "value": ["Cancellation"]},
                        {
                            "field": "text",
                            "op": "contains_any",
                            "value": [
                                "cancel",
                                "cancellation",
                                "terminate",
                                "not renew",
                                "switching to",
                                "switch to another",
                            ],
                        },
                    ]
                },
                {"field": "days_to_renewal", "op": "between", "value": [0, 60]},
            ]
        },
        "actions": [
            {"type": "min_tier", "level": 2},
            {"type": "add_skill", "skill": "difficult-conversations", "required": False},
            {"type": "notify", "to": "team_lead", "message": "A customer near renewal talks about leaving."},
        ],
    },
    {
        "name": "Likely escalation goes straight to tier 2",
        "order": 60,
        "description": "When the model is confident a ticket will escalate, skip the first hop.",
        "conditions": {"field": "escalation_probability", "op": "gte", "value": 0.8},
        "actions": [{"type": "min_tier", "level": 2}],
    },
    {
        "name": "Furious customer",
        "order": 70,
        "description": "Very high frustration: at least high priority, preferably someone good at it.",
        "conditions": {"field": "frustration", "op": "gte", "value": 0.8},
        "actions": [
            {"type": "set_priority", "priority": "high"},
            {"type": "add_skill", "skill": "difficult-conversations", "required": False},
        ],
    },
]

RECHECK_SCHEDULE_NAME = "routing: re-check waiting tickets"
RECHECK_TASK = "escalation.tasks.recheck_waiting_tickets"


def install_defaults(*, rule_model, factor_model, threshold_model, config_model) -> None:
    """Create the defaults that are missing (the models may be historical ones from a migration)."""
    for key, weight in DEFAULT_FACTOR_WEIGHTS.items():
        factor_model.objects.get_or_create(key=str(key), defaults={"weight": weight})
    for priority, minimum in DEFAULT_THRESHOLDS.items():
        threshold_model.objects.get_or_create(priority=priority, defaults={"min_score": minimum})
    for rule in DEFAULT_RULES:
        rule_model.objects.get_or_create(
            name=rule["name"], defaults={k: v for k, v in rule.items() if k != "name"}
        )
    config_model.objects.get_or_create(pk=1)


def install_schedule(schedule_model) -> None:
    """The once-a-minute re-check of waiting tickets (skill relaxing, overflow, missed offers). Idempotent."""
    schedule_model.objects.update_or_create(
        name=RECHECK_SCHEDULE_NAME,
        defaults={"func": RECHECK_TASK, "schedule_type": "I", "minutes": 1, "repeats": -1},
    )
