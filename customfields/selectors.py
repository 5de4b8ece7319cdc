"""Reads of custom fields: a workspace's definitions and the values of records, batched."""

from collections import defaultdict

from django.db import models

from customfields.models import RECORD_FIELDS, CustomFieldDefinition, CustomFieldValue
from customfields.types import COLUMNS, VALUE_COLUMNS, list_token, represent

VALUES_ATTRIBUTE = "custom_field_values"


def definitions_for(*, workspace, entity_type: str) -> list[CustomFieldDefinition]:
    """The entity type's definitions in display order."""
    return list(
        CustomFieldDefinition.unscoped.filter(workspace=workspace, entity_type=entity_type).order_by(
            "display_order", "created_at", "id"
        )
    )


def values_queryset(workspace):
    return CustomFieldValue.unscoped.filter(workspace=workspace).select_related("definition")


LOADED_ATTRIBUTE = "_loaded_custom_field_values"
# What a record's inline `custom_fields` needs of a value: the definition's slug and type and
# the typed columns, read as plain tuples (no model instances: a page holds hundreds of values).
INLINE_COLUMNS = ("definition__slug", "definition__field_type", *VALUE_COLUMNS)


def _inline_rows(workspace, record_field: str, record_ids):
    """(record id, slug, JSON value) for every value of the given records of one type."""
    rows = values_queryset(workspace).filter(**{f"{record_field}__in": record_ids})
    for record_id, slug, field_type, *columns in rows.values_list(f"{record_field}_id", *INLINE_COLUMNS):
        stored = dict(zip(VALUE_COLUMNS, columns, strict=True))[COLUMNS[field_type]]
        yield record_id, slug, represent(field_type, stored)


def _record_field(model) -> str:
    return next(
        f.name for f in map(CustomFieldValue._meta.get_field, RECORD_FIELDS.values()) if f.related_model is model
    )


def _with_embedded(records: list):
    """The records and the records they carry loaded (select_related, prefetched, to_attr
    lists), which the response embeds for `include=`."""
    for record in records:
        yield record
        loaded = [*record._state.fields_cache.values(), *vars(record).values()]
        loaded += [list(cached) for cached in getattr(record, "_prefetched_objects_cache", {}).values()]
        for value in loaded:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, models.Model) and hasattr(item, VALUES_ATTRIBUTE):
                    yield item


def values_prefetch(records: list, *, workspace) -> None:
    """Load the values of a page of records, and of the records embedded in them, with one
    query per entity type, so `inline_values` reads them from memory."""
    by_model = defaultdict(list)
    for record in _with_embedded(records):
        by_model[type(record)].append(record)  # duplicates (one company on many contacts) all get it
    for model, same_type in by_model.items():
        loaded = defaultdict(dict)
        for record_id, slug, value in _inline_rows(workspace, _record_field(model), {r.pk for r in same_type}):
            loaded[record_id][slug] = value
        for record in same_type:
            setattr(record, LOADED_ATTRIBUTE, loaded[record.pk])


def inline_values(record) -> dict:
    """The record's set values as `{slug: JSON value}` (from a prefetch when there was one;
    else one query: get, create and update show a single record)."""
    if hasattr(record, LOADED_ATTRIBUTE):
        return getattr(record, LOADED_ATTRIBUTE)
    rows = _inline_rows(record.workspace_id, _record_field(type(record)), [record.pk])
    return {slug: value for _, slug, value in rows}


def value_of(value: CustomFieldValue):
    """The JSON value of a stored value row."""
    field_type = value.definition.field_type
    return represent(field_type, getattr(value, COLUMNS[field_type]))


def values_of_record(record, *, entity_type: str) -> list[CustomFieldValue]:
    """The record's values as rows, in the definitions' display order."""
    rows = values_queryset(record.workspace_id).filter(**{RECORD_FIELDS[entity_type]: record})
    return list(rows.order_by("definition__display_order", "definition__created_at", "definition_id"))


def values_with_option(definition: CustomFieldDefinition, option: str):
    """Values of a select or multi_select definition that hold `option`."""
    values = CustomFieldValue.unscoped.filter(workspace=definition.workspace_id, definition=definition)
    if definition.field_type == "multi_select":
        return values.filter(value_list__contains=list_token(option))
    return values.filter(value_text=option)
