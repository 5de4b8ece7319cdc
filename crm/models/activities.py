"""Activities: notes, tasks, emails, calls and meetings attached to CRM records (contract §8)."""

from django.db import models
from django.db.models import Q

from crm.tags import TagsField
from nodestash.ids import PrefixedIdField
from workspaces.tenancy.models import WorkspaceOwnedModel

METADATA_MAX_BYTES = 16 * 1024


class ActivityType(models.TextChoices):
    NOTE = "note", "Note"
    TASK = "task", "Task"
    EMAIL = "email", "Email"
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    CUSTOM = "custom", "Custom"


class Activity(WorkspaceOwnedModel):
    id = PrefixedIdField(prefix="act")
    type = models.CharField(max_length=7, choices=ActivityType.choices)
    subject = models.CharField(max_length=500, blank=True, null=True)
    body = models.TextField(max_length=100_000, blank=True, null=True)
    contact = models.ForeignKey(
        "crm.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    company = models.ForeignKey(
        "crm.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    deal = models.ForeignKey("crm.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="activities")
    owner_id = models.CharField(max_length=100, blank=True, null=True)
    is_done = models.BooleanField(default=False)
    due_date = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    tags = TagsField()

    class Meta:
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(condition=Q(type__in=ActivityType.values), name="crm_activity_type_valid"),
        ]
        # Each serves a sort and its keyset cursor, or an exact filter with the default sort;
        # the plain FK indexes serve `SET NULL` when a contact, company or deal is deleted.
        indexes = [
            models.Index(fields=["workspace", "created_at", "id"], name="crm_activity_ws_created"),
            models.Index(fields=["workspace", "updated_at", "id"], name="crm_activity_ws_updated"),
            models.Index(fields=["workspace", "due_date", "id"], name="crm_activity_ws_due"),
            models.Index(fields=["workspace", "type", "created_at", "id"], name="crm_activity_ws_type"),
            models.Index(fields=["workspace", "is_done", "created_at", "id"], name="crm_activity_ws_done"),
            models.Index(fields=["workspace", "contact", "created_at", "id"], name="crm_activity_ws_contact"),
            models.Index(fields=["workspace", "company", "created_at", "id"], name="crm_activity_ws_company"),
            models.Index(fields=["workspace", "deal", "created_at", "id"], name="crm_activity_ws_deal"),
        ]

    def __str__(self) -> str:
        return f"{self.type}: {self.subject or self.id}"
