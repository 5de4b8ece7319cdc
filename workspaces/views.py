import logging

from django.conf import settings
from django.urls import reverse
from django_ratelimit.core import get_usage
from drf_spectacular.utils import extend_schema
from redis.exceptions import RedisError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.scopes import PUBLIC
from nodestash.errors import RateLimited
from nodestash.query import check_query_params
from workspaces import services
from workspaces.idempotency.views import IdempotencyMixin
from workspaces.plans import PLANS
from workspaces.ratelimit.views import SettlesRateLimitLate
from workspaces.serializers import (
    PlanSerializer,
    SignupResultSerializer,
    SignupSerializer,
    SubscriptionSerializer,
    WorkspaceSerializer,
)
from workspaces.tenancy.principal import FULL_ACCESS

logger = logging.getLogger("nodestash.signup")


class WorkspaceAPIView(IdempotencyMixin, SettlesRateLimitLate, APIView):
    """Base for endpoints about the caller's own workspace (no id in the path)."""

    scope_resource = FULL_ACCESS
    allowed_params: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_query_params(request.query_params, self.allowed_params)

    @property
    def workspace(self):
        return self.request.auth.workspace


class WorkspaceView(WorkspaceAPIView):
    """The workspace the API key belongs to: name, plan, limits and today's usage."""

    serializer_class = WorkspaceSerializer

    @extend_schema(responses=WorkspaceSerializer)
    def get(self, request):
        return Response(WorkspaceSerializer(self.workspace).data)

    @extend_schema(request=WorkspaceSerializer, responses=WorkspaceSerializer)
    def patch(self, request):
        serializer = WorkspaceSerializer(self.workspace, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        name = serializer.validated_data.get("name", self.workspace.name)
        return Response(WorkspaceSerializer(services.workspace_rename(workspace=self.workspace, name=name)).data)


class PlanListView(WorkspaceAPIView):
    """Every plan with its daily and burst limits."""

    @extend_schema(responses=PlanSerializer(many=True))
    def get(self, request):
        data = PlanSerializer(list(PLANS.values()), many=True).data
        return Response({"data": data, "meta": {"pagination": {"next_cursor": None, "has_more": False}}})


class SubscriptionView(WorkspaceAPIView):
    """The workspace's plan, its limits and today's usage."""

    @extend_schema(responses=SubscriptionSerializer)
    def get(self, request):
        return Response(SubscriptionSerializer(self.workspace).data)


class SignupView(APIView):
    """Create an account, its workspace (free plan) and a `*` key, shown once. Limited per IP."""

    scope_resource = PUBLIC
    authentication_classes = []
    serializer_class = SignupSerializer

    def check_signup_rate(self, request):
        # WSGI makes REMOTE_ADDR optional (absent or empty behind a unix socket); such clients
        # share one bucket instead of crashing django-ratelimit's IP key (a 500 before).
        key = "ip" if request.META.get("REMOTE_ADDR") else (lambda group, request: "no-client-address")
        try:
            usage = get_usage(
                request, group="signup", key=key, rate=settings.SIGNUP_RATE, method="POST", increment=True
            )
        except (RedisError, OSError):
            # As with the plan limits (contract §6): a counter store that is down is logged, and the
            # request is served rather than failed.
            logger.warning("signup limit not checked: the counter store is unavailable", exc_info=True)
            return
        if usage and usage["should_limit"]:
            wait = max(1, int(usage["time_left"]))
            raise RateLimited(
                f"Too many signups from this address; try again in {wait} seconds.",
                extra={"retry_after": wait, "upgrade_url": settings.UPGRADE_URL},
                headers={"Retry-After": str(wait)},
            )

    @extend_schema(request=SignupSerializer, responses={201: SignupResultSerializer}, auth=[])
    def post(self, request):
        self.check_signup_rate(request)
        check_query_params(request.query_params, frozenset())
        serializer = SignupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _, workspace, api_key, plaintext = services.account_signup(**serializer.validated_data)
        body = SignupResultSerializer(workspace, context={"api_key": api_key, "plaintext_key": plaintext}).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": reverse("workspace")})
