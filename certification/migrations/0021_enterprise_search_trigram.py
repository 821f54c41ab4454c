"""Trigram indexes for the searches by enterprise name or credit code (``icontains``: the district's
queue, the pool, the public publicity list and the APIs), on PostgreSQL only.

Django's ``icontains`` is ``UPPER(col::text) LIKE UPPER('%…%')`` there, which no B-tree serves: without
these indexes every search reads every enterprise (8 ms at 16,000). pg_trgm is a trusted extension
(PostgreSQL 13+): the database's owner may create it. SQLite has no such index and needs none at its
size (docs/databases.md)."""

from django.db import migrations

INDEXES = (
    ("enterprise_name_trgm", "name"),
    ("enterprise_uscc_trgm", "uscc"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON certification_enterprise USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0020_application_district_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
