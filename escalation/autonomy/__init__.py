"""Autonomy: may automation answer a ticket, must a person review a draft, or only a human?

Decided in this order:
1. `knowledge`: which published article answers the ticket, if any.
2. `decision`: the ordered checks against the category's thresholds (a rule requiring a human wins);
   automation then answers, drafts, or leaves the ticket to routing.
3. `outcomes`: how each automatic answer or draft turned out, read from what happens to its ticket.
4. `learning`: thresholds move after failures and runs of successes, within the admin's bounds.
`report` is the read-only summary the model card page shows.
"""
