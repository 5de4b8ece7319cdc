"""Writes for pipelines: create (with its stages), rename, move the default, delete.

Exactly one pipeline per workspace is the default (a partial unique constraint backs it up).
The 409 rules are checked with the pipeline row locked (`crm.services.pipeline_locks`).
"""

from django.db import transaction
from django.utils import timezone

from crm.default_pipeline import DEFAULT_PIPELINE_NAME, DEFAULT_STAGES
from crm.models import Deal, Pipeline, Stage, StageType
from crm.services.pipeline_locks import pipeline_lock
from nodestash.errors import Conflict, validation_error
from workspaces.models import Workspace

MAX_STAGES = 50


def stages_check_closing_types(stage_types) -> None:
    """A pipeline needs at least one won and one lost stage, or deals could never close."""
    for closing in (StageType.WON, StageType.LOST):
        if closing not in stage_types:
            raise validation_error("stages", f"A pipeline needs at least one '{closing}' stage.")


def _lock_workspace(workspace) -> None:
    """Serializes moves of the default. Taken before any pipeline row lock (one order for all,
    so two moves cannot deadlock on each other's pipeline rows)."""
    list(Workspace.objects.select_for_update().filter(pk=workspace.pk).values_list("pk"))


def _make_default(*, workspace, pipeline: Pipeline) -> None:
    """Moves the default here: the old default is unset first, so the constraint always holds."""
    _lock_workspace(workspace)
    old_default = Pipeline.unscoped.filter(workspace=workspace, is_default=True).exclude(pk=pipeline.pk)
    old_default.update(is_default=False, updated_at=timezone.now())  # syncing clients see it changed
    if not pipeline.is_default:
        pipeline.is_default = True
        pipeline.save(update_fields=["is_default", "updated_at"])


@transaction.atomic
def pipeline_create(
    *, workspace, name: str, stages: list[dict] | None = None, description: str | None = None, is_default: bool = False
) -> Pipeline:
    """`stages`: `[{"name", "type"}]` in order (default: the default pipeline's stages).
    The first pipeline of a workspace becomes the default whatever `is_default` says."""
    if stages is None:
        stages = [{"name": stage_name, "type": stage_type} for stage_name, stage_type in DEFAULT_STAGES]
    stages_check_closing_types({stage["type"] for stage in stages})
    has_default = Pipeline.unscoped.filter(workspace=workspace, is_default=True).exists()
    pipeline = Pipeline.unscoped.create(workspace=workspace, name=name, description=description)
    Stage.unscoped.bulk_create(
        Stage(workspace=workspace, pipeline=pipeline, name=stage["name"], type=stage["type"], position=position)
        for position, stage in enumerate(stages)
    )
    if is_default or not has_default:
        _make_default(workspace=workspace, pipeline=pipeline)
    return pipeline


def pipeline_create_default(*, workspace) -> Pipeline:
    """The "Sales Pipeline" every workspace starts with (contract §4)."""
    return pipeline_create(workspace=workspace, name=DEFAULT_PIPELINE_NAME, is_default=True)


@transaction.atomic
def pipeline_update(*, workspace, pipeline: Pipeline, **changes) -> Pipeline:
    """`name`, `description`, `is_default` (only `true`: the default moves, it is never just unset)."""
    make_default = changes.pop("is_default", False)
    if make_default:
        _lock_workspace(workspace)
    pipeline = pipeline_lock(workspace=workspace, pipeline_id=pipeline.pk)
    if make_default:
        _make_default(workspace=workspace, pipeline=pipeline)
    if changes:
        pipeline.save(update_fields=pipeline.assign(changes))
    return pipeline


@transaction.atomic
def pipeline_delete(*, workspace, pipeline: Pipeline) -> None:
    pipeline = pipeline_lock(workspace=workspace, pipeline_id=pipeline.pk)
    if not Pipeline.unscoped.filter(workspace=workspace).exclude(pk=pipeline.pk).exists():
        raise Conflict("The last pipeline of a workspace cannot be deleted")
    if pipeline.is_default:
        raise Conflict("The default pipeline cannot be deleted; make another pipeline the default first")
    if Deal.unscoped.filter(workspace=workspace, pipeline=pipeline).exists():
        raise Conflict("A pipeline that has deals cannot be deleted; move or delete its deals first")
    pipeline.delete()
