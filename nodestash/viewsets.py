"""The base viewset for workspace-owned resources: list, create, retrieve, update, delete.

A resource viewset declares its model, id prefix, serializer, filter set, sort fields and
includes, and writes through service functions via the `perform_*` hooks. Scoping and
lookup come from `WorkspaceViewSetMixin`; this class adds the contract's response codes,
the `Location` header and the query-parameter discipline (unknown → 400), checked after
the object lookup so a missing object is a 404 first (contract §2 check order).
"""

from contextlib import contextmanager

from django.db import DatabaseError, transaction
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import status, viewsets
from rest_framework.response import Response

from apikeys.permissions import require_scope
from nodestash.errors import NotFound
from nodestash.filtering import ResourceFilterSet
from nodestash.pagination import KeysetPagination
from nodestash.query import check_query_params, parse_includes
from workspaces.idempotency.views import IdempotencyMixin
from workspaces.ratelimit.views import SettlesRateLimitLate
from workspaces.tenancy.views import WorkspaceViewSetMixin

LIST_PARAMS = frozenset({"limit", "cursor", "sort"})


class StrictFilterBackend(DjangoFilterBackend):
    raise_exception = True


@contextmanager
def deleted_meanwhile_is_not_found(model, pk, message: str):
    """A row deleted between the lookup and the write makes `save(update_fields=…)` raise a bare
    DatabaseError (no row to update; a 500 before): answer the 404 a moment later would get."""
    try:
        yield
    except DatabaseError as exc:
        if type(exc) is DatabaseError and not model.unscoped.filter(pk=pk).exists():
            raise NotFound(message) from None
        raise


class ResourceViewSet(IdempotencyMixin, SettlesRateLimitLate, WorkspaceViewSetMixin, viewsets.GenericViewSet):
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = "[^/]+"
    pagination_class = KeysetPagination
    filter_backends = [StrictFilterBackend]
    filterset_class = ResourceFilterSet
    sort_fields: tuple[str, ...] = ("created_at", "updated_at")
    # include name → the extra scope it needs (None: the resource's own read scope suffices)
    include_options: dict[str, str | None] = {}
    # query parameter prefixes handled outside the filter set (e.g. custom fields' "cf.")
    query_param_prefixes: tuple[str, ...] = ()

    # -- query parameters -------------------------------------------------------------

    def list_params(self) -> frozenset[str]:
        filters = frozenset(self.filterset_class.base_filters) if self.filterset_class else frozenset()
        includes = {"include"} if self.include_options else set()
        return LIST_PARAMS | filters | includes

    def check_params(self, allowed) -> None:
        check_query_params(self.request.query_params, allowed, self.query_param_prefixes)

    @property
    def includes(self) -> frozenset[str]:
        if not hasattr(self, "_includes"):
            names = parse_includes(self.request.query_params.get("include"), tuple(self.include_options))
            for name in names:
                if self.include_options[name]:
                    require_scope(self.request, self.include_options[name])
            self._includes = names
        return self._includes

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["includes"] = self.includes if self.include_options and hasattr(self, "request") else frozenset()
        return context

    # -- write hooks: override to call the resource's services ------------------------

    def perform_create(self, serializer):
        return serializer.save(workspace=self.workspace)

    def perform_update(self, serializer):
        return serializer.save()

    def perform_destroy(self, instance):
        instance.delete()

    def before_destroy(self, instance) -> None:
        """Hook: runs inside the delete's transaction before perform_destroy (e.g. to lock the row)."""

    def after_save(self, serializer, instance) -> None:
        """Hook: runs after perform_create/perform_update, inside the same transaction, for
        mixins that write alongside the record (inline custom fields) whatever the resource's
        own perform_* do."""

    # -- actions -----------------------------------------------------------------------

    def list(self, request, *args, **kwargs):
        self.check_params(self.list_params())
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self.check_params({"include"} if self.include_options else set())
        return Response(self.get_serializer(instance).data)

    def create(self, request, *args, **kwargs):
        self.check_params(set())
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = self.perform_create(serializer)
            self.after_save(serializer, instance)
        # The list route's own kwargs (a parent id of a nested route) plus the new id.
        detail_kwargs = {**self.kwargs, self.lookup_url_kwarg or "pk": instance.pk}
        location = reverse(f"{self.basename}-detail", kwargs=detail_kwargs)
        return Response(
            self.get_serializer(instance).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        self.check_params(set())
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            with deleted_meanwhile_is_not_found(self.model, instance.pk, self.not_found_message):
                instance = self.perform_update(serializer)
            self.after_save(serializer, instance)
        return Response(self.get_serializer(instance).data)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        self.check_params(set())
        with transaction.atomic():
            self.before_destroy(instance)
            self.perform_destroy(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)
