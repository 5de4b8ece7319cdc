"""Writes for pipeline stages: positions stay dense (0..n-1) through inserts, moves and deletes.

`(workspace, pipeline, position)` is unique and checked row by row (neither SQLite nor PostgreSQL waits
for the end of the statement), so `_renumber` never shifts rows onto each other: it parks the
rows that move above every real position, then writes their final positions. Every change
runs with the pipeline row locked, so concurrent moves queue instead of interleaving.
"""

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from crm.models import Deal, Pipeline, Stage, StageType
from crm.models.pipelines import CLOSED_STAGE_TYPES
from crm.services.pipeline_locks import pipeline_lock
from crm.services.pipelines import MAX_STAGES
from nodestash.errors import Conflict, NotFound, validation_error

STAGE_NOT_FOUND = "Stage not found"
PARKING_OFFSET = 10_000  # above any real position (a pipeline has at most MAX_STAGES stages)


def _ordered_stages(pipeline: Pipeline) -> list[Stage]:
    return list(Stage.unscoped.filter(pipeline=pipeline).order_by("position"))


def _renumber(pipeline: Pipeline, stages: list[Stage], order: list[str]) -> None:
    """Give the stages of `order` (ids) the positions 0..n-1, touching only rows that move."""
    current = {stage.pk: stage.position for stage in stages}
    moving = {pk: position for position, pk in enumerate(order) if current.get(pk) != position}
    if not moving:
        return
    rows = Stage.unscoped.filter(pipeline=pipeline, pk__in=list(moving))
    rows.update(position=F("position") + PARKING_OFFSET)
    final = Case(*(When(pk=pk, then=Value(position)) for pk, position in moving.items()))
    rows.update(position=final, updated_at=timezone.now())


def _check_position(position: int, highest: int) -> None:
    if not 0 <= position <= highest:
        raise validation_error("position", f"position must be from 0 to {highest}.")


def _locked_stage(*, workspace, stage: Stage) -> tuple[Pipeline, list[Stage], Stage]:
    """Locks the stage's pipeline and re-reads its stages; the stage may be gone meanwhile."""
    pipeline = pipeline_lock(workspace=workspace, pipeline_id=stage.pipeline_id)
    stages = _ordered_stages(pipeline)
    current = next((candidate for candidate in stages if candidate.pk == stage.pk), None)
    if current is None:
        raise NotFound(STAGE_NOT_FOUND)
    return pipeline, stages, current


def _check_not_last_of_type(stages: list[Stage], stage: Stage, action: str) -> None:
    if stage.type in CLOSED_STAGE_TYPES and sum(s.type == stage.type for s in stages) == 1:
        raise Conflict(f"Cannot {action} the last '{stage.type}' stage of a pipeline; every pipeline needs one")


def _close_or_reopen_deals(stage: Stage, old_type: str) -> None:
    """A retyped stage takes its deals with it: `closed_at` follows the stage type."""
    deals = Deal.unscoped.filter(workspace_id=stage.workspace_id, stage=stage)
    now = timezone.now()
    if stage.type == StageType.OPEN:
        deals.update(closed_at=None, updated_at=now)
    elif old_type == StageType.OPEN:
        deals.update(closed_at=now, updated_at=now)


@transaction.atomic
def stage_create(*, workspace, pipeline: Pipeline, name: str, type: str, position: int | None = None) -> Stage:
    """Appends the stage, or inserts it at `position` and shifts the later ones down."""
    pipeline = pipeline_lock(workspace=workspace, pipeline_id=pipeline.pk)
    stages = _ordered_stages(pipeline)
    if len(stages) >= MAX_STAGES:
        raise Conflict(f"A pipeline has at most {MAX_STAGES} stages")
    position = len(stages) if position is None else position
    _check_position(position, len(stages))
    stage = Stage.unscoped.create(workspace=workspace, pipeline=pipeline, name=name, type=type, position=len(stages))
    order = [existing.pk for existing in stages]
    order.insert(position, stage.pk)
    _renumber(pipeline, [*stages, stage], order)
    stage.refresh_from_db()
    return stage


@transaction.atomic
def stage_update(*, workspace, stage: Stage, **changes) -> Stage:
    """`name`, `type` (not away from the last won/lost stage) and `position` (a move)."""
    pipeline, stages, stage = _locked_stage(workspace=workspace, stage=stage)
    new_type = changes.get("type", stage.type)
    old_type = stage.type
    if new_type != old_type:
        _check_not_last_of_type(stages, stage, "retype")
    if "position" in changes:
        _check_position(changes["position"], len(stages) - 1)
    stage.name = changes.get("name", stage.name)
    stage.type = new_type
    stage.save(update_fields=["name", "type", "updated_at"])
    if new_type != old_type:
        _close_or_reopen_deals(stage, old_type)
    if "position" in changes:
        order = [other.pk for other in stages if other.pk != stage.pk]
        order.insert(changes["position"], stage.pk)
        _renumber(pipeline, stages, order)
        stage.refresh_from_db()
    return stage


@transaction.atomic
def stage_delete(*, workspace, stage: Stage) -> None:
    """Refused while deals are in the stage or when it is the last won/lost one; closes the gap."""
    pipeline, stages, stage = _locked_stage(workspace=workspace, stage=stage)
    if Deal.unscoped.filter(workspace=workspace, stage=stage).exists():
        raise Conflict("A stage that has deals cannot be deleted; move its deals first")
    _check_not_last_of_type(stages, stage, "delete")
    stage.delete()
    remaining = [other for other in stages if other.pk != stage.pk]
    _renumber(pipeline, remaining, [other.pk for other in remaining])
