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


# What a record's inline `custom_fields` needs of a value: the typed columns and the
# definition's slug and type (not the timestamps and options of both rows, for every value).
INLINE_FIELDS = ("definition__slug", "definition__field_type", *RECORD_FIELDS.values(), *VALUE_COLUMNS)
LOADED_ATTRIBUTE = "_loaded_custom_field_values"


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
    query per entity type, so `stored_values` reads them from memory."""
    by_model = defaultdict(list)
    for record in _with_embedded(records):
        by_model[type(record)].append(record)  # duplicates (one company on many contacts) all get it
    for model, same_type in by_model.items():
        # A plain list on each record, not Django's prefetch cache (which clones a queryset per record).
        field = next(
            f for f in map(CustomFieldValue._meta.get_field, RECORD_FIELDS.values()) if f.related_model is model
        )
        loaded = defaultdict(list)
        rows = (
            values_queryset(workspace).only(*INLINE_FIELDS).filter(**{f"{field.name}__in": {r.pk for r in same_type}})
        )
        for value in rows:
            loaded[getattr(value, field.attname)].append(value)
        for record in same_type:
            setattr(record, LOADED_ATTRIBUTE, loaded[record.pk])


def stored_values(record) -> list[CustomFieldValue]:
    """The record's values (from a prefetch when there was one), each with its definition.
    Without a prefetch (one record: get, create, update) a single query loads the values with
    their definitions, rather than one more query per value."""
    if hasattr(record, LOADED_ATTRIBUTE):
        return getattr(record, LOADED_ATTRIBUTE)
    return list(getattr(record, VALUES_ATTRIBUTE).select_related("definition"))


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
