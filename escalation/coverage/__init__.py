"""Coverage: nothing strands when every qualified agent is away.

- On-call agents per team (`OnCall`, admin): from the configured priority on, they may take a team's
  tickets outside their working hours or while away/offline (never on leave or beyond capacity), and are
  told at once.
- Urgent tickets nobody eligible could take relax their required skills after a wait
  (RoutingConfig.urgent_relax_required_minutes): any agent of the team and tier may take them.
- Each stretch a ticket spends with no eligible agent is a `CoverageGap`; one open longer than
  RoutingConfig.no_agent_alert_minutes alerts the team lead (or every lead) once.
- `coverage_gaps()` sums the gaps by team, tier and hour of the week for the analytics page.
"""
