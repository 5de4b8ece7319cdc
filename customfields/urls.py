from rest_framework.routers import SimpleRouter

from customfields.views import CustomFieldDefinitionViewSet

router = SimpleRouter(trailing_slash=False)
router.register("custom-fields", CustomFieldDefinitionViewSet, basename="custom-field")
urlpatterns = router.urls
