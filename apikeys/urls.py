from rest_framework.routers import SimpleRouter

from apikeys.views import ApiKeyViewSet

router = SimpleRouter(trailing_slash=False)
router.register("api-keys", ApiKeyViewSet, basename="api-key")
urlpatterns = router.urls
