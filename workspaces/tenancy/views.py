"""The viewset mixin that owns tenant scoping for every API view over workspace data.

Subclasses declare `model`, `id_prefix`, `scope_resource` and optionally refine the queryset
through `refine_queryset`; they may not override `get_queryset` or `get_object` (that fails
at import), so no view can forget the workspace filter. Anything outside the workspace is
a 404, never a 403, so existence in another workspace cannot be inferred.
"""

from nodestash.errors import NotFound
from nodestash.ids import is_valid_id

OWNED_METHODS = ("get_queryset", "get_object")


class WorkspaceViewSetMixin:
    model = None
    id_prefix: str = ""
    not_found_message = "Not found."

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in OWNED_METHODS:
            if name in cls.__dict__:
                raise TypeError(
                    f"{cls.__name__} overrides {name}(); refine the queryset with refine_queryset() instead."
                )

    @property
    def workspace(self):
        return self.request.auth.workspace

    def refine_queryset(self, queryset):
        """Hook: select_related, annotations, action-specific narrowing. Never widen."""
        return queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.unscoped.none()
        return self.refine_queryset(self.model.objects.filter(workspace=self.workspace))

    def get_object(self):
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if not is_valid_id(lookup, self.id_prefix):
            raise NotFound(self.not_found_message)
        try:
            instance = self.get_queryset().get(pk=lookup)
        except self.model.DoesNotExist:
            raise NotFound(self.not_found_message) from None
        self.check_object_permissions(self.request, instance)
        return instance

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["workspace"] = self.workspace
        return context
