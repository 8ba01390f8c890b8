"""Admin pages of the escalation app, by family: routing, SLA, autonomy, triage and accounts."""

from escalation.admin import accounts, autonomy, routing, simulate, sla, triage  # noqa: F401 - each registers its pages
from escalation.coverage import admin as coverage  # noqa: F401 - on-call duty, coverage gaps
