"""Plan rate limits over HTTP (contract §6), on whichever store the run is configured with
(in-process by default, Redis with REDIS_URL). Time comes from a ManualClock, so windows and
the UTC midnight are crossed without sleeping. Each test picks its plan explicitly."""

import logging
from datetime import UTC, datetime

import pytest
from django.test import override_settings

from tests.helpers import Api, error_code, make_tenant
from tests.routes import PUBLIC_API_PATHS, api_routes
from workspaces.models import Workspace
from workspaces.plans import get_plan
from workspaces.ratelimit import limiter
from workspaces.ratelimit.clock import ManualClock, use_clock
from workspaces.ratelimit.throttles import PlanRateThrottle
from workspaces.ratelimit.views import SettlesRateLimitLate

START = datetime(2026, 3, 10, 12, 0, 0, tzinfo=UTC)
NEXT_MIDNIGHT = int(datetime(2026, 3, 11, tzinfo=UTC).timestamp())
DAILY_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
BURST_HEADERS = ("X-RateLimit-Burst-Limit", "X-RateLimit-Burst-Remaining")


@pytest.fixture(autouse=True)
def clock():
    manual = ManualClock(START)
    with use_clock(manual):
        yield manual


def limits(response) -> dict[str, int]:
    return {name: int(response[name]) for name in (*DAILY_HEADERS, *BURST_HEADERS) if response.has_header(name)}


def fire(api, count: int, path: str = "/v1/workspace") -> list:
    return [api.get(path) for _ in range(count)]


def test_free_plan_headers_count_down_exactly_then_burst_429():
    free = make_tenant("Free", plan="free")
    responses = fire(free.api, 6)
    assert [r.status_code for r in responses] == [200] * 5 + [429]
    assert [limits(r) for r in responses[:5]] == [
        {
            "X-RateLimit-Limit": 1000,
            "X-RateLimit-Remaining": 1000 - n,
            "X-RateLimit-Reset": NEXT_MIDNIGHT,
            "X-RateLimit-Burst-Limit": 5,
            "X-RateLimit-Burst-Remaining": 5 - n,
        }
        for n in range(1, 6)
    ]
    rejected = responses[5]
    assert limits(rejected)["X-RateLimit-Remaining"] == 995  # the 429 did not use up the quota
    assert limits(rejected)["X-RateLimit-Burst-Remaining"] == 0
    assert rejected["Retry-After"] == "1"
    error = rejected.json()["error"]
    assert error == {
        "code": "RATE_LIMITED",
        "message": "Per-second burst limit of 5 requests exceeded for the Free plan.",
        "retry_after": 1,
        "upgrade_url": "https://nodestash.dev/pricing",
    }
    assert rejected.json()["meta"]["request_id"] == rejected["X-Request-Id"]


@override_settings(UPGRADE_URL="https://billing.example.com/upgrade")
def test_upgrade_url_is_a_setting():
    free = make_tenant("Free", plan="free")
    assert fire(free.api, 6)[-1].json()["error"]["upgrade_url"] == "https://billing.example.com/upgrade"


def test_burst_window_slides_instead_of_resetting_on_second_boundaries(clock):
    free = make_tenant("Free", plan="free")
    assert [r.status_code for r in fire(free.api, 3)] == [200] * 3  # t = 0.0
    clock.advance(0.5)
    assert [r.status_code for r in fire(free.api, 3)] == [200, 200, 429]  # t = 0.5: window full
    clock.advance(0.4)
    assert fire(free.api, 1)[0].status_code == 429  # t = 0.9: the three of t = 0.0 still count
    clock.advance(0.1)
    third = fire(free.api, 4)  # t = 1.0: the three of t = 0.0 have left the window
    assert [r.status_code for r in third] == [200, 200, 200, 429]
    assert limits(third[2])["X-RateLimit-Burst-Remaining"] == 0
    clock.advance(0.4)
    assert fire(free.api, 1)[0].status_code == 429  # t = 1.4: (0.4, 1.4] holds 2 + 3
    clock.advance(0.1)
    assert [r.status_code for r in fire(free.api, 3)] == [200, 200, 429]  # t = 1.5
    assert limiter.daily_usage(free.workspace.pk) == 3 + 2 + 3 + 2


def test_burst_retry_after_rounds_up_to_whole_seconds(clock):
    free = make_tenant("Free", plan="free")
    fire(free.api, 5)
    clock.advance(0.999)
    rejected = free.api.get("/v1/workspace")
    assert rejected.status_code == 429
    assert rejected["Retry-After"] == "1"
    assert rejected.json()["error"]["retry_after"] == 1


def test_daily_limit_429_then_reset_at_utc_midnight(clock):
    free = make_tenant("Free", plan="free")
    plan = get_plan("free")
    clock.set(datetime(2026, 3, 10, 23, 50, 0, tzinfo=UTC))
    for _ in range(998):  # the same counting the API does, without 998 HTTP round trips
        clock.advance(0.25)
        assert limiter.rate_limit_begin(free.workspace.pk, plan).result().admitted
    clock.set(datetime(2026, 3, 10, 23, 59, 0, 500_000, tzinfo=UTC))
    last_two = fire(free.api, 2)
    assert [limits(r)["X-RateLimit-Remaining"] for r in last_two] == [1, 0]
    clock.advance(0.5)
    over = fire(free.api, 3)  # 23:59:01: 59 seconds to midnight
    assert [r.status_code for r in over] == [429, 429, 429]
    assert over[0]["Retry-After"] == "59"
    assert over[0].json()["error"] == {
        "code": "RATE_LIMITED",
        "message": "Daily limit of 1,000 requests exceeded for the Free plan.",
        "retry_after": 59,
        "upgrade_url": "https://nodestash.dev/pricing",
    }
    assert limits(over[2]) == {
        "X-RateLimit-Limit": 1000,
        "X-RateLimit-Remaining": 0,
        "X-RateLimit-Reset": NEXT_MIDNIGHT,
        "X-RateLimit-Burst-Limit": 5,
        "X-RateLimit-Burst-Remaining": 3,  # rejected requests do not fill the burst window either
    }
    assert limiter.daily_usage(free.workspace.pk) == 1000  # rejected requests were not counted

    clock.set(datetime(2026, 3, 10, 23, 59, 59, 999_999, tzinfo=UTC))
    assert fire(free.api, 1)[0].status_code == 429
    clock.set(datetime(2026, 3, 11, 0, 0, 0, tzinfo=UTC))
    after = free.api.get("/v1/workspace")
    assert after.status_code == 200
    assert limits(after)["X-RateLimit-Remaining"] == 999
    assert limits(after)["X-RateLimit-Reset"] == int(datetime(2026, 3, 12, tzinfo=UTC).timestamp())
    assert after.json()["data"]["attributes"]["usage"] == {"requests_today": 1}


def test_enterprise_has_burst_headers_only_and_no_daily_limit():
    enterprise = make_tenant("Big", plan="enterprise")
    responses = fire(enterprise.api, 3)
    assert [limits(r) for r in responses] == [
        {"X-RateLimit-Burst-Limit": 500, "X-RateLimit-Burst-Remaining": 500 - n} for n in (1, 2, 3)
    ]
    assert limiter.daily_usage(enterprise.workspace.pk) == 3  # still counted, for usage


def test_enterprise_burst_429_names_the_plan():
    enterprise = make_tenant("Big", plan="enterprise")
    for _ in range(500):
        assert limiter.rate_limit_begin(enterprise.workspace.pk, get_plan("enterprise")).result().admitted
    rejected = enterprise.api.get("/v1/workspace")
    assert rejected.status_code == 429
    assert (
        rejected.json()["error"]["message"]
        == "Per-second burst limit of 500 requests exceeded for the Enterprise plan."
    )
    assert not any(rejected.has_header(name) for name in DAILY_HEADERS)


@pytest.mark.parametrize("plan", ["free", "starter", "pro", "scale"])
def test_each_plan_announces_its_table_limits(plan):
    tenant = make_tenant("Plan", plan=plan)
    response = tenant.api.get("/v1/billing/subscription")
    table = get_plan(plan)
    assert limits(response)["X-RateLimit-Limit"] == table.daily_limit
    assert limits(response)["X-RateLimit-Burst-Limit"] == table.burst_limit
    assert response.json()["data"]["attributes"]["requests_today"] == 1


def test_headers_on_errors_after_the_limiter_but_not_before():
    free = make_tenant("Free", plan="free")
    not_found = free.api.get("/v1/api-keys/key_000000000000000000000")
    bad_query = free.api.get("/v1/workspace", {"bogus": "1"})
    bad_body = free.api.patch("/v1/workspace", {"name": ""})
    assert [r.status_code for r in (not_found, bad_query, bad_body)] == [404, 400, 400]
    assert [limits(r)["X-RateLimit-Remaining"] for r in (not_found, bad_query, bad_body)] == [999, 998, 997]

    unauthenticated = Api().get("/v1/workspace")
    bad_key = Api("nds_live_" + "x" * 43).get("/v1/workspace")
    no_scope = free.client_with_scopes("contacts:read").get("/v1/workspace")
    assert [r.status_code for r in (unauthenticated, bad_key, no_scope)] == [401, 401, 403]
    for response in (unauthenticated, bad_key, no_scope):
        assert not any(response.has_header(name) for name in (*DAILY_HEADERS, *BURST_HEADERS))
    assert limiter.daily_usage(free.workspace.pk) == 3  # 401 and 403 never reached the limiter


def test_scope_is_checked_before_the_limit():
    free = make_tenant("Free", plan="free")
    fire(free.api, 5)
    assert error_code(free.client_with_scopes("contacts:read").get("/v1/workspace")) == "INSUFFICIENT_SCOPE"
    assert error_code(Api().get("/v1/workspace")) == "MISSING_AUTH"
    assert error_code(free.api.get("/v1/api-keys/key_000000000000000000000")) == "RATE_LIMITED"  # 429 before 404


def test_keys_of_one_workspace_share_the_count():
    free = make_tenant("Free", plan="free")
    second_key = free.client_with_scopes("*")
    assert [r.status_code for r in fire(free.api, 3)] == [200] * 3
    second = fire(second_key, 3)
    assert [r.status_code for r in second] == [200, 200, 429]
    assert limits(second[1])["X-RateLimit-Remaining"] == 995
    assert error_code(free.api.get("/v1/workspace")) == "RATE_LIMITED"


def test_workspaces_do_not_share_counts():
    first = make_tenant("First", plan="free")
    second = make_tenant("Second", plan="free")
    fire(first.api, 5)
    assert first.api.get("/v1/workspace").status_code == 429
    response = second.api.get("/v1/workspace")
    assert response.status_code == 200
    assert limits(response)["X-RateLimit-Remaining"] == 999
    assert limits(response)["X-RateLimit-Burst-Remaining"] == 4
    assert response.json()["data"]["attributes"]["usage"] == {"requests_today": 1}


def test_plan_change_applies_on_the_next_request():
    tenant = make_tenant("Growing", plan="free")
    fire(tenant.api, 5)
    assert tenant.api.get("/v1/workspace").status_code == 429
    Workspace.objects.filter(pk=tenant.workspace.pk).update(plan="pro")  # as the admin would
    upgraded = tenant.api.get("/v1/workspace")
    assert upgraded.status_code == 200
    assert limits(upgraded) == {
        "X-RateLimit-Limit": 250_000,
        "X-RateLimit-Remaining": 250_000 - 6,
        "X-RateLimit-Reset": NEXT_MIDNIGHT,
        "X-RateLimit-Burst-Limit": 50,
        "X-RateLimit-Burst-Remaining": 50 - 6,
    }
    assert upgraded.json()["data"]["attributes"]["limits"] == {"daily": 250_000, "burst": 50}


def test_usage_endpoints_report_the_real_count():
    tenant = make_tenant("Counted", plan="starter")
    fire(tenant.api, 4, "/v1/billing/plans")
    workspace = tenant.api.get("/v1/workspace").json()["data"]["attributes"]
    assert workspace["usage"] == {"requests_today": 5}
    subscription = tenant.api.get("/v1/billing/subscription").json()["data"]["attributes"]
    assert subscription["requests_today"] == 6
    assert subscription["daily_limit"] == 25_000


def test_public_endpoints_are_not_plan_limited(anon):
    signup = anon.post("/v1/signup", {"email": "new@example.com", "password": "a-long-enough-passphrase-42"})
    schema = anon.get("/v1/openapi.json")
    assert [signup.status_code, schema.status_code] == [201, 200]
    for response in (signup, schema):
        assert not any(response.has_header(name) for name in (*DAILY_HEADERS, *BURST_HEADERS))


def test_counter_store_down_serves_requests_and_logs_once(caplog):
    tenant = make_tenant("Resilient", plan="free")
    closed_port = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=closed_port), caplog.at_level(logging.WARNING, logger="nodestash.ratelimit"):
        responses = fire(tenant.api, 8)  # more than the free burst: nothing is counted
    assert [r.status_code for r in responses] == [200] * 8
    assert not any(r.has_header("X-RateLimit-Burst-Limit") for r in responses)
    assert responses[-1].json()["data"]["attributes"]["usage"] == {"requests_today": 0}
    warnings = [record for record in caplog.records if record.name == "nodestash.ratelimit"]
    assert len(warnings) == 1
    assert "counter store unavailable" in warnings[0].getMessage()


def test_every_authenticated_api_view_is_plan_limited():
    routes = [route for route in api_routes() if route.template not in PUBLIC_API_PATHS]
    assert routes
    for route in routes:
        assert PlanRateThrottle in route.view_class.throttle_classes, f"{route} is not plan-limited"
        # its reads may take the limiter's answer late (docs/rate-limits.md, "When the answer is read")
        assert issubclass(route.view_class, SettlesRateLimitLate), f"{route} makes its reads wait for the limiter"
