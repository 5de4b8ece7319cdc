"""Serializers of custom fields: the definition resource."""

from rest_framework import serializers

from customfields.models import CustomFieldDefinition
from customfields.slugs import SLUG_MAX, SLUG_PATTERN, slug_from_name
from customfields.types import SELECT_TYPES, InvalidValue, parse_options
from nodestash.serializers import ResourceSerializer

IMMUTABLE = ("entity_type", "slug", "field_type")


class JsonBooleanField(serializers.BooleanField):
    """Only JSON true/false (DRF's own also takes "yes", 1, "on", …)."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class CustomFieldDefinitionSerializer(ResourceSerializer):
    resource_type = "custom_field_definition"

    name = serializers.CharField(max_length=200)
    slug = serializers.RegexField(
        SLUG_PATTERN, max_length=SLUG_MAX, required=False, error_messages={"invalid": "Must match ^[a-z][a-z0-9_]*$."}
    )
    description = serializers.CharField(max_length=1000, required=False, allow_null=True, allow_blank=True)
    is_required = JsonBooleanField(required=False)
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
