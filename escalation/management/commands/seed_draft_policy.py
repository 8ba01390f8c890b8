"""manage.py seed_draft_policy: the example draft routing policy "DRAFT" (escalation.simulate), to replay
on /analytics/what-if/ or with `manage.py simulate_routing --policy live --compare DRAFT`. Safe to run
again: an existing draft of that name is left as it is."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from escalation.simulate.drafts import example_draft


class Command(BaseCommand):
    help = "Create the example draft routing policy DRAFT (the live rules plus one), to try with what-if."

    def handle(self, *args, **options) -> None:
        draft, created = example_draft()
        state = "created" if created else "already there"
        self.stdout.write(f"What-if: draft policy {draft.name} {state} ({len(draft.rules or [])} rules).")
