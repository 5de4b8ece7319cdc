"""`/v1/custom-fields` (definitions), and the mixin that gives record viewsets their custom fields."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from apikeys.scopes import CUSTOM_FIELDS
from customfields import services
from customfields.filters import CustomFieldDefinitionFilterSet
from customfields.models import CustomFieldDefinition
from customfields.record_filters import PREFIX, CustomFieldFilterBackend
from customfields.selectors import values_of_record, values_prefetch
from customfields.serializers import (
    CustomFieldDefinitionSerializer,
    CustomFieldValueSerializer,
    CustomFieldValuesWriteSerializer,
)
from nodestash.viewsets import ResourceViewSet, StrictFilterBackend


class CustomFieldDefinitionViewSet(ResourceViewSet):
    """Custom field definitions; deleting one deletes every value it holds."""

    model = CustomFieldDefinition
    id_prefix = "cf"
    scope_resource = CUSTOM_FIELDS
    not_found_message = "Custom field not found."
    serializer_class = CustomFieldDefinitionSerializer
    filterset_class = CustomFieldDefinitionFilterSet
    sort_fields = ("created_at", "updated_at", "name", "display_order")

    def perform_create(self, serializer):
        return services.definition_create(workspace=self.workspace, **serializer.validated_data)

    def perform_update(self, serializer):
        return services.definition_update(definition=serializer.instance, changes=serializer.validated_data)

    def perform_destroy(self, instance):
        services.definition_delete(definition=instance)


class CustomFieldsViewSetMixin:
    """Custom fields on a record viewset (contacts, companies, deals, activities): inline
    writes in the record's transaction, a page's values in one query, the `cf.` filters and
    `GET|PUT /v1/<records>/{id}/custom-fields`. Put it before ResourceViewSet in the bases;
    the entity type comes from the serializer (`CustomFieldsSerializerMixin`)."""

    query_param_prefixes = (PREFIX,)
    filter_backends = [StrictFilterBackend, CustomFieldFilterBackend]
    http_method_names = [*ResourceViewSet.http_method_names, "put"]  # routed only for the values endpoint

    @property
    def custom_fields_entity_type(self) -> str:
        return self.serializer_class.custom_fields_entity_type

    def paginate_queryset(self, queryset):
        rows = super().paginate_queryset(queryset)
        values_prefetch(rows, workspace=self.workspace)
        return rows

    def before_destroy(self, instance) -> None:
        """Lock the record before its values are collected for deletion: a concurrent value write
        (which locks the record first) has then either committed, and its values go too, or waits
        and finds the record gone. Unlocked, a value committed meanwhile made the DELETE a 409."""
        super().before_destroy(instance)
        list(type(instance).unscoped.select_for_update().filter(pk=instance.pk).values_list("pk"))

    def after_save(self, serializer, instance) -> None:
        super().after_save(serializer, instance)
        services.values_set(
            workspace=self.workspace,
            record=instance,
            entity_type=self.custom_fields_entity_type,
            values=serializer.custom_field_changes,
            new_record=self.action == "create",
        )

    def _values_response(self, record):
        rows = values_of_record(record, entity_type=self.custom_fields_entity_type)
        return Response(CustomFieldValueSerializer(rows, many=True, context=self.get_serializer_context()).data)

    @extend_schema(methods=["GET"], request=None, responses=CustomFieldValueSerializer(many=True))
    @extend_schema(
        methods=["PUT"], request=CustomFieldValuesWriteSerializer, responses=CustomFieldValueSerializer(many=True)
    )
    @action(
        detail=True,
        methods=["get", "put"],
        url_path="custom-fields",
        scope_resource=CUSTOM_FIELDS,
        pagination_class=None,  # all of a record's values, at most one per definition
        filter_backends=[],
    )
    def custom_field_values(self, request, *args, **kwargs):
        """The record's custom field values. PUT sets the given slugs (null clears) and leaves the rest."""
        record = self.get_object()
        self.check_params(set())
        if request.method == "PUT":
            context = {**self.get_serializer_context(), "entity_type": self.custom_fields_entity_type}
            serializer = CustomFieldValuesWriteSerializer(data=request.data, context=context)
            serializer.is_valid(raise_exception=True)
            services.values_set(
                workspace=self.workspace,
                record=record,
                entity_type=self.custom_fields_entity_type,
                values=serializer.validated_data["fields"],
            )
        return self._values_response(record)
