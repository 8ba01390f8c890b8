"""Index auth_user by UPPER(email): intake finds the customer behind every API ticket by a
case-insensitive e-mail match (`email__iexact`), which PostgreSQL otherwise answers with a scan of
every user. SQLite matches iexact with LIKE, which this index would not serve, so it is PostgreSQL only."""

from django.db import migrations

INDEX = "auth_user_email_upper"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {INDEX} ON auth_user (UPPER("email"::text))')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0003_analytics_indexes"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
