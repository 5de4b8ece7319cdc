from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from crm.models import Pipeline, Stage
from crm.selectors.pipelines import stages_with_deal_count
from crm.serializers.pipelines import StageSerializer
from crm.services import stages as services
from crm.services.pipeline_locks import PIPELINE_NOT_FOUND
from nodestash.errors import NotFound
from nodestash.ids import is_valid_id
from nodestash.viewsets import ResourceViewSet

PIPELINE_PATH_PARAMETER = OpenApiParameter("pipeline_pk", OpenApiTypes.STR, OpenApiParameter.PATH, description="pp_ id")


@extend_schema_view(
    **{
        action: extend_schema(parameters=[PIPELINE_PATH_PARAMETER])
        for action in ("list", "create", "retrieve", "partial_update", "destroy")
    }
)
class StageViewSet(ResourceViewSet):
    """The stages of one pipeline (scope `pipelines`). Positions stay 0..n-1: inserts and moves
    shift the other stages, deletes close the gap."""

    model = Stage
    id_prefix = "ps"
    scope_resource = "pipelines"
    not_found_message = "Stage not found"
    serializer_class = StageSerializer
    sort_fields = ("position", "created_at", "updated_at")
    default_sort = "position"
    include_options = {"deal_count": "deals:read"}

    def initial(self, request, *args, **kwargs):
        """After authentication, scope and rate checks: the pipeline in the path, or a 404."""
        super().initial(request, *args, **kwargs)
        pipeline_id = self.kwargs["pipeline_pk"]
        pipeline = None
        if is_valid_id(pipeline_id, "pp"):
            pipeline = Pipeline.objects.filter(workspace=self.workspace, pk=pipeline_id).first()
        if pipeline is None:
            raise NotFound(PIPELINE_NOT_FOUND)
        self.pipeline = pipeline

    def refine_queryset(self, queryset):
        queryset = queryset.filter(pipeline=self.pipeline)
        return stages_with_deal_count(queryset) if "deal_count" in self.includes else queryset

    def perform_create(self, serializer):
        return services.stage_create(workspace=self.workspace, pipeline=self.pipeline, **serializer.validated_data)

    def perform_update(self, serializer):
        return services.stage_update(workspace=self.workspace, stage=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.stage_delete(workspace=self.workspace, stage=instance)
