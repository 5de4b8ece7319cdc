"""Row locks on a pipeline that serialize the rules which span several rows.

Stage positions, "the last won/lost stage", "a stage or pipeline without deals" and "the
default pipeline" are each decided by reading other rows, so two concurrent requests could
both pass a check. Every write that depends on them first locks the pipeline row:

- `FOR UPDATE` (exclusive) for changes to the pipeline or its stages;
- `FOR SHARE` for creating or moving a deal into it: deal writes run side by side, but wait
  for (and then see the result of) a concurrent stage or pipeline change, and vice versa.

On SQLite `select_for_update` does nothing; SQLite lets one writer at a time in anyway.
"""

from django.db import connection

from crm.models import Pipeline
from nodestash.errors import NotFound, UnprocessableEntity

PIPELINE_NOT_FOUND = "Pipeline not found"


def pipeline_lock_or_none(*, workspace, pipeline_id: str, shared: bool = False) -> Pipeline | None:
    """The pipeline, locked until the transaction ends; None when it does not exist (any more)."""
    queryset = Pipeline.unscoped.filter(workspace=workspace, pk=pipeline_id)
    if shared and connection.vendor == "postgresql":
        sql, params = queryset.query.sql_with_params()
        return next(iter(Pipeline.unscoped.raw(f"{sql} FOR SHARE", params)), None)
    return queryset.select_for_update().first()


def pipeline_lock(*, workspace, pipeline_id: str) -> Pipeline:
    """Exclusive lock for pipeline and stage changes; gone meanwhile → 404 (it was in the path)."""
    pipeline = pipeline_lock_or_none(workspace=workspace, pipeline_id=pipeline_id)
    if pipeline is None:
        raise NotFound(PIPELINE_NOT_FOUND)
    return pipeline


def pipeline_lock_for_deal(*, workspace, pipeline_id: str) -> Pipeline:
    """Shared lock while a deal enters the pipeline; gone meanwhile → 422 (it was in the body)."""
    pipeline = pipeline_lock_or_none(workspace=workspace, pipeline_id=pipeline_id, shared=True)
    if pipeline is None:
        raise UnprocessableEntity(f"Pipeline '{pipeline_id}' not found.")
    return pipeline
