"""Statistics that let PostgreSQL plan the analytics' groupings by week and by day.

PostgreSQL keeps no statistics on an expression such as "the week a ticket was created in", so it
guesses one group per ticket and sorts a whole year of rows (a million at a time) to group them; told
that there are ~52 weeks or ~365 days, it counts in its parallel workers instead (overview's weekly
pass at a million tickets: 1.6 -> 0.5 s). The expressions are compiled by Django exactly as the
reports send them, for the site's time zone (settings.TIME_ZONE): after changing the time zone, run
`manage.py migrate helpdesk 0018 && manage.py migrate helpdesk` to rebuild them. Nothing is done on
SQLite, which plans without such statistics.
"""

from django.db import migrations
from django.db.models.functions import TruncDate, TruncWeek

STATISTICS = {"ticket_created_week": TruncWeek, "ticket_created_date": TruncDate}


def _expression_sql(connection, model, function) -> str:
    query = model.objects.annotate(value=function("created_at")).values("value").query
    sql, params = query.get_compiler(connection=connection).compile(query.annotations["value"])
    sql = sql.replace(f'"{model._meta.db_table}".', "")  # statistics name the table once, in FROM
    return connection.ops.compose_sql(sql, params)


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    ticket = apps.get_model("helpdesk", "Ticket")
    table = schema_editor.quote_name(ticket._meta.db_table)
    for name, function in STATISTICS.items():
        expression = _expression_sql(connection, ticket, function)
        schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {name} ON ({expression}) FROM {table}")
    schema_editor.execute(f"ANALYZE {table}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in STATISTICS:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0018_organization_index_escalations")]

    operations = [migrations.RunPython(create, drop)]
