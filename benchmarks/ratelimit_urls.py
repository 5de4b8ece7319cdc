"""The API's routes, plus `UNTHROTTLED_PATH`: the same view as `/v1/billing/plans` with no
throttle (benchmarks/ratelimit_settings.py)."""

from django.urls import path

from nodestash.urls import handler400, handler404, handler500
from nodestash.urls import urlpatterns as api_urlpatterns
from workspaces.views import PlanListView

UNTHROTTLED_PATH = "/bench/unthrottled/plans"

urlpatterns = [path(UNTHROTTLED_PATH.lstrip("/"), PlanListView.as_view(throttle_classes=[])), *api_urlpatterns]

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]
