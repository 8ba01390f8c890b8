"""Full-text search over tickets: number, subject, conversation, internal notes (agents only), customer
name and e-mail, organization. Ranked; combined with whatever filters the caller applied first.

PostgreSQL reads the stored documents of helpdesk_ticket_search through their GIN indexes; SQLite reads
the FTS5 table helpdesk_ticket_fts. Both are kept current by triggers (migration helpdesk/0010). Every
term is matched as a word prefix ("refu" finds "refund"), all terms must match.

Snippets are cut from the best matching text in Python, escaped first, then marked: whatever the
customer wrote stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import ExpressionWrapper, F, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from helpdesk.models import Message, Ticket, TicketSearchDocument

MAX_TERMS = 8
# Relevance is ranked among the most recent matches: ranking reads every candidate's whole document,
# so a word found in half of a million tickets would otherwise cost seconds. Newer tickets win ties
# in a helpdesk anyway; a ticket number typed as such is always found.
SEARCH_CANDIDATES = 200
# PostgreSQL first looks for them among the newest PROBE tickets the caller may see (cheap for common
# words, whose index entries are long to read); only when fewer match does it ask the GIN index.
PROBE = 1000
MAX_QUERY_LENGTH = 200
SNIPPET_CHARS = 160
# Words: letters and digits, keeping e-mail addresses and dotted or hyphenated names in one piece.
WORD = re.compile(r"[\w][\w@.+'-]*[\w]|[\w]", re.UNICODE)
NUMBER = re.compile(r"^#?(\d{1,18})$")
# SQLite FTS5 column weights (number, subject, people, body, internal) for bm25.
FTS_WEIGHTS = "10.0, 5.0, 3.0, 1.0, 1.0"


@dataclass(frozen=True)
class SearchTerms:
    text: str
    words: tuple[str, ...]
    number: int | None

    def tsquery(self) -> str:
        """A to_tsquery('simple', ...) expression: every word a quoted prefix, all required."""
        return " & ".join("'" + w.replace("'", "''").replace("\\", "") + "':*" for w in self.words)

    def fts5(self, *, include_internal: bool) -> str:
        """An FTS5 MATCH expression: every word a quoted prefix phrase, all required."""
        phrases = " ".join('"' + w.replace('"', '""') + '"*' for w in self.words)
        columns = (
            "{number subject people body internal}" if include_internal else "{number subject people body}"
        )
        return f"{columns} : ({phrases})"


def search_terms(text: str | None) -> SearchTerms | None:
    """The words of a search box (None when nothing is searchable in it)."""
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    words = tuple(dict.fromkeys(w.lower() for w in WORD.findall(text)))[:MAX_TERMS]
    if not words:
        return None
    match = NUMBER.match(text)
    return SearchTerms(text=text, words=words, number=int(match.group(1)) if match else None)


def tickets_search(
    tickets: QuerySet[Ticket], *, terms: SearchTerms, include_internal: bool
) -> QuerySet[Ticket]:
    """These tickets narrowed to the SEARCH_CANDIDATES most recent that match, annotated with
    `search_rank` (higher is better); a ticket number typed as such ("#123" or "123") comes first."""
    if connection.vendor == "postgresql":
        query = SearchQuery(terms.tsquery(), search_type="raw", config="simple")
        matched = Q(search_document__public_document=query)
        rank = SearchRank(F("search_document__public_document"), query)
        if include_internal:
            matched |= Q(search_document__internal_document=query)
            rank = rank + SearchRank(F("search_document__internal_document"), query) * Value(0.5)
    else:
        expression = terms.fts5(include_internal=include_internal)
        matched = Q(
            pk__in=RawSQL(
                "SELECT rowid FROM helpdesk_ticket_fts WHERE helpdesk_ticket_fts MATCH %s", [expression]
            )
        )
        rank = RawSQL(
            "COALESCE((SELECT -bm25(helpdesk_ticket_fts, " + FTS_WEIGHTS + ") FROM helpdesk_ticket_fts "
            "WHERE helpdesk_ticket_fts MATCH %s AND helpdesk_ticket_fts.rowid = helpdesk_ticket.id), 0)",
            [expression],
            output_field=FloatField(),
        )
    # The candidates are read once, as ids: the count, the page's keys and its rows then reuse them.
    candidates: list[int] = []
    if connection.vendor == "postgresql":
        recent = tickets.order_by("-pk").values("pk")[:PROBE]
        candidates = list(
            TicketSearchDocument.objects.filter(ticket_id__in=recent)
            .filter(
                Q(public_document=query) | Q(internal_document=query)
                if include_internal
                else Q(public_document=query)
            )
            .order_by("-ticket_id")
            .values_list("ticket_id", flat=True)[:SEARCH_CANDIDATES]
        )
    if len(candidates) < SEARCH_CANDIDATES:  # else: the newest matches overall, every newer ticket seen
        candidates = list(
            tickets.filter(matched).order_by("-pk").values_list("pk", flat=True)[:SEARCH_CANDIDATES]
        )
    chosen = Q(pk__in=candidates)
    if terms.number is not None:
        chosen |= Q(pk=terms.number)
        rank = ExpressionWrapper(
            rank
            + RawSQL(
                "CASE WHEN helpdesk_ticket.id = %s THEN 1000.0 ELSE 0.0 END",
                [terms.number],
                output_field=FloatField(),
            ),
            output_field=FloatField(),
        )
    return tickets.filter(chosen).annotate(search_rank=rank)


def _snippet(text: str, words: tuple[str, ...]) -> SafeString | None:
    """A window of `text` around its first matching word, escaped, with the matching words marked."""
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")[\w]*", re.IGNORECASE)
    found = pattern.search(text)
    if found is None:
        return None
    start = max(0, found.start() - SNIPPET_CHARS // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < found.start() else start
    window = text[start : start + SNIPPET_CHARS]
    parts, last = [], 0
    for match in pattern.finditer(window):
        parts.append(escape(window[last : match.start()]))
        parts.append("<mark>" + escape(match.group(0)) + "</mark>")
        last = match.end()
    parts.append(escape(window[last:]))
    prefix = "…" if start else ""
    suffix = "…" if start + SNIPPET_CHARS < len(text) else ""
    return mark_safe(prefix + "".join(parts).replace("\n", " ") + suffix)  # noqa: S308 - every part escaped


def search_snippets(
    tickets: list[Ticket], *, terms: SearchTerms, include_internal: bool
) -> dict[int, SafeString]:
    """For each ticket of a result page: the passage that matched (subject, a message, a note, or the
    customer), escaped, with the matching words in <mark>."""
    snippets: dict[int, SafeString] = {}
    messages = Message.objects.filter(ticket__in=[t.pk for t in tickets]).order_by("ticket_id", "id")
    if not include_internal:
        messages = messages.filter(is_internal=False)
    by_ticket: dict[int, list[str]] = {}
    for ticket_id, body in messages.values_list("ticket_id", "body"):
        by_ticket.setdefault(ticket_id, []).append(body)
    for ticket in tickets:
        customer = ticket.customer
        candidates = [
            ticket.subject,
            *by_ticket.get(ticket.pk, [ticket.body]),
            " ".join(
                part
                for part in (
                    customer.get_full_name(),
                    customer.email,
                    getattr(ticket.organization, "name", ""),
                )
                if part
            ),
        ]
        for text in candidates:
            snippet = _snippet(text, terms.words)
            if snippet is not None:
                snippets[ticket.pk] = snippet
                break
    return snippets
