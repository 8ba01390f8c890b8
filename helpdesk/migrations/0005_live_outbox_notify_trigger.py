"""PostgreSQL announces new live-outbox rows itself: a statement trigger on helpdesk_liveevent sends
NOTIFY helpdesk_live once per INSERT statement, delivered at commit (and only then) to the relays of
the web processes (helpdesk.live.relay). The code used to send one pg_notify per live event, a round
trip each; a batch of decisions now writes its events with one INSERT and one notification.
Only the embedded set-up without Redis listens to it; SQLite has no NOTIFY."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION helpdesk_live_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('helpdesk_live', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS helpdesk_liveevent_notify ON helpdesk_liveevent;
CREATE TRIGGER helpdesk_liveevent_notify AFTER INSERT ON helpdesk_liveevent
    FOR EACH STATEMENT EXECUTE FUNCTION helpdesk_live_notify();
"""
DROP = """
DROP TRIGGER IF EXISTS helpdesk_liveevent_notify ON helpdesk_liveevent;
DROP FUNCTION IF EXISTS helpdesk_live_notify();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0004_user_email_lookup_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
