"""The OpenAPI schema and its two viewers, open to everyone (they describe, they hold no data)."""

from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerView

from apikeys.scopes import PUBLIC


class PublicDocsMixin:
    scope_resource = PUBLIC
    authentication_classes = []


class OpenApiSchemaView(PublicDocsMixin, SpectacularJSONAPIView):
    pass


class SwaggerView(PublicDocsMixin, SpectacularSwaggerView):
    pass


class RedocView(PublicDocsMixin, SpectacularRedocView):
    pass
