"""The priority-score factors: their names, their settings' defaults, and the check of an admin's settings.

Model-free, so the factor table (escalation.models.routing.ScoringFactor) validates with it and the score
(escalation.routing.scoring) computes with it without either importing the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models


class FactorKey(models.TextChoices):
    """The priority-score factors the code knows how to compute (escalation.routing.scoring)."""

    SEGMENT = "segment", "Customer segment"
    CONTRACT_VALUE = "contract_value", "Contract value"
    RENEWAL = "renewal", "Renewal proximity"
    CHURN_RISK = "churn_risk", "Churn risk"
    VIP = "vip", "VIP account"
    FRUSTRATION = "frustration", "Sentiment / frustration"
    SEVERITY = "severity", "Severity cues in the text"
    REPEAT_CONTACTS = "repeat_contacts", "Repeat contacts"
    SLA_PRESSURE = "sla_pressure", "SLA time running out"
    ESCALATION_RISK = "escalation_risk", "Predicted escalation"
    ACCOUNT_AT_RISK = "account_at_risk", "Account at risk"
    USAGE_SURGE = "usage_surge", "Usage surge (data volume, API calls)"


PARAM_DEFAULTS: dict[str, dict] = {
    FactorKey.SEGMENT: {"values": {"trial": 0.0, "standard": 0.3, "premium": 0.65, "enterprise": 1.0}},
    FactorKey.CONTRACT_VALUE: {"full_at": 250_000},
    FactorKey.RENEWAL: {"window_days": 60},
    FactorKey.SEVERITY: {
        "critical": [
            "production down",
            "prod down",
            "outage",
            "system down",
            "site down",
            "data loss",
            "lost data",
            "all users",
            "nobody can log in",
            "nobody in the company",
            "security breach",
            "data breach",
            "emergency",
        ],
        "major": [
            "urgent",
            "asap",
            "as soon as possible",
            "blocked",
            "blocking",
            "cannot work",
            "not working",
            "broken",
            "crash",
            "crashes",
            "failing",
            "fails",
            "failed",
            "error",
            "errors",
            "times out",
            "timed out",
            "timeout",
            "does not work",
            "doesn't work",
            "deadline",
        ],
    },
    FactorKey.REPEAT_CONTACTS: {"days": 14, "full_at": 3},
    FactorKey.USAGE_SURGE: {"days": 30, "full_at": 3.0},
}


@dataclass(frozen=True)
class FactorSetting:
    key: str
    weight: float
    parameters: dict


ERR_PARAMETERS = "Unknown setting(s) {keys} for {factor}; it takes: {allowed}."


def validate_parameters(key: str, parameters: dict) -> None:
    """Factor parameters may only override the documented settings, with values of the same shape."""
    defaults = PARAM_DEFAULTS.get(key, {})
    if not isinstance(parameters, dict):
        raise ValidationError({"parameters": ["Give an object, e.g. {} for the defaults."]})
    unknown = set(parameters) - set(defaults)
    if unknown:
        message = ERR_PARAMETERS.format(
            keys=sorted(unknown), factor=key, allowed=", ".join(defaults) or "no settings"
        )
        raise ValidationError({"parameters": [message]})
    for name, value in parameters.items():
        default = defaults[name]
        if isinstance(default, list):
            ok = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
        elif isinstance(default, dict):
            ok = isinstance(value, dict) and all(isinstance(v, int | float) for v in value.values())
        else:
            ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        if not ok:
            raise ValidationError({"parameters": [f"{name} must look like {default!r}."]})
