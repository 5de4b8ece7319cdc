from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from apikeys import services
from apikeys.models import ApiKey
from apikeys.serializers import ApiKeySerializer, ApiKeyUpdateSerializer, ApiKeyWithSecretSerializer, RotateSerializer
from nodestash.viewsets import ResourceViewSet
from workspaces.tenancy.principal import FULL_ACCESS


class ApiKeyViewSet(ResourceViewSet):
    """API keys of the workspace. Secrets are shown once, at creation or rotation."""

    model = ApiKey
    id_prefix = "key"
    scope_resource = FULL_ACCESS
    not_found_message = "API key not found."
    serializer_class = ApiKeySerializer
    idempotency_secret_attributes = ("key",)  # a replay never shows the plaintext again

    def get_serializer_class(self):
        if self.action == "partial_update":
            return ApiKeyUpdateSerializer
        return super().get_serializer_class()

    def _secret_response(self, api_key, plaintext):
        context = {**self.get_serializer_context(), "plaintext_key": plaintext}
        location = reverse("api-key-detail", kwargs={"pk": api_key.pk})
        return Response(
            ApiKeyWithSecretSerializer(api_key, context=context).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )

    @extend_schema(request=ApiKeySerializer, responses={201: ApiKeyWithSecretSerializer})
    def create(self, request, *args, **kwargs):
        self.check_params(set())
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        api_key, plaintext = services.apikey_create(workspace=self.workspace, **serializer.validated_data)
        return self._secret_response(api_key, plaintext)

    def perform_update(self, serializer):
        return services.apikey_update(
            api_key=serializer.instance, name=serializer.validated_data.get("name", serializer.instance.name)
        )

    def perform_destroy(self, instance):
        services.apikey_revoke(api_key=instance)

    @extend_schema(request=RotateSerializer, responses={201: ApiKeyWithSecretSerializer})
    @action(detail=True, methods=["post"])
    def rotate(self, request, *args, **kwargs):
        """Issue a new key with the same name and scopes; the old one expires after the grace period."""
        api_key = self.get_object()
        self.check_params(set())
        serializer = RotateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new_key, plaintext = services.apikey_rotate(api_key=api_key, **serializer.validated_data)
        return self._secret_response(new_key, plaintext)
