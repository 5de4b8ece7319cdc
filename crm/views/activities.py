from crm.filters.activities import ActivityFilterSet
from crm.models import Activity
from crm.serializers.activities import ActivitySerializer
from crm.services import activities as services
from customfields.views import CustomFieldsViewSetMixin
from nodestash.viewsets import ResourceViewSet


class ActivityViewSet(CustomFieldsViewSetMixin, ResourceViewSet):
    """Activities (notes, tasks, emails, calls, meetings) on contacts, companies and deals."""

    model = Activity
    id_prefix = "act"
    scope_resource = "activities"
    not_found_message = "Activity not found"
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    sort_fields = ("created_at", "updated_at", "due_date")

    def perform_create(self, serializer):
        return services.activity_create(workspace=self.workspace, **serializer.validated_data)

    def perform_update(self, serializer):
        return services.activity_update(activity=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.activity_delete(activity=instance)
