"""Base serializer for API resources: the `{"id", "type", "attributes"}` shape (contract §1).

Also strict about input: a body field the resource does not have is a 400 (a typo must
not be silently dropped), and relation fields must be declared explicitly with
`WorkspaceRelatedField` (DRF's automatic ones would resolve ids across workspaces).
"""

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from rest_framework import serializers


class UndeclaredRelatedField(serializers.RelatedField):
    def __init__(self, *args, **kwargs):
        raise ImproperlyConfigured(
            "Declare relation fields explicitly with workspaces.tenancy.fields.WorkspaceRelatedField."
        )


class StrictBooleanField(serializers.BooleanField):
    """Only JSON `true`/`false`: DRF's own also takes "yes", 1, "on", … which hides client bugs."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class StrictFieldsMixin:
    """Rejects body fields the serializer does not declare, and JSON numbers sent for text
    fields (DRF's CharField turned `{"name": -11456}` into "-11456"; found by fuzzing)."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = [name for name in data if name not in self.fields]
            if unknown:
                raise serializers.ValidationError({name[:100]: ["Unknown field."] for name in unknown})
            numbers = [
                name
                for name, value in data.items()
                if isinstance(self.fields[name], serializers.CharField) and _is_number(value)
            ]
            if numbers:
                raise serializers.ValidationError({name: ["Not a valid string."] for name in numbers})
        return super().to_internal_value(data)


class ResourceShapeMixin:
    """Represents an object as `{"id", "type": resource_type, "attributes": {…fields}}`."""

    resource_type: str = ""

    def to_representation(self, instance):
        attributes = super().to_representation(instance)
        return {"id": attributes["id"], "type": self.resource_type, "attributes": attributes}


class ResourceSerializer(ResourceShapeMixin, StrictFieldsMixin, serializers.ModelSerializer):
    serializer_related_field = UndeclaredRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.BooleanField: StrictBooleanField,
    }

    @property
    def workspace(self):
        return self.context["workspace"]
