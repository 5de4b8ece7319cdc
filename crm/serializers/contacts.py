from functools import cached_property

from rest_framework import serializers

from crm.models import Company, Contact
from crm.models.contacts import IDENTIFYING_FIELDS
from crm.serializers.fields import OptionalEmailField, OptionalTextField
from crm.tags import TagsSerializerField
from customfields.serializers import CustomFieldsSerializerMixin
from nodestash.serializers import ResourceSerializer
from workspaces.tenancy.fields import WorkspaceRelatedField


class ContactSerializer(CustomFieldsSerializerMixin, ResourceSerializer):
    """A contact; `include=company` embeds the company resource as `attributes.company`."""

    resource_type = "contact"
    custom_fields_entity_type = "contact"

    email = OptionalEmailField()
    first_name = OptionalTextField(max_length=100)
    last_name = OptionalTextField(max_length=100)
    phone = OptionalTextField(max_length=50)
    company_id = WorkspaceRelatedField(Company, "co", source="company", required=False, allow_null=True)
    title = OptionalTextField(max_length=200)
    source = OptionalTextField(max_length=100)
    tags = TagsSerializerField()

    class Meta:
        model = Contact
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "phone",
            "company_id",
            "title",
            "source",
            "tags",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs):
        """At least one identifying field, judged on the record as it will be after a PATCH."""
        merged = {name: getattr(self.instance, name, None) for name in IDENTIFYING_FIELDS} | {
            name: attrs[name] for name in IDENTIFYING_FIELDS if name in attrs
        }
        if not any(merged.values()):
            raise serializers.ValidationError(f"A contact needs at least one of {', '.join(IDENTIFYING_FIELDS)}.")
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if "company" in self.context.get("includes", ()):
            company = instance.company
            # Defence in depth: a reference can only point inside the workspace.
            if company is not None and company.workspace_id == instance.workspace_id:
                data["attributes"]["company"] = self.embedded_company.to_representation(company)
            else:
                data["attributes"]["company"] = None
        return data

    @cached_property
    def embedded_company(self):
        """One serializer for every embedded company of a page: building one per row (its
        fields are deep-copied each time) cost more than serializing the row."""
        from crm.serializers.companies import CompanySerializer  # companies embed contacts too

        return CompanySerializer(context={**self.context, "includes": frozenset()})
