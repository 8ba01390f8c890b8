"""Links in automatic answers: only to the allowed domains (settings.HELPDESK_ANSWER_LINK_DOMAINS,
subdomains included; by default the site's own host). Relative links stay on the site and are fine.
An article that links elsewhere is not sent automatically: an agent reviews the draft instead."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings

# http(s)://host..., protocol-relative //host..., and bare www.host... as mail clients turn them into links
LINK = re.compile(r"(?:\bhttps?:)?//[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+", re.IGNORECASE)


def _host(link: str) -> str:
    if link.lower().startswith("www."):
        link = "//" + link
    try:
        return (urlsplit(link).hostname or "").rstrip(".").lower()
    except ValueError:  # a malformed link (e.g. a bad IPv6 literal) is no allowed link
        return "?"


def _allowed(host: str, domains: list[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def foreign_link_hosts(text: str) -> list[str]:
    """The hosts that links in `text` point to outside the allowed domains, in order, once each."""
    domains = [d.strip().lower().lstrip(".") for d in settings.HELPDESK_ANSWER_LINK_DOMAINS if d.strip()]
    hosts = []
    for link in LINK.findall(text or ""):
        host = _host(link)
        if host and not _allowed(host, domains) and host not in hosts:
            hosts.append(host)
    return hosts
