"""CRM routes. Each resource registers its viewset here (basename = the resource type)."""

from rest_framework.routers import SimpleRouter

from crm.views.activities import ActivityViewSet
from crm.views.companies import CompanyViewSet
from crm.views.contacts import ContactViewSet
from crm.views.deals import DealViewSet
from crm.views.pipelines import PipelineViewSet
from crm.views.stages import StageViewSet

router = SimpleRouter(trailing_slash=False)
router.register("contacts", ContactViewSet, basename="contact")
router.register("companies", CompanyViewSet, basename="company")
router.register("deals", DealViewSet, basename="deal")
router.register("pipelines", PipelineViewSet, basename="pipeline")
router.register(r"pipelines/(?P<pipeline_pk>[^/]+)/stages", StageViewSet, basename="pipeline-stage")
router.register("activities", ActivityViewSet, basename="activity")

urlpatterns = router.urls
