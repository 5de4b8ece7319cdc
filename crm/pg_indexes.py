"""Indexes only PostgreSQL can build, as migration operations.

`Meta.indexes` must work on every backend, but two index kinds we need do not exist on
SQLite: GIN (for the tags `@>` lookup) and `DESC NULLS LAST` keys (for descending sorts on
nullable columns, which sort nulls last in both directions, contract §5). These operations
create them on PostgreSQL and do nothing elsewhere; they are not part of the model state.
"""

from django.db import migrations


def postgres_only_index(name: str, table: str, definition: str):
    """`CREATE INDEX name ON table definition` on PostgreSQL; a no-op on other backends."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'CREATE INDEX "{name}" ON "{table}" {definition}')

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(forward, backward, elidable=False)


def postgres_tags_index(table: str):
    """GIN index serving `tags__has_all` (`@>`) on `table`."""
    return postgres_only_index(f"{table}_tags_gin", table, 'USING gin ("tags" jsonb_path_ops)')


def postgres_desc_nulls_last_index(table: str, column: str):
    """Serves `sort=-column` (nulls last, id descending as the tie-break) within a workspace."""
    return postgres_only_index(
        f"{table}_{column}_desc_nl",
        table,
        f'("workspace_id", "{column}" DESC NULLS LAST, "id" DESC)',
    )
