from crm.filters.companies import CompanyFilterSet
from crm.models import Company
from crm.selectors.companies import with_contact_count, with_recent_contacts
from crm.serializers.companies import CompanySerializer
from crm.services import companies as services
from customfields.views import CustomFieldsViewSetMixin
from nodestash.viewsets import ResourceViewSet


class CompanyViewSet(CustomFieldsViewSetMixin, ResourceViewSet):
    """Companies: organisations that contacts (and deals) belong to."""

    model = Company
    id_prefix = "co"
    scope_resource = "companies"
    not_found_message = "Company not found"
    serializer_class = CompanySerializer
    filterset_class = CompanyFilterSet
    sort_fields = ("created_at", "updated_at", "name", "domain")
    # Both reveal contact data (how many, and which), so both need `contacts:read`.
    include_options = {"contact_count": "contacts:read", "contacts": "contacts:read"}

    def refine_queryset(self, queryset):
        if "contact_count" in self.includes:
            queryset = with_contact_count(queryset)
        if "contacts" in self.includes:
            queryset = with_recent_contacts(queryset, workspace=self.workspace)
        return queryset

    def perform_create(self, serializer):
        return services.company_create(workspace=self.workspace, **serializer.validated_data)

    def perform_update(self, serializer):
        return services.company_update(company=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.company_delete(company=instance)
