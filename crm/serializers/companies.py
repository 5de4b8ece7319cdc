from rest_framework import serializers

from crm.models import Company
from crm.serializers.contacts import ContactSerializer
from crm.serializers.fields import OptionalDomainField, OptionalTextField
from crm.tags import TagsSerializerField
from customfields.serializers import CustomFieldsSerializerMixin
from nodestash.serializers import ResourceSerializer


class CompanySerializer(CustomFieldsSerializerMixin, ResourceSerializer):
    """A company; `include=contact_count,contacts` adds `attributes.contact_count` (a number)
    and `attributes.contacts` (up to 100 contact resources, newest first)."""

    resource_type = "company"
    custom_fields_entity_type = "company"

    name = serializers.CharField(max_length=200)
    domain = OptionalDomainField()
    industry = OptionalTextField(max_length=100)
    size = OptionalTextField(max_length=50)
    tags = TagsSerializerField()

    class Meta:
        model = Company
        fields = ["id", "name", "domain", "industry", "size", "tags", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        includes = self.context.get("includes", ())
        if "contact_count" in includes:
            data["attributes"]["contact_count"] = instance.contact_count
        if "contacts" in includes:
            context = {**self.context, "includes": frozenset()}
            data["attributes"]["contacts"] = ContactSerializer(
                instance.recent_contacts, many=True, context=context
            ).data
        return data
