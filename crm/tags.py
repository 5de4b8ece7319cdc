"""Tags on contacts, companies, deals and activities (contract §8).

Tags are trimmed and lower-cased on the way in, so `VIP`, ` vip ` and `vip` are one tag and
the "has all these tags" filter is a plain containment test. A record keeps at most
`MAX_TAGS` distinct tags of 1 to `MAX_TAG_LENGTH` characters, in first-seen order.

- `TagsField`: the model field (a JSON list) with the `has_all` lookup: `@>` on PostgreSQL
  (served by a GIN index, `crm.pg_indexes.postgres_tags_index`), `json_each` elsewhere (SQLite).
- `TagsSerializerField`: the body field.
- `TagsFilter`: `?tags=a,b` for filter sets.
"""

import json

import django_filters
from django import forms
from django.db import models
from django.db.models import Lookup
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAX_TAGS = 20
MAX_TAG_LENGTH = 50


class TagError(ValueError):
    """A tag list breaks a rule; the message is fit for a client."""


def normalize_tag(value: object) -> str:
    if not isinstance(value, str):
        raise TagError("Each tag must be a string.")
    tag = value.strip().lower()
    if not 1 <= len(tag) <= MAX_TAG_LENGTH:
        raise TagError(f"Each tag must be 1 to {MAX_TAG_LENGTH} characters after trimming.")
    if "\x00" in tag:
        raise TagError("Tags may not contain NUL characters.")
    return tag


def normalize_tags(values: object) -> list[str]:
    """Trimmed, lower-cased, de-duplicated tags in first-seen order."""
    if not isinstance(values, list):
        raise TagError("Tags must be a list of strings.")
    tags = list(dict.fromkeys(normalize_tag(value) for value in values))
    if len(tags) > MAX_TAGS:
        raise TagError(f"At most {MAX_TAGS} distinct tags are allowed.")
    return tags


class TagsField(models.JSONField):
    """A JSON list of normalized tags; supports `tags__has_all=[...]`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)


@TagsField.register_lookup
class HasAllTags(Lookup):
    """True when the record has every tag of the (already normalized) right-hand list."""

    lookup_name = "has_all"
    prepare_rhs = False

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::jsonb", (*lhs_params, json.dumps(list(self.rhs)))

    def as_sql(self, compiler, connection):
        tags = sorted(set(self.rhs))
        if not tags:
            return "1 = 1", ()
        lhs, lhs_params = self.process_lhs(compiler, connection)
        marks = ", ".join(["%s"] * len(tags))
        sql = f"(SELECT COUNT(DISTINCT value) FROM json_each({lhs}) WHERE value IN ({marks})) = %s"
        return sql, (*lhs_params, *tags, len(tags))


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "minLength": 1, "maxLength": MAX_TAG_LENGTH},
        "maxItems": MAX_TAGS,
        "description": "Trimmed and lower-cased; duplicates are dropped. PATCH replaces the list.",
    }
)
class TagsSerializerField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return normalize_tags(data)
        except TagError as error:
            raise serializers.ValidationError(str(error)) from None

    def to_representation(self, value):
        return list(value or [])


class TagsFormField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return normalize_tags(value.split(","))
        except TagError as error:
            raise forms.ValidationError(str(error)) from None


class TagsFilter(django_filters.CharFilter):
    """`?tags=a,b`: records that have all of the listed tags (normalized like stored tags)."""

    field_class = TagsFormField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("field_name", "tags")
        kwargs.setdefault("lookup_expr", "has_all")
        kwargs.setdefault("help_text", "Comma-separated tags; matches records that have all of them.")
        super().__init__(*args, **kwargs)
