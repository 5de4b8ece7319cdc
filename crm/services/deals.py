"""Writes for deals: the pipeline/stage defaults and rules, and `closed_at` following the stage.

The deal's pipeline is locked (shared) while the deal enters it, so a concurrent stage delete,
retype or pipeline delete either sees the deal or happens entirely before it (see
`crm.services.pipeline_locks`); the stage is then re-read under that lock.
"""

from django.db import transaction
from django.utils import timezone

from crm.models import Activity, Deal, Pipeline, Stage, StageType
from crm.services.pipeline_locks import pipeline_lock_for_deal
from nodestash.errors import Conflict, UnprocessableEntity, validation_error


def _default_pipeline(workspace) -> Pipeline:
    pipeline = Pipeline.unscoped.filter(workspace=workspace, is_default=True).first()
    if pipeline is None:  # only if the workspace's pipelines were removed outside the API
        raise Conflict("This workspace has no default pipeline; give pipeline_id")
    return pipeline


def _first_open_stage(pipeline: Pipeline) -> Stage:
    stage = Stage.unscoped.filter(pipeline=pipeline, type=StageType.OPEN).order_by("position").first()
    if stage is None:
        raise validation_error("stage_id", f"Pipeline '{pipeline.pk}' has no open stage; give stage_id.")
    return stage


def _resolve_stage(*, workspace, pipeline_id: str, stage: Stage | None) -> tuple[Pipeline, Stage]:
    """Locks the pipeline and returns it with the stage: the given one (which must belong to
    it) or its first open stage."""
    if stage is not None and stage.pipeline_id != pipeline_id:
        raise validation_error("stage_id", f"Stage '{stage.pk}' does not belong to pipeline '{pipeline_id}'.")
    pipeline = pipeline_lock_for_deal(workspace=workspace, pipeline_id=pipeline_id)
    if stage is None:
        return pipeline, _first_open_stage(pipeline)
    current = Stage.unscoped.filter(pipeline=pipeline, pk=stage.pk).first()
    if current is None:  # deleted since the body was validated
        raise UnprocessableEntity(f"Stage '{stage.pk}' not found.")
    return pipeline, current


def _closed_at(deal: Deal, previous: Stage | None, stage: Stage):
    """Set on entering a won or lost stage (on create too), cleared on returning to open."""
    if stage.type == StageType.OPEN:
        return None
    if previous is None or previous.type != stage.type:
        return timezone.now()
    return deal.closed_at


@transaction.atomic
def deal_create(*, workspace, pipeline: Pipeline | None = None, stage: Stage | None = None, **fields) -> Deal:
    pipeline_id = (pipeline or _default_pipeline(workspace)).pk
    pipeline, stage = _resolve_stage(workspace=workspace, pipeline_id=pipeline_id, stage=stage)
    deal = Deal(workspace=workspace, pipeline=pipeline, stage=stage, **fields)
    deal.closed_at = _closed_at(deal, None, stage)
    deal.save()
    return deal


@transaction.atomic
def deal_update(*, workspace, deal: Deal, **changes) -> Deal:
    """A new pipeline without a stage moves the deal to that pipeline's first open stage."""
    pipeline = changes.pop("pipeline", None)
    stage = changes.pop("stage", None)
    if pipeline is not None or stage is not None:
        previous = deal.stage
        pipeline_id = pipeline.pk if pipeline is not None else deal.pipeline_id
        if pipeline_id == deal.pipeline_id and stage is None:
            stage = previous  # same pipeline named again: the deal stays where it is
        deal.pipeline, deal.stage = _resolve_stage(workspace=workspace, pipeline_id=pipeline_id, stage=stage)
        deal.closed_at = _closed_at(deal, previous, deal.stage)
        changes.update(pipeline=deal.pipeline, stage=deal.stage, closed_at=deal.closed_at)
    deal.save(update_fields=deal.assign(changes))
    return deal


@transaction.atomic
def deal_delete(*, deal: Deal) -> None:
    # Detached here rather than by the FK's SET_NULL so the activities' updated_at moves too:
    # clients syncing with `updated_after` must see that deal_id changed.
    Activity.unscoped.filter(workspace_id=deal.workspace_id, deal=deal).update(deal=None, updated_at=timezone.now())
    deal.delete()
