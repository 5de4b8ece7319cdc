"""Test helpers: an API client speaking the contract, workspace/key factories, parallel calls."""

import threading
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.utils import quote
from django.core.cache import cache
from django.db import connections
from django.test import override_settings
from rest_framework.test import APIClient

from apikeys.services import apikey_create
from workspaces.ratelimit import limiter
from workspaces.ratelimit.requests import recent_refusals
from workspaces.services import workspace_create


class Api:
    """A DRF test client with a Bearer key; `api.get("/v1/contacts", limit=5)`."""

    def __init__(self, key: str | None = None):
        self.client = APIClient()
        self.key = key

    def _headers(self, headers):
        merged = {"HTTP_AUTHORIZATION": f"Bearer {self.key}"} if self.key else {}
        merged.update(headers or {})
        return merged

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, **self._headers(headers))

    def post(self, path, body=None, headers=None):
        return self.client.post(path, body, format="json", **self._headers(headers))

    def patch(self, path, body=None, headers=None):
        return self.client.patch(path, body, format="json", **self._headers(headers))

    def put(self, path, body=None, headers=None):
        return self.client.put(path, body, format="json", **self._headers(headers))

    def delete(self, path, headers=None):
        return self.client.delete(path, **self._headers(headers))

    def raw(self, method, path, data=b"", content_type="application/json", headers=None):
        return getattr(self.client, method.lower())(path, data, content_type=content_type, **self._headers(headers))


@dataclass
class Tenant:
    """A workspace, its full-access key and a client using it."""

    workspace: object
    key: str
    api: Api

    def client_with_scopes(self, *scopes: str) -> Api:
        _, plaintext = apikey_create(workspace=self.workspace, name="scoped", scopes=list(scopes))
        return Api(plaintext)


def make_tenant(name: str = "Acme", plan: str = "enterprise", environment: str = "live") -> Tenant:
    workspace, _, plaintext = workspace_create(name=name, plan=plan, environment=environment)
    return Tenant(workspace=workspace, key=plaintext, api=Api(plaintext))


def clear_cache() -> None:
    """Forget counters between tests, and any store failure or refusal a test provoked: the
    in-process counters, the limiter's health and memory of refused workspaces, and on Redis
    only this test run's keys (never FLUSHDB)."""
    limiter.local_store.reset()
    limiter.health.reset()
    recent_refusals.clear()
    if "Redis" not in settings.CACHES["default"]["BACKEND"]:
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


def run_in_parallel(*calls) -> list:
    """Start every call at the same moment (a barrier), each in its own thread and so its own
    database connection; return their results in the order given. For PostgreSQL race tests."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def current_database_url() -> str:
    """This test run's PostgreSQL database as a DATABASE_URL, for processes the test starts."""
    return "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**connections["default"].settings_dict)


def admin_path(app: str, model: str, pk: str, action: str = "change") -> str:
    """An admin page of one object, its id quoted as the admin's own links quote it: the admin
    reads `_XX` in a path as an escaped character, so an id such as `key_2B…` written as it is
    would name another object (`key+…`) and the page would redirect to the index."""
    return f"/admin/{app}/{model}/{quote(pk)}/{action}/"


def error_code(response) -> str:
    return response.json()["error"]["code"]


def redis_caches(url: str, **options) -> dict:
    """CACHES with the default cache (the counter store) on the Redis at `url`, with the
    production timeouts unless `options` say otherwise."""
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, **options}
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "OPTIONS": options}}


def counter_store_down():
    """Settings under which the cache (the counter store) is a Redis nobody listens on: a real
    connection failure, to test that the API degrades as documented."""
    return override_settings(
        CACHES=redis_caches("redis://127.0.0.1:1/0", socket_connect_timeout=0.2, socket_timeout=0.2)
    )
