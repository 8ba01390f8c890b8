"""Account health: product usage and outcomes recorded per organization, a health score computed from
the account's tickets and usage, and proactive escalation when an account turns at risk."""
