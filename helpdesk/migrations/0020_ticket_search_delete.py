"""PostgreSQL: a deleted ticket takes its search documents with it.

Deleting a ticket deletes its messages first, and each deleted message rebuilt the ticket's documents
(the ticket row was still there), so a document outlived its ticket and the deletion failed on the
foreign key at commit. SQLite's full-text table already had this trigger (0010)."""

from django.db import migrations

PG_CREATE = r"""
CREATE OR REPLACE FUNCTION helpdesk_ticket_search_forget() RETURNS trigger AS $$
BEGIN
    DELETE FROM helpdesk_ticket_search WHERE ticket_id = OLD.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS helpdesk_ticket_search_delete ON helpdesk_ticket;
CREATE TRIGGER helpdesk_ticket_search_delete AFTER DELETE ON helpdesk_ticket
    FOR EACH ROW EXECUTE FUNCTION helpdesk_ticket_search_forget();
"""

PG_DROP = r"""
DROP TRIGGER IF EXISTS helpdesk_ticket_search_delete ON helpdesk_ticket;
DROP FUNCTION IF EXISTS helpdesk_ticket_search_forget();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_CREATE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP)


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0019_analytics_planner_statistics")]

    operations = [migrations.RunPython(forward, backward)]
