from django.contrib import admin
from django.urls import include, path, re_path

from nodestash import views
from nodestash.docs_views import OpenApiSchemaView, RedocView, SwaggerView

api_v1 = [
    path("", include("workspaces.urls")),
    path("", include("apikeys.urls")),
    path("", include("crm.urls")),
    path("", include("customfields.urls")),
    path("openapi.json", OpenApiSchemaView.as_view(), name="openapi-schema"),
]

urlpatterns = [
    path("v1/", include(api_v1)),
    path("docs/", SwaggerView.as_view(url_name="openapi-schema"), name="swagger-ui"),
    path("redoc/", RedocView.as_view(url_name="openapi-schema"), name="redoc"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api-auth/", include("rest_framework.urls")),
    # Last: every other path is a 404 in the error envelope, in DEBUG too.
    re_path(r"^", views.not_found),
]

handler400 = "nodestash.views.bad_request"
handler404 = "nodestash.views.not_found"
handler500 = "nodestash.views.server_error"
