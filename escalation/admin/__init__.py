"""Admin pages of the escalation app, by family: routing, SLA, autonomy and triage."""

from escalation.admin import autonomy, routing, sla, triage  # noqa: F401 - each registers its pages
