"""Validation of a `{slug: value}` object against a workspace's definitions (inline
`custom_fields` and the values endpoint's `fields` share it)."""

from collections.abc import Mapping

from rest_framework import serializers

from customfields.models import CustomFieldDefinition
from customfields.selectors import definitions_for
from customfields.types import InvalidValue, parse_value

MAX_FIELDS_PER_WRITE = 200  # the per-entity-type cap: no valid body names more slugs


def values_validate(data, *, workspace, entity_type: str, creating: bool) -> dict[CustomFieldDefinition, object]:
    """`{slug: value|null}` → `{definition: stored value or None (clear)}`, or a ValidationError
    keyed by slug. On create every required field needs a value; a required field can never be
    cleared. Slugs of other entity types or other workspaces are unknown here."""
    if not isinstance(data, Mapping):
        raise serializers.ValidationError("Must be an object keyed by custom field slug.")
    if len(data) > MAX_FIELDS_PER_WRITE:
        raise serializers.ValidationError(f"At most {MAX_FIELDS_PER_WRITE} fields per request.")
    definitions = {
        definition.slug: definition for definition in definitions_for(workspace=workspace, entity_type=entity_type)
    }
    errors: dict[str, list[str]] = {}
    parsed = {}
    for slug, raw in data.items():
        definition = definitions.get(slug)
        if definition is None:
            errors[slug[:100]] = [f"Unknown custom field '{slug[:100]}' for entity type '{entity_type}'."]
            continue
        try:
            value = parse_value(definition.field_type, raw, definition.options)
        except InvalidValue as exc:
            errors[slug] = [str(exc)]
            continue
        if value is None and definition.is_required:
            errors[slug] = ["This custom field is required and cannot be cleared."]
            continue
        parsed[definition] = value
    if creating:
        for slug, definition in definitions.items():
            if definition.is_required and slug not in data:
                errors[slug] = ["This custom field is required."]
    if errors:
        raise serializers.ValidationError(errors)
    return parsed
