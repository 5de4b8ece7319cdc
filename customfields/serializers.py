"""Serializers of custom fields: the definition and value resources, the values endpoint's
PUT body, and the inline `custom_fields` of records (field and serializer mixin)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customfields.models import CustomFieldDefinition, CustomFieldValue
from customfields.selectors import definitions_for, inline_values, value_of
from customfields.slugs import SLUG_MAX, SLUG_PATTERN, slug_from_name
from customfields.types import SELECT_TYPES, InvalidValue, parse_options
from customfields.validation import values_validate
from nodestash.serializers import ResourceSerializer, StrictBooleanField, StrictFieldsMixin

CUSTOM_FIELDS_SCHEMA = {
    "type": "object",
    "additionalProperties": True,
    "description": "Custom field values keyed by definition slug; null clears one (see /v1/custom-fields).",
}

IMMUTABLE = ("entity_type", "slug", "field_type")


class CustomFieldDefinitionSerializer(ResourceSerializer):
    resource_type = "custom_field_definition"

    name = serializers.CharField(max_length=200)
    slug = serializers.RegexField(
        SLUG_PATTERN, max_length=SLUG_MAX, required=False, error_messages={"invalid": "Must match ^[a-z][a-z0-9_]*$."}
    )
    description = serializers.CharField(max_length=1000, required=False, allow_null=True, allow_blank=True)
    is_required = StrictBooleanField(required=False)
    options = serializers.JSONField(required=False, allow_null=True)
    display_order = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)

    class Meta:
        model = CustomFieldDefinition
        fields = [
            "id",
            "entity_type",
            "name",
            "slug",
            "field_type",
            "description",
            "is_required",
            "options",
            "display_order",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("This field may not be blank.")
        return value

    def validate_description(self, value: str | None) -> str | None:
        return (value or "").strip() or None  # optional text is null, never ''

    def validate_options(self, value):
        if value is None:
            return None
        try:
            return parse_options(value)
        except InvalidValue as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate(self, attrs):
        instance = self.instance
        if instance is not None:
            for name in IMMUTABLE:
                if name in attrs and attrs[name] != getattr(instance, name):
                    raise serializers.ValidationError({name: [f"{name} cannot be changed."]})
                attrs.pop(name, None)
        elif "slug" not in attrs:
            attrs["slug"] = slug_from_name(attrs["name"])
            if not attrs["slug"]:
                raise serializers.ValidationError({"slug": ["Cannot make a slug from this name; send a slug."]})
        field_type = instance.field_type if instance else attrs["field_type"]
        self._check_options(field_type, attrs, creating=instance is None)
        return attrs

    @staticmethod
    def _check_options(field_type: str, attrs: dict, *, creating: bool) -> None:
        if field_type in SELECT_TYPES:
            if (creating or "options" in attrs) and not attrs.get("options"):
                raise serializers.ValidationError({"options": ["Required for select and multi_select fields."]})
        elif attrs.get("options") is not None:
            raise serializers.ValidationError({"options": ["Only select and multi_select fields have options."]})


@extend_schema_field(CUSTOM_FIELDS_SCHEMA)
class CustomFieldsField(serializers.Field):
    """Inline `custom_fields` of a record: `{slug: value}` out (every defined field, `null`
    when unset), validated `{definition: value}` in. POST checks required fields even when
    the object is absent; PATCH merges (only the given slugs change)."""

    def __init__(self, *, entity_type: str, **kwargs):
        self.entity_type = entity_type
        kwargs.setdefault("required", False)
        super().__init__(source="*", **kwargs)

    def run_validation(self, data=serializers.empty):
        if data is serializers.empty:
            if self.root.partial:
                raise serializers.SkipField()
            data = {}
        if data is None:
            raise serializers.ValidationError("Must be an object keyed by custom field slug; null clears one value.")
        return self.to_internal_value(data)

    def to_internal_value(self, data):
        creating = self.parent.instance is None
        values = values_validate(
            data, workspace=self.context["workspace"], entity_type=self.entity_type, creating=creating
        )
        return {"custom_fields": values}

    def to_representation(self, record):
        shown = {definition.slug: None for definition in self._definitions()}
        shown.update(inline_values(record))
        return shown

    def _definitions(self):
        """Loaded once per request and entity type (the context is shared by a page's rows)."""
        cache = self.context.setdefault("custom_field_definitions", {})
        if self.entity_type not in cache:
            cache[self.entity_type] = definitions_for(workspace=self.context["workspace"], entity_type=self.entity_type)
        return cache[self.entity_type]


class CustomFieldsSerializerMixin:
    """Adds inline `custom_fields` to a record serializer (set `custom_fields_entity_type`).
    The validated values are kept apart in `custom_field_changes`, so the resource's own
    services never see them; `CustomFieldsViewSetMixin.after_save` writes them."""

    custom_fields_entity_type: str = ""

    def get_fields(self):
        fields = super().get_fields()
        fields["custom_fields"] = CustomFieldsField(entity_type=self.custom_fields_entity_type)
        return fields

    def to_internal_value(self, data):
        attrs = super().to_internal_value(data)
        self.custom_field_changes = attrs.pop("custom_fields", {})
        return attrs


class CustomFieldValueSerializer(ResourceSerializer):
    resource_type = "custom_field_value"

    field_definition_id = serializers.CharField(source="definition_id", read_only=True)
    slug = serializers.CharField(source="definition.slug", read_only=True)
    name = serializers.CharField(source="definition.name", read_only=True)
    field_type = serializers.CharField(source="definition.field_type", read_only=True)
    value = serializers.SerializerMethodField()

    class Meta:
        model = CustomFieldValue
        fields = ["id", "field_definition_id", "slug", "name", "field_type", "value", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.ANY)
    def get_value(self, row):
        return value_of(row)


class CustomFieldValuesWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    """`PUT …/custom-fields` body: `{"fields": {slug: value|null}}`."""

    fields = serializers.JSONField(help_text="Values keyed by definition slug; null clears one, others stay.")

    def validate_fields(self, data):
        return values_validate(
            data, workspace=self.context["workspace"], entity_type=self.context["entity_type"], creating=False
        )
