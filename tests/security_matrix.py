"""The permission matrix: who may do what, as data. docs/security.md is rendered from it
(`python -m tests.security_matrix > docs/security.md`) and tests/test_security_matrix.py tries every cell.

Outcomes: ok (2xx, or a redirect onward that is not to a sign-in page), login (sent to sign in: 302 to a
login page, 401, or a refused socket), denied (403), refused (400: the action is refused in its form),
hidden (404: the object is not shown to exist).
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = {
    "anonymous": "Not signed in",
    "customer": "The customer who opened the ticket",
    "same_org": "Another customer of the same organization",
    "team_agent": "Tier-1 agent of the ticket's team (Billing)",
    "other_team": "Tier-1 agent of another team (Technical)",
    "tier3_agent": "Tier-3 agent of the ticket's team",
    "lead": "Team lead (tier 2, sees every queue)",
    "admin": "Administrator (superuser with an admin agent profile)",
    "integration": "Integration account (staff, API token, no agent profile)",
}


@dataclass(frozen=True)
class Cell:
    area: str
    what: str
    method: str
    path: str  # {t}: a tier-1 Billing ticket of the customer; {t3}: one escalated to tier 3
    expect: dict[str, str]
    data: dict | None = None


def _row(anonymous, customer, same_org, team_agent, other_team, tier3_agent, lead, admin, integration):
    return dict(
        zip(
            ROLES,
            (anonymous, customer, same_org, team_agent, other_team, tier3_agent, lead, admin, integration),
            strict=True,
        )
    )


CELLS = [
    Cell("Portal", "My tickets", "GET", "/portal/", _row("login", *["ok"] * 8)),
    Cell("Portal", "New ticket form", "GET", "/portal/tickets/new/", _row("login", *["ok"] * 8)),
    Cell("Portal", "A ticket", "GET", "/portal/tickets/{t}/", _row("login", "ok", *["hidden"] * 7)),
    Cell(
        "Portal",
        "Reply to a ticket",
        "POST",
        "/portal/tickets/{t}/reply/",
        _row("login", "ok", *["hidden"] * 7),
        {"body": "Any news?"},
    ),
    Cell(
        "Agent",
        "Queues",
        "GET",
        "/agent/",
        _row("login", "denied", "denied", "ok", "ok", "ok", "ok", "ok", "denied"),
    ),
    Cell(
        "Agent",
        "Ticket page",
        "GET",
        "/agent/tickets/{t}/",
        _row("login", "denied", "denied", "ok", "hidden", "ok", "ok", "ok", "denied"),
    ),
    Cell(
        "Agent",
        "Internal note on a tier-3 ticket",
        "POST",
        "/agent/tickets/{t3}/action/",
        _row("login", "denied", "denied", "ok", "hidden", "ok", "ok", "ok", "denied"),
        {"action": "note", "body": "Seen this before"},
    ),
    Cell(
        "Agent",
        "Take a tier-3 ticket",
        "POST",
        "/agent/tickets/{t3}/action/",
        _row("login", "denied", "denied", "refused", "hidden", "ok", "ok", "ok", "denied"),
        {"action": "take"},
    ),
    Cell(
        "Agent",
        "Resolve a tier-3 ticket",
        "POST",
        "/agent/tickets/{t3}/action/",
        _row("login", "denied", "denied", "refused", "hidden", "ok", "ok", "ok", "denied"),
        {"action": "resolve", "reason": "Fixed"},
    ),
    Cell(
        "Admin",
        "Django admin",
        "GET",
        "/admin/",
        _row("login", "login", "login", "login", "login", "login", "login", "ok", "ok"),
    ),
    Cell(
        "Analytics",
        "Overview page",
        "GET",
        "/analytics/",
        _row("login", "denied", "denied", "ok", "ok", "ok", "ok", "ok", "denied"),
    ),
    Cell(
        "Analytics",
        "What-if replay of routing",
        "GET",
        "/analytics/what-if/?policy=live",
        _row("login", "denied", "denied", "denied", "denied", "denied", "ok", "ok", "denied"),
    ),
    Cell(
        "Analytics",
        "Escalation rates API",
        "GET",
        "/api/analytics/escalations/",
        _row("login", "denied", "denied", "ok", "ok", "ok", "ok", "ok", "ok"),
    ),
    Cell(
        "API",
        "Create a ticket for the customer",
        "POST",
        "/api/tickets/",
        _row("login", "ok", "refused", *["ok"] * 6),
        {"subject": "Help", "body": "Please", "customer_email": "carla@acme.test"},
    ),
    Cell("API", "Index of the API (links only)", "GET", "/api/", _row(*["ok"] * 9)),
    Cell("API", "List tickets", "GET", "/api/tickets/", _row("login", *["ok"] * 8)),
    Cell(
        "API",
        "Read a ticket",
        "GET",
        "/api/tickets/{t}/",
        _row("login", "ok", "hidden", "ok", "hidden", "ok", "ok", "ok", "ok"),
    ),
    Cell(
        "API",
        "Conversation",
        "GET",
        "/api/tickets/{t}/messages/",
        _row("login", "ok", "hidden", "ok", "hidden", "ok", "ok", "ok", "ok"),
    ),
    Cell(
        "API",
        "Routing decisions",
        "GET",
        "/api/tickets/{t}/routing/",
        _row("login", "denied", "denied", "ok", "hidden", "ok", "ok", "ok", "ok"),
    ),
    Cell(
        "API",
        "Escalate",
        "POST",
        "/api/tickets/{t}/escalate/",
        _row("login", "denied", "denied", "ok", "hidden", "ok", "ok", "ok", "ok"),
        {"kind": "hierarchical", "reason": "Needs an expert"},
    ),
    Cell(
        "API",
        "Resolve a tier-3 ticket",
        "POST",
        "/api/tickets/{t3}/resolve/",
        _row("login", "ok", "hidden", "denied", "hidden", "ok", "ok", "ok", "ok"),
    ),
    Cell(
        "API",
        "Rate a resolved ticket",
        "POST",
        "/api/tickets/{r}/csat/",
        _row("login", "ok", "hidden", "denied", "hidden", "denied", "denied", "denied", "denied"),
        {"score": 5},
    ),
    Cell(
        "API",
        "Set the tier-1 agent's status",
        "PATCH",
        "/api/agents/ana/",
        _row("login", "denied", "denied", "ok", "denied", "denied", "ok", "ok", "ok"),
        {"status": "away"},
    ),
    Cell("Live", "Open the live socket /ws/queue/", "WS", "/ws/queue/", _row("login", *["ok"] * 8)),
]


def render_markdown() -> str:
    header = "| Area | Action | Request | " + " | ".join(ROLES) + " |"
    rule = "|" + "---|" * (3 + len(ROLES))
    lines = [header, rule]
    for cell in CELLS:
        lines.append(
            f"| {cell.area} | {cell.what} | `{cell.method} {cell.path}` | "
            + " | ".join(cell.expect[role] for role in ROLES)
            + " |"
        )
    roles = "\n".join(f"- `{key}`: {label}" for key, label in ROLES.items())
    return (
        "# Security: who may do what\n\n"
        "Generated from `tests/security_matrix.py` (`python -m tests.security_matrix > docs/security.md`);\n"
        "`tests/test_security_matrix.py` tries every cell against the running code.\n\n"
        f"## Roles\n\n{roles}\n\n"
        "## Outcomes\n\n"
        "ok: allowed. login: sent to sign in (302 to a login page, 401 in the API, a refused socket).\n"
        "denied: 403. refused: 400, the action refused in its form (an agent below the ticket's tier).\n"
        "hidden: 404, the object is not shown to exist.\n\n"
        "Paths: `{t}` a tier-1 Billing ticket of the customer, `{t3}` one escalated to tier 3, `{r}` a\n"
        "resolved one. Customers reading tickets through the API get the portal's shape (no team, tier,\n"
        "assignee, scores or internal notes); see docs/api.md.\n\n"
        "## Matrix\n\n" + "\n".join(lines) + "\n"
    )


if __name__ == "__main__":
    print(render_markdown(), end="")
