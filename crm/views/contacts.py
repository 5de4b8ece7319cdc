from crm.filters.contacts import ContactFilterSet
from crm.models import Contact
from crm.serializers.contacts import ContactSerializer
from crm.services import contacts as services
from customfields.views import CustomFieldsViewSetMixin
from nodestash.viewsets import ResourceViewSet


class ContactViewSet(CustomFieldsViewSetMixin, ResourceViewSet):
    """Contacts: people, optionally linked to a company."""

    model = Contact
    id_prefix = "ct"
    scope_resource = "contacts"
    not_found_message = "Contact not found"
    serializer_class = ContactSerializer
    filterset_class = ContactFilterSet
    sort_fields = ("created_at", "updated_at", "email", "first_name", "last_name")
    include_options = {"company": "companies:read"}

    def refine_queryset(self, queryset):
        if "company" in self.includes:
            queryset = queryset.select_related("company")
        return queryset

    def perform_create(self, serializer):
        return services.contact_create(workspace=self.workspace, **serializer.validated_data)

    def perform_update(self, serializer):
        return services.contact_update(contact=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.contact_delete(contact=instance)
