from django.contrib.auth.password_validation import password_validators_help_texts
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apikeys.serializers import ApiKeyWithSecretSerializer
from nodestash.serializers import ResourceSerializer, ResourceShapeMixin, StrictFieldsMixin
from workspaces.models import Workspace
from workspaces.usage import requests_today


def plan_limits(plan) -> dict:
    return {"daily": plan.daily_limit, "burst": plan.burst_limit}


class WorkspaceSerializer(ResourceSerializer):
    resource_type = "workspace"

    name = serializers.CharField(min_length=1, max_length=200, trim_whitespace=True)
    limits = serializers.SerializerMethodField()
    usage = serializers.SerializerMethodField()

    class Meta:
        model = Workspace
        fields = ["id", "name", "plan", "environment", "created_at", "limits", "usage"]
        read_only_fields = ["id", "plan", "environment", "created_at"]

    def get_limits(self, workspace) -> dict:
        return plan_limits(workspace.plan_limits)

    def get_usage(self, workspace) -> dict:
        return {"requests_today": requests_today(workspace)}


class SignupResultSerializer(WorkspaceSerializer):
    """The new workspace, with its first API key embedded as an `api_key` resource whose
    `key` holds the plaintext: shown this once, never again."""

    # Serializer context: `api_key` (the key row) and `plaintext_key`.
    api_key = serializers.SerializerMethodField()

    class Meta(WorkspaceSerializer.Meta):
        fields = [*WorkspaceSerializer.Meta.fields, "api_key"]

    @extend_schema_field(ApiKeyWithSecretSerializer)
    def get_api_key(self, workspace) -> dict:
        return ApiKeyWithSecretSerializer(self.context["api_key"], context=self.context).data


class PlanSerializer(ResourceShapeMixin, serializers.Serializer):
    """A row of the plan table (plans are code, not database rows). Limits: null = unlimited."""

    resource_type = "plan"

    id = serializers.CharField(source="code")
    name = serializers.CharField()
    daily_limit = serializers.IntegerField(allow_null=True)
    burst_limit = serializers.IntegerField()


class SubscriptionSerializer(ResourceShapeMixin, serializers.Serializer):
    """The workspace's subscription; its id is the workspace's id (one subscription each)."""

    resource_type = "subscription"

    id = serializers.CharField(source="pk")
    plan = serializers.CharField()
    status = serializers.SerializerMethodField()
    daily_limit = serializers.IntegerField(source="plan_limits.daily_limit", allow_null=True)
    burst_limit = serializers.IntegerField(source="plan_limits.burst_limit")
    requests_today = serializers.SerializerMethodField()

    def get_status(self, workspace) -> str:
        return "suspended" if workspace.is_suspended else "active"

    def get_requests_today(self, workspace) -> int:
        return requests_today(workspace)


class SignupSerializer(StrictFieldsMixin, serializers.Serializer):
    email = serializers.EmailField(max_length=150)
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, help_text=" ".join(password_validators_help_texts())
    )
    workspace_name = serializers.CharField(min_length=1, max_length=200, required=False)
