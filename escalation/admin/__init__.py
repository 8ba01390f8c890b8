"""Admin pages of the escalation app, by family: routing, SLA, autonomy, triage and accounts."""

from escalation.admin import accounts, autonomy, routing, sla, triage  # noqa: F401 - each registers its pages
