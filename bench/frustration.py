"""How often calm tickets are read as frustrated: false positives of the frustration cues on real IT tickets.

    python bench/frustration.py [PATH.csv]     # default: ../shared/data/it-tickets/train.csv

"Neutral" tickets are those whose text holds none of the explicit complaint words below (a list kept apart
from the cues the scorer uses, so the measure does not grade itself); the publishers' urgency code is 3
on every row of train.csv, so no row is marked as a complaint there. A ticket is "flagged frustrated" when
its frustration reaches FLAGGED (0.5, below both the autonomy guardrail's 0.6 and the "Furious customer"
rule's 0.8). The figure goes to docs/triage.md; tests/escalation/test_frustration_cues.py holds it ≤ 2%.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = [
    Path(os.environ["HELPDESK_IT_TICKETS"]) if os.environ.get("HELPDESK_IT_TICKETS") else None,
    ROOT.parent / "shared" / "data" / "it-tickets" / "train.csv",
    ROOT.parent.parent / "shared" / "data" / "it-tickets" / "train.csv",
]
FLAGGED = 0.5
COMPLAINT = re.compile(
    r"\b(complain\w*|frustrat\w*|angry|annoy\w*|disappoint\w*|upset|unhappy|escalat\w*|unacceptable|"
    r"ridiculous|terrible|worst|useless|furious|outrage\w*|disgust\w*|fed up|sick of)\b",
    re.IGNORECASE,
)


def it_tickets_path() -> Path | None:
    return next((p for p in CANDIDATES if p is not None and p.exists()), None)


def measure(rows: list[dict]) -> dict:
    from escalation.triage.sentiment import mood

    neutral = [r for r in rows if not COMPLAINT.search(f"{r.get('subject', '')} {r.get('body', '')}")]
    flagged = []
    for row in neutral:
        felt = mood(f"{row.get('subject', '')}\n{row.get('body', '')}")
        if felt.frustration >= FLAGGED:
            flagged.append((felt.frustration, row.get("external_id", ""), row.get("subject", ""), felt.cues))
    return {
        "rows": len(rows),
        "neutral": len(neutral),
        "flagged": len(flagged),
        "rate": len(flagged) / max(len(neutral), 1),
        "examples": sorted(flagged, reverse=True)[:10],
    }


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else it_tickets_path()
    with open(path, encoding="utf-8") as handle:
        result = measure(list(csv.DictReader(handle)))
    print(
        f"{result['rows']} tickets, {result['neutral']} neutral; flagged frustrated (≥ {FLAGGED}): "
        f"{result['flagged']} = {result['rate']:.2%}"
    )
    for example in result["examples"]:
        print("  ", example)


if __name__ == "__main__":
    main()
