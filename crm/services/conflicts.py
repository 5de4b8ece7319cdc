"""Turning a unique-constraint violation into the contract's 409 with a clear message.

The database decides uniqueness (two concurrent requests cannot both pass a Python check),
so writes run in a savepoint and a violation of the named constraint becomes `Conflict`.
"""

from contextlib import contextmanager

from django.db import IntegrityError, transaction

from nodestash.errors import Conflict


def _violates(error: IntegrityError, model, constraint_name: str) -> bool:
    diag = getattr(error.__cause__, "diag", None)  # psycopg names the constraint
    if diag is not None:
        return diag.constraint_name == constraint_name
    # SQLite names the columns: "UNIQUE constraint failed: crm_contact.workspace_id, crm_contact.email"
    constraint = next(c for c in model._meta.constraints if c.name == constraint_name)
    if not constraint.fields:
        raise ValueError(f"{constraint_name} has no plain fields; SQLite cannot name its violations.")
    table = model._meta.db_table
    columns = ", ".join(f"{table}.{model._meta.get_field(name).column}" for name in constraint.fields)
    return str(error) == f"UNIQUE constraint failed: {columns}"


@contextmanager
def conflict_on(model, constraint_name: str, message: str):
    """Run the block in a savepoint; a violation of `constraint_name` raises Conflict(message)."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if _violates(error, model, constraint_name):
            raise Conflict(message) from None
        raise
