import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from tests.helpers import Api, clear_cache, make_tenant

USING_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
USING_REDIS = bool(settings.REDIS_URL)


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL=redis://…")
    for item in items:
        if "postgres" in item.keywords and not USING_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not USING_REDIS:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _db_and_clean_counters(db):
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def tenant():
    """A workspace on the enterprise plan (no daily limit) with a `*` key."""
    return make_tenant("Acme")


@pytest.fixture
def other_tenant():
    """A second, unrelated workspace: its data must never show up in `tenant`'s requests."""
    return make_tenant("Globex")


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("ops", "ops@example.com", "a-long-operator-password")


@pytest.fixture
def operator(superuser):
    """A Django test client logged in as a superuser: the operator of the admin."""
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def anon():
    return Api()
