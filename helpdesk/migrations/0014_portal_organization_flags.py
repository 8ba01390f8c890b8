"""Organizations: self sign-up and the shared inbox.

On SQLite, adding a column rebuilds helpdesk_organization, which the full-text search triggers on tickets
read (0010_ticket_search_triggers): they are dropped for the rebuild and created again afterwards.
"""

import importlib

from django.db import migrations, models

search = importlib.import_module("helpdesk.migrations.0010_ticket_search_triggers")
TRIGGERS = [statement for statement in search.SQLITE_CREATE if statement.lstrip().startswith("CREATE TRIGGER")]
DROP_TRIGGERS = [statement for statement in search.SQLITE_DROP if statement.startswith("DROP TRIGGER")]


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP_TRIGGERS:
            schema_editor.execute(statement)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0013_merge_portal")]

    operations = [
        migrations.RunPython(drop_triggers, create_triggers),
        migrations.AddField(
            model_name="organization",
            name="self_signup",
            field=models.BooleanField(
                default=False,
                help_text="People with an e-mail address at one of the organization's e-mail domains may create "
                "their own login.",
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="shared_inbox",
            field=models.BooleanField(
                default=False,
                help_text="The organization's admin customers see every ticket of the organization in the portal.",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
