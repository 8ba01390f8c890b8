"""Full-text search kept current by the database itself, whichever code path writes the text.

PostgreSQL: helpdesk_ticket_search holds each ticket's tsvector documents ('simple' configuration, so
every language is searched alike): A = number and subject, B = customer name, e-mail and organization,
C = the ticket's description, D = public messages; internal notes in a document of their own. A new
message is appended to its ticket's document; an edited, moved or deleted one rebuilds it. GIN indexes
answer the @@ queries.

SQLite: an FTS5 table helpdesk_ticket_fts (rowid = ticket id) with the same parts as columns, kept by
triggers in the same way.
"""

from django.db import migrations

PG_CREATE = r"""
CREATE INDEX IF NOT EXISTS helpdesk_ticket_search_public ON helpdesk_ticket_search USING gin (public_document);
CREATE INDEX IF NOT EXISTS helpdesk_ticket_search_internal ON helpdesk_ticket_search USING gin (internal_document);

CREATE OR REPLACE FUNCTION helpdesk_ticket_search_rebuild(tid bigint) RETURNS void AS $$
    INSERT INTO helpdesk_ticket_search (ticket_id, public_document, internal_document)
    SELECT t.id,
        setweight(to_tsvector('simple', t.id::text || ' ' || t.subject), 'A')
        || setweight(to_tsvector('simple', concat_ws(' ', u.first_name, u.last_name, u.email,
                     translate(u.email, '@.', '  '), o.name)), 'B')
        || setweight(to_tsvector('simple', t.body), 'C')
        || setweight(to_tsvector('simple', coalesce((SELECT string_agg(m.body, ' ' ORDER BY m.id)
                     FROM helpdesk_message m WHERE m.ticket_id = t.id AND NOT m.is_internal), '')), 'D'),
        to_tsvector('simple', coalesce((SELECT string_agg(m.body, ' ' ORDER BY m.id)
                     FROM helpdesk_message m WHERE m.ticket_id = t.id AND m.is_internal), ''))
    FROM helpdesk_ticket t
    JOIN auth_user u ON u.id = t.customer_id
    LEFT JOIN helpdesk_organization o ON o.id = t.organization_id
    WHERE t.id = tid
    ON CONFLICT (ticket_id) DO UPDATE
        SET public_document = EXCLUDED.public_document, internal_document = EXCLUDED.internal_document;
$$ LANGUAGE sql;

CREATE OR REPLACE FUNCTION helpdesk_ticket_search_ticket() RETURNS trigger AS $$
BEGIN
    PERFORM helpdesk_ticket_search_rebuild(NEW.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION helpdesk_ticket_search_message() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.is_internal THEN
            UPDATE helpdesk_ticket_search SET internal_document =
                internal_document || to_tsvector('simple', NEW.body) WHERE ticket_id = NEW.ticket_id;
        ELSE
            UPDATE helpdesk_ticket_search SET public_document =
                public_document || setweight(to_tsvector('simple', NEW.body), 'D') WHERE ticket_id = NEW.ticket_id;
        END IF;
        IF NOT FOUND THEN
            PERFORM helpdesk_ticket_search_rebuild(NEW.ticket_id);
        END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM helpdesk_ticket_search_rebuild(NEW.ticket_id);
        IF OLD.ticket_id <> NEW.ticket_id THEN
            PERFORM helpdesk_ticket_search_rebuild(OLD.ticket_id);
        END IF;
    ELSE
        PERFORM helpdesk_ticket_search_rebuild(OLD.ticket_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS helpdesk_ticket_search_insert ON helpdesk_ticket;
CREATE TRIGGER helpdesk_ticket_search_insert AFTER INSERT ON helpdesk_ticket
    FOR EACH ROW EXECUTE FUNCTION helpdesk_ticket_search_ticket();
DROP TRIGGER IF EXISTS helpdesk_ticket_search_update ON helpdesk_ticket;
CREATE TRIGGER helpdesk_ticket_search_update AFTER UPDATE OF subject, body, customer_id, organization_id
    ON helpdesk_ticket FOR EACH ROW
    WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.body IS DISTINCT FROM NEW.body
          OR OLD.customer_id IS DISTINCT FROM NEW.customer_id
          OR OLD.organization_id IS DISTINCT FROM NEW.organization_id)
    EXECUTE FUNCTION helpdesk_ticket_search_ticket();
DROP TRIGGER IF EXISTS helpdesk_ticket_search_message_insert ON helpdesk_message;
CREATE TRIGGER helpdesk_ticket_search_message_insert AFTER INSERT ON helpdesk_message
    FOR EACH ROW EXECUTE FUNCTION helpdesk_ticket_search_message();
DROP TRIGGER IF EXISTS helpdesk_ticket_search_message_change ON helpdesk_message;
CREATE TRIGGER helpdesk_ticket_search_message_change AFTER UPDATE OF body, is_internal, ticket_id
    ON helpdesk_message FOR EACH ROW
    WHEN (OLD.body IS DISTINCT FROM NEW.body OR OLD.is_internal IS DISTINCT FROM NEW.is_internal
          OR OLD.ticket_id IS DISTINCT FROM NEW.ticket_id)
    EXECUTE FUNCTION helpdesk_ticket_search_message();
DROP TRIGGER IF EXISTS helpdesk_ticket_search_message_delete ON helpdesk_message;
CREATE TRIGGER helpdesk_ticket_search_message_delete AFTER DELETE ON helpdesk_message
    FOR EACH ROW EXECUTE FUNCTION helpdesk_ticket_search_message();

SELECT helpdesk_ticket_search_rebuild(id) FROM helpdesk_ticket;
"""

PG_DROP = r"""
DROP TRIGGER IF EXISTS helpdesk_ticket_search_insert ON helpdesk_ticket;
DROP TRIGGER IF EXISTS helpdesk_ticket_search_update ON helpdesk_ticket;
DROP TRIGGER IF EXISTS helpdesk_ticket_search_message_insert ON helpdesk_message;
DROP TRIGGER IF EXISTS helpdesk_ticket_search_message_change ON helpdesk_message;
DROP TRIGGER IF EXISTS helpdesk_ticket_search_message_delete ON helpdesk_message;
DROP FUNCTION IF EXISTS helpdesk_ticket_search_message();
DROP FUNCTION IF EXISTS helpdesk_ticket_search_ticket();
DROP FUNCTION IF EXISTS helpdesk_ticket_search_rebuild(bigint);
DROP INDEX IF EXISTS helpdesk_ticket_search_public;
DROP INDEX IF EXISTS helpdesk_ticket_search_internal;
"""

# The ticket's people: customer name and e-mail, and the organization's name.
SQLITE_PEOPLE = """coalesce((SELECT u.first_name || ' ' || u.last_name || ' ' || u.email FROM auth_user u
    WHERE u.id = {t}.customer_id), '') || ' ' ||
    coalesce((SELECT o.name FROM helpdesk_organization o WHERE o.id = {t}.organization_id), '')"""
SQLITE_PUBLIC = """{t}.body || ' ' || coalesce((SELECT group_concat(body, ' ') FROM
    (SELECT m.body FROM helpdesk_message m WHERE m.ticket_id = {t}.id AND NOT m.is_internal ORDER BY m.id)), '')"""
SQLITE_INTERNAL = """coalesce((SELECT group_concat(body, ' ') FROM
    (SELECT m.body FROM helpdesk_message m WHERE m.ticket_id = {t}.id AND m.is_internal ORDER BY m.id)), '')"""


def _sqlite_rebuild(alias: str, ticket_id: str) -> str:
    """Statements that write one ticket's row from scratch (`alias` names the ticket row)."""
    return f"""
    DELETE FROM helpdesk_ticket_fts WHERE rowid = {ticket_id};
    INSERT INTO helpdesk_ticket_fts (rowid, number, subject, people, body, internal)
        SELECT {alias}.id, {alias}.id, {alias}.subject, {SQLITE_PEOPLE.format(t=alias)},
               {SQLITE_PUBLIC.format(t=alias)}, {SQLITE_INTERNAL.format(t=alias)}
        FROM helpdesk_ticket {alias} WHERE {alias}.id = {ticket_id};"""


SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS helpdesk_ticket_fts USING fts5("
    "number, subject, people, body, internal, tokenize = 'unicode61 remove_diacritics 2')",
    f"""CREATE TRIGGER IF NOT EXISTS helpdesk_ticket_fts_insert AFTER INSERT ON helpdesk_ticket BEGIN
        {_sqlite_rebuild("t", "NEW.id")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS helpdesk_ticket_fts_update AFTER UPDATE OF subject, body, customer_id,
        organization_id ON helpdesk_ticket BEGIN
        {_sqlite_rebuild("t", "NEW.id")}
    END""",
    """CREATE TRIGGER IF NOT EXISTS helpdesk_ticket_fts_delete AFTER DELETE ON helpdesk_ticket BEGIN
        DELETE FROM helpdesk_ticket_fts WHERE rowid = OLD.id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS helpdesk_ticket_fts_message_insert AFTER INSERT ON helpdesk_message BEGIN
        UPDATE helpdesk_ticket_fts SET body = body || ' ' || NEW.body
            WHERE rowid = NEW.ticket_id AND NOT NEW.is_internal;
        UPDATE helpdesk_ticket_fts SET internal = internal || ' ' || NEW.body
            WHERE rowid = NEW.ticket_id AND NEW.is_internal;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS helpdesk_ticket_fts_message_update AFTER UPDATE OF body, is_internal,
        ticket_id ON helpdesk_message BEGIN
        {_sqlite_rebuild("t", "NEW.ticket_id")}
        {_sqlite_rebuild("o", "OLD.ticket_id")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS helpdesk_ticket_fts_message_delete AFTER DELETE ON helpdesk_message BEGIN
        {_sqlite_rebuild("t", "OLD.ticket_id")}
    END""",
    f"""INSERT INTO helpdesk_ticket_fts (rowid, number, subject, people, body, internal)
        SELECT t.id, t.id, t.subject, {SQLITE_PEOPLE.format(t="t")}, {SQLITE_PUBLIC.format(t="t")},
               {SQLITE_INTERNAL.format(t="t")}
        FROM helpdesk_ticket t""",
]

SQLITE_DROP = [
    *[
        f"DROP TRIGGER IF EXISTS helpdesk_ticket_fts_{name}"
        for name in ("insert", "update", "delete", "message_insert", "message_update", "message_delete")
    ],
    "DROP TABLE IF EXISTS helpdesk_ticket_fts",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0009_ticket_search")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
