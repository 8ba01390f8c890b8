"""Demo credentials: random at every seeding, printed once, never computable from the source.

The superuser gets a password of its own; every other demo account (agents, customers) shares a
second one, hashed once (hashing a password per account would take a minute). API tokens are random
keys. `seed_demo` prints them in the lines below; `parse_printed` reads them back from that output, for
scripts and tests that start the demo and then sign in.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

ADMIN_LINE = "Admin password: {password}"
SHARED_LINE = "Password of every other demo account: {password}"
TOKEN_LINE = "  token {username:<14} {key}"

_ADMIN = re.compile(r"^Admin password: (\S+)$", re.MULTILINE)
_SHARED = re.compile(r"^Password of every other demo account: (\S+)$", re.MULTILINE)
_TOKEN = re.compile(r"^  token (\S+)\s+([0-9a-f]{40})$", re.MULTILINE)


def new_password() -> str:
    """A random password that is easy to type: 4 groups of 4 letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


@dataclass
class DemoCredentials:
    admin_password: str = ""
    shared_password: str = ""
    tokens: dict[str, str] = field(default_factory=dict)

    def password_for(self, username: str) -> str:
        return self.admin_password if username == "admin" else self.shared_password


def parse_printed(output: str) -> DemoCredentials:
    """The credentials from `seed_demo`'s output (the last seeding's, if the text holds several)."""
    admin = _ADMIN.findall(output)
    shared = _SHARED.findall(output)
    return DemoCredentials(
        admin_password=admin[-1] if admin else "",
        shared_password=shared[-1] if shared else "",
        tokens=dict(_TOKEN.findall(output)),
    )
