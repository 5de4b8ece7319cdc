"""CRM routes. Each resource registers its viewset here (basename = the resource type)."""

from rest_framework.routers import SimpleRouter

from crm.views.companies import CompanyViewSet
from crm.views.contacts import ContactViewSet

router = SimpleRouter(trailing_slash=False)
router.register("contacts", ContactViewSet, basename="contact")
router.register("companies", CompanyViewSet, basename="company")

urlpatterns = router.urls
