"""SLAs: when a ticket is due, and what happens when time runs out.

Decided in this order:
1. `policies`: which SLA policy a ticket runs on, and its business-hours calendar (`business_time`).
2. `clock`: the ticket's windows (first response, next reply, resolution), paused while it waits on the
   customer; `due` writes their due times onto the ticket (`intake` does so before a new ticket is saved).
3. `state`: the per-ticket SLA state kept in step with what happens to the ticket, and when it must be
   looked at next.
4. `sweep`: once a minute, claim the states that are due and fire their triggers; `actions`: what a
   warning, a breach or an abandoned ticket does (notify, re-assign, escalate).
5. `absence`: tickets of an assignee who is away go to their backup or back to the queue.
`defaults` seeds sensible calendars and policies on a fresh install.
"""
