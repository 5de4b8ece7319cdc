"""Reads for pipelines' and deals' includes, each a fixed number of queries whatever the page size."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce

from crm.models import Deal, Stage


def _deal_count(field: str):
    """Deals whose `field` is the outer row: a correlated subquery served by the deals'
    (workspace, pipeline/stage) index, so the page stays one query without a GROUP BY."""
    counts = (
        Deal.unscoped.filter(**{field: OuterRef("pk")}, workspace=OuterRef("workspace"))
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def stages_with_deal_count(stages):
    return stages.annotate(deal_count=_deal_count("stage"))


def pipelines_with_stages(pipelines, *, deal_count: bool = False):
    """Prefetches each pipeline's stages in position order (one query for the page), with
    `deal_count` on the pipelines and their stages when asked."""
    stages = Stage.unscoped.order_by("position")
    if deal_count:
        stages = stages_with_deal_count(stages)
        pipelines = pipelines.annotate(deal_count=_deal_count("pipeline"))
    return pipelines.prefetch_related(Prefetch("stages", queryset=stages))
