from django.db.models import Prefetch

from crm.filters.deals import DealFilterSet
from crm.models import Deal, Stage
from crm.serializers.deals import DealSerializer
from crm.services import deals as services
from customfields.views import CustomFieldsViewSetMixin
from nodestash.viewsets import ResourceViewSet

RELATED_INCLUDES = ("contact", "company", "pipeline", "stage")


class DealViewSet(CustomFieldsViewSetMixin, ResourceViewSet):
    """Deals moving through the stages of a pipeline; `closed_at` follows the stage type."""

    model = Deal
    id_prefix = "dl"
    scope_resource = "deals"
    not_found_message = "Deal not found"
    serializer_class = DealSerializer
    filterset_class = DealFilterSet
    sort_fields = ("created_at", "updated_at", "value", "expected_close_date")
    include_options = {
        "contact": "contacts:read",
        "company": "companies:read",
        "pipeline": "pipelines:read",
        "stage": "pipelines:read",
    }

    def refine_queryset(self, queryset):
        related = [name for name in RELATED_INCLUDES if name in self.includes]
        if related:
            queryset = queryset.select_related(*related)
        if "pipeline" in self.includes:  # an included pipeline embeds its stages
            queryset = queryset.prefetch_related(
                Prefetch("pipeline__stages", queryset=Stage.unscoped.order_by("position"))
            )
        return queryset

    def perform_create(self, serializer):
        return services.deal_create(workspace=self.workspace, **serializer.validated_data)

    def perform_update(self, serializer):
        return services.deal_update(workspace=self.workspace, deal=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.deal_delete(deal=instance)
