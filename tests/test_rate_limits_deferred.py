"""Reads whose rate-limit answer arrives while the view runs (workspaces/ratelimit/throttles.py).

With Redis, a read sends its count and the view runs during the round trip; the answer is read
when the response is finalized. These tests hold the promise that makes this safe: the client
gets exactly what waiting would have given it, writes always wait, a workspace being refused
gets its reads decided before the view again, and no reply is ever left unread.
"""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Contact
from crm.views.contacts import ContactViewSet
from tests.helpers import make_tenant
from workspaces.ratelimit.clock import ManualClock, use_clock
from workspaces.ratelimit.requests import recent_refusals

pytestmark = pytest.mark.redis

BURST = 5  # the free plan's
ANSWER_HEADERS = ("Retry-After", "X-RateLimit-Remaining", "X-RateLimit-Burst-Remaining", "X-RateLimit-Reset")


@pytest.fixture(autouse=True)
def clock():
    with use_clock(ManualClock(datetime(2026, 3, 10, 12, tzinfo=UTC))) as manual:
        yield manual


def queries_of(call) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return response, len(queries)


def answer(response) -> tuple:
    body = response.json()
    body["meta"].pop("request_id")
    return response.status_code, body, {name: response.get(name) for name in ANSWER_HEADERS}


def test_a_refused_read_answered_late_is_the_refusal_a_waiting_read_gets():
    free = make_tenant("Free", plan="free")
    for _ in range(BURST):
        assert free.api.get("/v1/contacts").status_code == 200
    assert not recent_refusals.holds(free.workspace.pk)
    late, late_queries = queries_of(lambda: free.api.get("/v1/contacts"))  # the view ran meanwhile
    assert recent_refusals.holds(free.workspace.pk)
    waited, waited_queries = queries_of(lambda: free.api.get("/v1/contacts"))  # decided before the view
    assert answer(late) == answer(waited)
    assert late.status_code == 429 and late["Retry-After"] == "1"
    assert waited_queries < late_queries  # the refused read no longer runs the view's queries


def test_a_refused_read_of_a_missing_record_is_a_429_not_a_404():
    free = make_tenant("Free", plan="free")
    for _ in range(BURST):
        free.api.get("/v1/workspace")
    response = free.api.get("/v1/contacts/ct_doesnotexist")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "RATE_LIMITED"


def test_a_refused_write_never_runs_its_view():
    free = make_tenant("Free", plan="free")
    for _ in range(BURST):
        assert free.api.get("/v1/workspace").status_code == 200
    assert not recent_refusals.holds(free.workspace.pk)
    response = free.api.post("/v1/contacts", {"first_name": "Ada", "email": "ada@example.com"})
    assert response.status_code == 429
    assert not Contact.unscoped.filter(workspace=free.workspace).exists()


def test_a_read_that_crashes_leaves_no_unread_reply_behind(monkeypatch):
    """A view error that escapes DRF (a 500) skips the view's finalizing; the headers middleware
    reads the answer, so the limiter's connection stays in step for the next request."""
    free = make_tenant("Free", plan="free")

    def crash(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ContactViewSet, "list", crash)
    free.api.client.raise_request_exception = False
    crashed = free.api.get("/v1/contacts")
    monkeypatch.undo()
    after = free.api.get("/v1/workspace")
    assert crashed.status_code == 500
    assert crashed["X-RateLimit-Remaining"] == "999"
    assert after.status_code == 200 and after["X-RateLimit-Remaining"] == "998"
