"""manage.py simulate_routing --policy live|DRAFT [--compare DRAFT] --since DATE --until DATE [--json]

Routes the tickets created in the range again, as they arrived, by the live policy or a draft
(Django admin: Escalation › Draft policies), keeps nothing, and reports where they would have gone
(escalation.simulate; docs/simulate.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from escalation.simulate.compare import Simulation, Summary, simulate
from escalation.simulate.drafts import policy_named

ERR_ORDER = "--until must not be before --since."
ERR_SAME = "--compare names the same policy as --policy."


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Replay past tickets through routing by the live or a draft policy, keep nothing, compare."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--policy", required=True, help="live, or the name of a draft policy.")
        parser.add_argument("--compare", help="A second policy (live or a draft) to compare with.")
        parser.add_argument("--since", required=True, type=_day, help="First day of tickets (YYYY-MM-DD).")
        parser.add_argument("--until", required=True, type=_day, help="Last day of tickets (YYYY-MM-DD).")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, policy: str, compare: str | None, since, until, **options) -> None:
        if until < since:
            raise CommandError(ERR_ORDER)
        names = [policy] if not compare else [policy, compare]
        if compare and compare.lower() == policy.lower():
            raise CommandError(ERR_SAME)
        try:
            policies = [(name, policy_named(name)) for name in names]
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        result = simulate(policies, since, until)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2, default=str))
        else:
            self._print(result)

    def _print(self, result: Simulation) -> None:
        self.stdout.write(
            f"Tickets created {result.since} to {result.until}: {result.tickets}, replayed as they arrived."
        )
        for summary in result.summaries:
            self.stdout.write("")
            self.stdout.write(self.style.MIGRATE_HEADING(f"Policy {summary.policy}"))
            for line in _summary_lines(summary):
                self.stdout.write(f"  {line}")
        difference = result.difference
        if difference is not None:
            self.stdout.write("")
            self.stdout.write(self.style.MIGRATE_HEADING(f"{difference.other} against {difference.base}"))
            changed = ", ".join(
                f"{aspect} {n}" for aspect, n in difference.changed.items() if aspect != "any"
            )
            self.stdout.write(f"  tickets placed differently: {difference.changed['any']} ({changed})")
            for example in difference.examples:
                moves = "; ".join(
                    f"{aspect} {before} → {after}"
                    for aspect, (before, after) in ((k, v) for k, v in example.items() if isinstance(v, list))
                )
                self.stdout.write(f"  #{example['ticket']} {example['subject'][:50]}: {moves}")
        self.stdout.write(self.style.SUCCESS("Nothing was changed."))


def _share(part: int, whole: int) -> str:
    return f"{part} ({part / whole:.0%})" if whole else str(part)


def _summary_lines(summary: Summary) -> list[str]:
    def listed(counts: dict[str, int]) -> str:
        return ", ".join(f"{key} {n}" for key, n in counts.items()) or "—"

    return [
        f"teams: {listed(summary.by_team)}",
        f"tiers: {listed(summary.by_tier)}",
        f"priorities: {listed(summary.by_priority)}",
        f"handling: {listed(summary.by_autonomy)}",
        f"rules fired: {listed(summary.rules_fired)}",
        f"placed where the ticket ended: {_share(summary.placed_where_ended, summary.tickets)}",
        f"escalated in reality: {summary.escalated}; placed at once where they ended: "
        f"{_share(summary.escalations_spared, summary.escalated)}",
        f"never escalated but placed elsewhere: {_share(summary.unescalated_moved, summary.tickets - summary.escalated)}",
    ]
