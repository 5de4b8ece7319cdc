"""The `cf.` filters on record lists (contract §5), as a DRF filter backend.

`cf.<slug>=v`, `cf.<slug>.gt|gte|lt|lte=v`, `cf.<slug>.in=a,b`, `cf.<slug>.contains=v`,
`cf.<slug>.exists=true|false`. Each becomes an EXISTS (or NOT EXISTS) subquery on the value
table correlated with the record, so it composes with every other filter and leaves the list's
ORDER BY and keyset cursor alone; the database either probes the (record, definition) unique
index row by row or hashes the definition's matching values from a (workspace, definition,
value) index, whichever is cheaper.
"""

from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Substr, Upper
from rest_framework.filters import BaseFilterBackend

from customfields.models import RECORD_FIELDS, TEXT_KEY, TEXT_KEY_LENGTH, CustomFieldDefinition, CustomFieldValue
from customfields.selectors import definitions_for
from customfields.types import COLUMNS, OPERATORS, TEXT_TYPES, FieldType, InvalidValue, list_token, parse_query_value
from nodestash.errors import validation_error

PREFIX = "cf."
MAX_IN_VALUES = 100


def _text_equals(value: str) -> Q:
    """Case-insensitive equality, first on the indexed prefix key, then on the whole text."""
    return Q(text_key=Upper(Substr(Value(value), 1, TEXT_KEY_LENGTH))) & Q(value_text__iexact=value)


def _parse(param: str, definition: CustomFieldDefinition, raw: str):
    try:
        return parse_query_value(definition.field_type, raw, definition.options)
    except InvalidValue as exc:
        raise validation_error(param, str(exc)) from None


def _condition(param: str, definition: CustomFieldDefinition, operator: str, raw: str) -> Q:
    """The condition on a value row of `definition` that `operator` and `raw` ask for."""
    field_type = definition.field_type
    column = COLUMNS[field_type]
    if operator == "in":
        parts = raw.split(",")
        if len(parts) > MAX_IN_VALUES:
            raise validation_error(param, f"At most {MAX_IN_VALUES} values.")
        values = [_parse(param, definition, part) for part in parts]
        if field_type in TEXT_TYPES:
            return Q.create([_text_equals(value) for value in values], connector=Q.OR)
        return Q(**{f"{column}__in": values})
    value = _parse(param, definition, raw)
    if operator == "contains":
        return Q(value_text__icontains=value)
    if operator == "eq" and field_type in TEXT_TYPES:
        return _text_equals(value)
    if operator == "eq" and field_type == FieldType.MULTI_SELECT:
        return Q(value_list__contains=list_token(value))
    lookup = "" if operator == "eq" else f"__{operator}"
    return Q(**{f"{column}{lookup}": value})


def _split(param: str) -> tuple[str, str]:
    """`cf.score.gte` → ("score", "gte"); `cf.score` → ("score", "eq"); `.eq` is not a suffix."""
    slug, dot, operator = param.removeprefix(PREFIX).partition(".")
    if not dot:
        return slug, "eq"
    return slug, "" if operator == "eq" else operator


def cf_filter(queryset, params, *, workspace, entity_type: str):
    """Narrow `queryset` (records of `entity_type`) by every `cf.` parameter in `params`."""
    requested = [(param, raw) for param, raw in params.items() if param.startswith(PREFIX)]
    if not requested:
        return queryset
    definitions = {d.slug: d for d in definitions_for(workspace=workspace, entity_type=entity_type)}
    record_field = RECORD_FIELDS[entity_type]
    for param, raw in requested:
        slug, operator = _split(param)
        definition = definitions.get(slug)
        if definition is None:
            raise validation_error(param[:100], f"Unknown custom field '{slug[:100]}' for entity type '{entity_type}'.")
        if operator not in OPERATORS[definition.field_type]:
            allowed = ", ".join(sorted(OPERATORS[definition.field_type] - {"eq"}))
            raise validation_error(
                param[:100],
                f"'{operator[:20]}' is not a filter operator for {definition.field_type} fields. Allowed: {allowed}.",
            )
        values = CustomFieldValue.unscoped.filter(
            workspace=workspace, definition=definition, **{record_field: OuterRef("pk")}
        )
        if operator == "exists":
            if raw not in ("true", "false"):
                raise validation_error(param, "Must be true or false.")
            queryset = queryset.filter(Exists(values) if raw == "true" else ~Exists(values))
            continue
        condition = _condition(param, definition, operator, raw)
        queryset = queryset.filter(Exists(values.alias(text_key=TEXT_KEY).filter(condition)))
    return queryset


class CustomFieldFilterBackend(BaseFilterBackend):
    """Applies `cf.` filters on a viewset that declares `custom_fields_entity_type`."""

    def filter_queryset(self, request, queryset, view):
        return cf_filter(
            queryset, request.query_params, workspace=view.workspace, entity_type=view.custom_fields_entity_type
        )

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "cf.{slug}[.{operator}]",
                "required": False,
                "in": "query",
                "description": (
                    "Custom field filters by definition slug: `cf.<slug>=v` (equality; case-insensitive for text "
                    "types; for multi_select: has v), `.gt/.gte/.lt/.lte` (number, date), `.in=a,b` (text types, "
                    "select), `.contains` (text types), `.exists=true|false`. Values are parsed by the field's type."
                ),
                "schema": {"type": "string"},
            }
        ]
