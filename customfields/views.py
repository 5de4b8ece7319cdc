"""`/v1/custom-fields`: the workspace's custom field definitions."""

from apikeys.scopes import CUSTOM_FIELDS
from customfields import services
from customfields.filters import CustomFieldDefinitionFilterSet
from customfields.models import CustomFieldDefinition
from customfields.serializers import CustomFieldDefinitionSerializer
from nodestash.viewsets import ResourceViewSet


class CustomFieldDefinitionViewSet(ResourceViewSet):
    """Custom field definitions; deleting one deletes every value it holds."""

    model = CustomFieldDefinition
    id_prefix = "cf"
    scope_resource = CUSTOM_FIELDS
    not_found_message = "Custom field not found."
    serializer_class = CustomFieldDefinitionSerializer
    filterset_class = CustomFieldDefinitionFilterSet
    sort_fields = ("created_at", "updated_at", "name", "display_order")

    def perform_create(self, serializer):
        return services.definition_create(workspace=self.workspace, **serializer.validated_data)

    def perform_update(self, serializer):
        return services.definition_update(definition=serializer.instance, changes=serializer.validated_data)

    def perform_destroy(self, instance):
        services.definition_delete(definition=instance)
