"""Pipelines and their stages (contract §8).

Every workspace has exactly one default pipeline (a partial unique constraint). A stage's
`position` is dense and 0-based inside its pipeline; `(workspace, pipeline, position)` is unique
(its index also serves every stage query, which names the workspace and the pipeline), so
services renumber in two steps that never collide (see `crm.services.stages`).
"""

from django.db import models
from django.db.models import Q

from nodestash.ids import PrefixedIdField
from workspaces.tenancy.models import WorkspaceOwnedModel


class StageType(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


CLOSED_STAGE_TYPES = frozenset({StageType.WON, StageType.LOST})


class Pipeline(WorkspaceOwnedModel):
    id = PrefixedIdField(prefix="pp")
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=1000, null=True, blank=True)
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"], condition=Q(is_default=True), name="crm_pipeline_one_default_per_workspace"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "created_at", "id"], name="crm_pipeline_ws_created"),
            models.Index(fields=["workspace", "updated_at", "id"], name="crm_pipeline_ws_updated"),
            models.Index(fields=["workspace", "name", "id"], name="crm_pipeline_ws_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class Stage(WorkspaceOwnedModel):
    id = PrefixedIdField(prefix="ps")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=4, choices=StageType.choices, default=StageType.OPEN)
    position = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = "stage"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "pipeline", "position"], name="crm_stage_unique_position"),
            models.CheckConstraint(condition=Q(type__in=StageType.values), name="crm_stage_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.type}, #{self.position})"

    @property
    def is_closed(self) -> bool:
        return self.type in CLOSED_STAGE_TYPES
