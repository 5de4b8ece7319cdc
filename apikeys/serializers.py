from collections.abc import Mapping

from django.utils import timezone
from rest_framework import serializers

from apikeys.models import ApiKey
from apikeys.scopes import SCOPES
from apikeys.services import DEFAULT_ROTATION_GRACE_SECONDS
from nodestash.serializers import ResourceSerializer, StrictFieldsMixin
from workspaces.tenancy.principal import FULL_ACCESS


class ApiKeySerializer(ResourceSerializer):
    resource_type = "api_key"

    name = serializers.CharField(min_length=1, max_length=100)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SCOPES), allow_empty=False, max_length=len(SCOPES)
    )

    class Meta:
        model = ApiKey
        fields = ["id", "name", "scopes", "key_hint", "expires_at", "last_used_at", "revoked_at", "created_at"]
        read_only_fields = ["id", "key_hint", "last_used_at", "revoked_at", "created_at"]

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("This field may not be blank.")
        return value

    def validate_scopes(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Scopes must be distinct.")
        if FULL_ACCESS in value and len(value) > 1:
            raise serializers.ValidationError("'*' grants everything and must be the only scope.")
        return value

    def validate_expires_at(self, value):
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("expires_at must be in the future.")
        return value


class ApiKeyUpdateSerializer(ApiKeySerializer):
    """PATCH renames only. Scopes and expiry are refused rather than ignored: a client that
    believes it narrowed a key's scopes must not get a 200 for a key that still has them."""

    FIXED_FIELDS = ("scopes", "expires_at")

    class Meta(ApiKeySerializer.Meta):
        read_only_fields = [*ApiKeySerializer.Meta.read_only_fields, "scopes", "expires_at"]

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            fixed = [name for name in self.FIXED_FIELDS if name in data]
            if fixed:
                message = "Cannot be changed after creation; create a new key (or rotate this one)."
                raise serializers.ValidationError({name: [message] for name in fixed})
        return super().to_internal_value(data)


class ApiKeyWithSecretSerializer(ApiKeySerializer):
    """The create/rotate response: the only place the plaintext key ever appears."""

    key = serializers.SerializerMethodField(
        help_text="The plaintext key, shown in this response only; null in an idempotent replay of it."
    )

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]

    def get_key(self, instance) -> str | None:
        return self.context["plaintext_key"]


class RotateSerializer(StrictFieldsMixin, serializers.Serializer):
    grace_period_seconds = serializers.IntegerField(
        min_value=0, max_value=604_800, default=DEFAULT_ROTATION_GRACE_SECONDS
    )
