"""Activities: notes, tasks, emails, calls and meetings, linked to a contact, company or deal."""

from rest_framework import serializers

from crm.models import Activity, ActivityType, Company, Contact, Deal
from crm.models.activities import METADATA_MAX_BYTES
from crm.serializers.fields import OptionalTextField
from crm.tags import TagsSerializerField
from customfields.serializers import CustomFieldsSerializerMixin
from nodestash.serializers import ResourceSerializer, StrictBooleanField
from workspaces.tenancy.fields import WorkspaceRelatedField


class MetadataField(serializers.JSONField):
    """A JSON object; its size limit applies to the stored (merged) value, see `metadata_merge`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault(
            "help_text",
            f"A JSON object of at most {METADATA_MAX_BYTES} bytes. PATCH merges one level deep; "
            "a `null` value removes that key, `metadata: null` removes all.",
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError("metadata must be a JSON object.")
        return super().to_internal_value(data)


class ActivitySerializer(CustomFieldsSerializerMixin, ResourceSerializer):
    """A note, task, email, call or meeting; done exactly when it has a `completed_at`."""

    resource_type = "activity"
    custom_fields_entity_type = "activity"

    type = serializers.ChoiceField(choices=ActivityType.choices)
    subject = OptionalTextField(max_length=500)
    body = OptionalTextField(max_length=100_000, trim_whitespace=False)
    contact_id = WorkspaceRelatedField(Contact, "ct", source="contact", required=False, allow_null=True)
    company_id = WorkspaceRelatedField(Company, "co", source="company", required=False, allow_null=True)
    deal_id = WorkspaceRelatedField(Deal, "dl", source="deal", required=False, allow_null=True)
    owner_id = OptionalTextField(max_length=100)
    is_done = StrictBooleanField(required=False)
    completed_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Set to now when is_done turns true (unless given); cleared when is_done turns false.",
    )
    metadata = MetadataField()
    tags = TagsSerializerField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "type",
            "subject",
            "body",
            "contact_id",
            "company_id",
            "deal_id",
            "owner_id",
            "is_done",
            "due_date",
            "completed_at",
            "metadata",
            "tags",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
