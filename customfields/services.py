"""Writes for custom field definitions and values. Every write takes `workspace=` (or an instance of it)
and runs in a transaction; creating locks the workspace row so the per-entity-type cap and
the default `display_order` hold under concurrent requests."""

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from customfields.models import RECORD_FIELDS, CustomFieldDefinition, CustomFieldValue
from customfields.selectors import values_with_option
from customfields.types import COLUMNS, SELECT_TYPES, VALUE_COLUMNS, FieldType, represent
from nodestash.errors import Conflict, NotFound
from workspaces.models import Workspace

MAX_DEFINITIONS_PER_ENTITY_TYPE = 200


def _slug_conflict(entity_type: str, slug: str) -> Conflict:
    return Conflict(
        f"A custom field with slug '{slug}' already exists for entity type '{entity_type}' in this workspace."
    )


@transaction.atomic
def definition_create(
    *,
    workspace,
    entity_type: str,
    name: str,
    slug: str,
    field_type: str,
    description: str | None = None,
    is_required: bool = False,
    options: list[str] | None = None,
    display_order: int | None = None,
) -> CustomFieldDefinition:
    Workspace.objects.select_for_update().get(pk=workspace.pk)
    siblings = CustomFieldDefinition.unscoped.filter(workspace=workspace, entity_type=entity_type)
    if siblings.count() >= MAX_DEFINITIONS_PER_ENTITY_TYPE:
        raise Conflict(f"A workspace can have at most {MAX_DEFINITIONS_PER_ENTITY_TYPE} custom fields per entity type.")
    if siblings.filter(slug=slug).exists():
        raise _slug_conflict(entity_type, slug)
    if display_order is None:
        highest = siblings.aggregate(highest=Max("display_order"))["highest"]
        display_order = 0 if highest is None else highest + 1
    try:
        with transaction.atomic():
            return CustomFieldDefinition.unscoped.create(
                workspace=workspace,
                entity_type=entity_type,
                name=name,
                slug=slug,
                field_type=field_type,
                description=description,
                is_required=is_required,
                options=options,
                display_order=display_order,
            )
    except IntegrityError:
        raise _slug_conflict(entity_type, slug) from None


UPDATABLE = frozenset({"name", "description", "is_required", "options", "display_order"})


@transaction.atomic
def definition_update(*, definition: CustomFieldDefinition, changes: dict) -> CustomFieldDefinition:
    """Change the mutable attributes; removing an option that a value still uses is a 409."""
    definition = CustomFieldDefinition.unscoped.select_for_update().get(pk=definition.pk)
    if "options" in changes:
        removed = set(definition.options or []) - set(changes["options"] or [])
        in_use = sorted(option for option in removed if values_with_option(definition, option).exists())
        if in_use:
            raise Conflict(f"Option(s) still used by records: {', '.join(in_use)}. Change those values first.")
    for name, value in changes.items():
        if name not in UPDATABLE:
            raise ValueError(f"{name} cannot be changed")
        setattr(definition, name, value)
    definition.save()
    return definition


@transaction.atomic
def definition_delete(*, definition: CustomFieldDefinition) -> None:
    """Deletes the definition and, by cascade, every value of it."""
    definition.delete()


@transaction.atomic
def values_set(*, workspace, record, entity_type: str, values: dict, new_record: bool = False) -> None:
    """Write validated values (`customfields.validation.values_validate`) to a record: set or
    replace the given ones, delete the cleared ones, leave the rest.

    An existing record's `updated_at` is bumped first (its custom fields are part of it), which
    also locks its row: concurrent writes to one record's values run one after the other
    instead of racing to insert the same value. A `new_record` (created in this transaction)
    is invisible to others until commit and has no values yet."""
    if not values:
        return
    now = timezone.now()
    if not new_record:
        if not type(record).unscoped.filter(pk=record.pk).update(updated_at=now):
            raise NotFound(f"{type(record)._meta.verbose_name.capitalize()} not found")  # deleted meanwhile
        record.updated_at = now
    _recheck_options(values)
    record_field = RECORD_FIELDS[entity_type]
    rows = CustomFieldValue.unscoped.filter(workspace=workspace, **{record_field: record})
    cleared = [definition for definition, value in values.items() if value is None]
    if cleared:
        rows.filter(definition__in=cleared).delete()
    existing = {row.definition_id: row for row in rows.filter(definition__in=list(values))} if not new_record else {}
    created, changed = [], []
    for definition, value in values.items():
        if value is None:
            continue
        row = existing.get(definition.pk)
        if row is None:
            row = CustomFieldValue(workspace=workspace, definition=definition, **{record_field: record})
            created.append(row)
        else:
            row.updated_at = now
            changed.append(row)
        setattr(row, COLUMNS[definition.field_type], value)
    CustomFieldValue.unscoped.bulk_create(created)
    CustomFieldValue.unscoped.bulk_update(changed, [*VALUE_COLUMNS, "updated_at"])


def _recheck_options(values: dict) -> None:
    """Validation read the options before this transaction; re-read them under a share lock
    (PostgreSQL), so an option removed meanwhile is a 409 here, and a removal that comes later
    waits for this write and then finds the option in use."""
    chosen = {d: v for d, v in values.items() if v is not None and d.field_type in SELECT_TYPES}
    if not chosen:
        return
    definitions = CustomFieldDefinition.unscoped.filter(pk__in=[d.pk for d in chosen])
    if connection.vendor == "postgresql":  # Django has no FOR SHARE; FOR UPDATE would serialize writers
        sql, params = definitions.values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} FOR SHARE", params)
    current = dict(definitions.values_list("pk", "options"))
    for definition, value in chosen.items():
        wanted = (
            represent(FieldType.MULTI_SELECT, value) if definition.field_type == FieldType.MULTI_SELECT else [value]
        )
        if not set(wanted) <= set(current.get(definition.pk) or []):
            raise Conflict(f"The options of '{definition.slug}' changed meanwhile; retry with a current option.")
