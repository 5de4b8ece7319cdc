from django.conf import settings
from django.db import models

from nodestash.ids import PrefixedIdField
from workspaces.plans import DEFAULT_PLAN, PLAN_CHOICES, get_plan


class Environment(models.TextChoices):
    LIVE = "live", "Live"
    TEST = "test", "Test"


class Workspace(models.Model):
    """The tenant. Every other row of data belongs to exactly one workspace."""

    id = PrefixedIdField(prefix="ws")
    name = models.CharField(max_length=200)
    plan = models.CharField(max_length=20, choices=PLAN_CHOICES, default=DEFAULT_PLAN)
    environment = models.CharField(max_length=4, choices=Environment.choices, default=Environment.LIVE)
    is_suspended = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"

    @property
    def plan_limits(self):
        return get_plan(self.plan)


class Membership(models.Model):
    """Links a person's Django account to the one workspace they signed up for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace_id}"


from workspaces.idempotency.models import IdempotencyKey  # noqa: E402, F401  (registers the model with this app)
