"""The floor answers the benchmark's reads with the API's data, query for query.

It runs in-process on the test database connection (inside the test's transaction), so it
sees the same rows the API does.
"""

import io
import json
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks import scenarios
from benchmarks.floor import Floor, encode_cursor
from benchmarks.scenarios import Fixtures
from benchmarks.seeding import Seeder, SeedSizes
from crm.models import Company, Contact

pytestmark = pytest.mark.postgres

SECRET = b"floor-test-secret"
SIZES = SeedSizes(contacts=80, companies=8, deals=40, activities=0, seed=5)


class CountingCursor:
    def __init__(self, cursor, executed: list):
        self.cursor, self.executed = cursor, executed

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cursor.close()

    def execute(self, sql, args=None):
        self.executed.append(sql)
        return self.cursor.execute(sql, args)

    def __getattr__(self, name):
        return getattr(self.cursor, name)


class FloorTestConnection:
    """Hands the floor the test's connection (with psycopg's own JSON loading: Django loads
    jsonb as text and decodes it in the ORM) and records the SQL it runs."""

    closed = False

    def __init__(self, executed: list):
        from psycopg.types.json import JsonbLoader

        connection.ensure_connection()
        self.raw, self.loader, self.executed = connection.connection, JsonbLoader, executed

    def cursor(self):
        cursor = self.raw.cursor()
        cursor.adapters.register_loader("jsonb", self.loader)
        return CountingCursor(cursor, self.executed)


def floor_get(key: str, path: str, executed: list | None = None) -> dict:
    executed = [] if executed is None else executed
    floor = Floor(lambda: FloorTestConnection(executed), secret=SECRET)
    route, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "HTTP_AUTHORIZATION": f"Bearer {key}",
    }
    status = []
    body = b"".join(floor(environ, lambda code, headers: status.append(code)))
    assert status == ["200 OK"], body
    return json.loads(body)


@pytest.fixture
def seeded(tenant):
    Seeder(tenant.workspace, SIZES, stream=io.StringIO()).run()
    return tenant


def fixtures(tenant) -> Fixtures:
    contacts = Contact.unscoped.filter(workspace=tenant.workspace).order_by("-created_at", "-id")
    first_page = tenant.api.get("/v1/contacts", {"limit": 25}).json()
    last = first_page["data"][-1]["attributes"]
    return Fixtures(
        contact_ids=[contact.pk for contact in contacts[:3]],
        company_id=Company.unscoped.filter(workspace=tenant.workspace).first().pk,
        deep_rows=25,
        api_deep_cursor=first_page["meta"]["pagination"]["next_cursor"],
        floor_deep_cursor=encode_cursor(last["created_at"], last["id"], SECRET),
    )


def test_every_read_scenario_returns_the_same_data_with_the_same_number_of_queries(seeded):
    fx = fixtures(seeded)
    for scenario in scenarios.reads(fx):
        for api_path, floor_path in zip(scenario.paths, scenario.floor_paths, strict=True):
            with CaptureQueriesContext(connection) as api_queries:
                api = seeded.api.get(api_path).json()
            floor_queries = []
            floor = floor_get(seeded.key, floor_path, floor_queries)
            assert floor["data"] == api["data"], scenario.name
            assert len(floor_queries) == len(api_queries), scenario.name
            if "pagination" in api["meta"]:
                assert floor["meta"]["pagination"]["has_more"] == api["meta"]["pagination"]["has_more"]


def test_the_floors_cursor_continues_where_its_first_page_ended(seeded):
    first = floor_get(seeded.key, "/v1/contacts?limit=10")
    second = floor_get(seeded.key, f"/v1/contacts?limit=10&cursor={quote(first['meta']['pagination']['next_cursor'])}")
    api = seeded.api.get("/v1/contacts", {"limit": 20}).json()["data"]
    assert [c["id"] for c in first["data"] + second["data"]] == [c["id"] for c in api]
