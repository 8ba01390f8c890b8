"""Tickets routed before the column existed: the router's notes (metadata["routing"]) said so.

Their first routing ran moments after creation (a new ticket's routing task), so its time is taken as
the creation time. Reversing leaves the notes as they are; the column goes with the schema migration.
"""

from django.db import migrations
from django.db.models import F


def from_routing_notes(apps, schema_editor):
    Ticket = apps.get_model("helpdesk", "Ticket")
    Ticket.objects.filter(metadata__has_key="routing", first_routed_at__isnull=True).update(
        first_routed_at=F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0007_ticket_first_routed_at")]

    operations = [migrations.RunPython(from_routing_notes, migrations.RunPython.noop)]
