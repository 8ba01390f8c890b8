"""The stored search document of each ticket (PostgreSQL): kept current by triggers (migration
helpdesk/0009), read by helpdesk.services.search. On SQLite the same job is done by the FTS5 table
`helpdesk_ticket_fts`, created by the same migration; this table then stays empty."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class TicketSearchDocument(models.Model):
    """Number, subject, customer, organization and public conversation (`public_document`, weighted
    A to D), and the internal notes apart (`internal_document`), which only agents search."""

    ticket = models.OneToOneField(
        "helpdesk.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    public_document = SearchVectorField(default="")
    internal_document = SearchVectorField(default="")

    class Meta:
        db_table = "helpdesk_ticket_search"

    def __str__(self) -> str:
        return f"search document of #{self.ticket_id}"
