"""The bad input catalog (contract §2): whatever a client sends, the answer is a clear 4xx in the
error envelope (or a correct 2xx for valid unicode, round-tripped exactly) and the database is
exactly as it was (every row of every table compared before and after).
"""

import pytest
from rest_framework.test import APIClient

from tests.helpers import error_code
from tests.isolation_fixtures import populate, snapshot


@pytest.fixture
def world(tenant):
    return populate(tenant, "Acme")


def assert_clean_4xx(response, status=400, code="VALIDATION_ERROR"):
    assert response.status_code == status, response.content
    body = response.json()
    assert error_code(response) == code, body
    assert body["meta"]["request_id"] == response["X-Request-Id"]
    assert "Traceback" not in response.content.decode() and "django" not in response.content.decode()
    return body


# -- regressions found by the fuzzer ------------------------------------------------------------


@pytest.mark.parametrize("value", ["100%", "%s", "%(x)s", "ct_%d%%"])
def test_a_percent_sign_in_an_id_filter_is_a_400_not_a_500(world, value):
    """django-filter formats messages with `%`: one quoting the value crashed on `%` (fuzzer)."""
    before = snapshot()
    response = world.api.get("/v1/activities", {"contact_id": value})
    body = assert_clean_4xx(response)
    assert body["error"]["details"][0]["field"] == "contact_id"
    assert value[:10] in body["error"]["details"][0]["message"]
    assert snapshot() == before


class NoAddressClient(APIClient):
    """A client whose requests carry no REMOTE_ADDR (optional in WSGI; unix-socket servers)."""

    def _base_environ(self, **request):
        environ = super()._base_environ(**request)
        environ.pop("REMOTE_ADDR", None)
        return environ


@pytest.mark.parametrize("remote_addr", [None, ""])
def test_signup_without_a_client_address_is_served_and_still_limited(settings, remote_addr):
    """django-ratelimit's IP key raised on a missing or empty REMOTE_ADDR (fuzzer: a 500)."""
    settings.SIGNUP_RATE = "2/h"
    client = NoAddressClient()
    extra = {} if remote_addr is None else {"REMOTE_ADDR": remote_addr}
    statuses = []
    for number in range(3):
        body = {"email": f"person{number}@example.com", "password": "correct-horse-battery-staple-42"}
        statuses.append(client.post("/v1/signup", body, format="json", **extra).status_code)
    assert statuses == [201, 201, 429]
