"""Routing: which team, tier and agent get a ticket, and why.

Decided in this order (`engine.route(ticket_ids, trigger)`, the one entry, runs the steps for each ticket in
one unit of work, holding the tickets' row locks; a single ticket is a batch of one):
1. `batch`: which new tickets a worker routes together (the oldest not yet routed, locked SKIP LOCKED),
   and `read_ahead`: the rows a whole batch reads once.
2. `snapshot`: the plain facts rules and the score read; triage (`escalation.triage`) says what the
   ticket is about.
3. `rules`: admin-edited escalation rules, data checked on save; `policy` holds them with the weights
   and thresholds, cached per process (`defaults` is what a fresh install starts with).
4. `placement`: team and tier, and what the ticket asks of an agent (skills, language, waits).
5. `scoring`: the priority score and level; SLA due times come from `escalation.sla`.
6. Autonomy (`escalation.autonomy`): may automation answer it.
7. `choosers`: who gets it, ordered steps, the first answer wins; `circular` stops a ticket going in
   circles, `candidates` excludes or scores each agent of the team (`roster`: who is in it), and
   `claim` takes the best agent's capacity under a row lock.
8. `decisions`: change events, the assignment, the `RoutingDecision` record and notices; `explain`
   words it; `handoff` summarises a moved ticket for its next agent.
`run` is one run's working state shared by these steps.
"""
