"""Races on PostgreSQL: the unique constraints, not Python checks, decide (contract §2 standards)."""

import threading

import pytest
from django.db import connection

from crm.models import Company, Contact

THREADS = 8


def fire_in_parallel(api, path: str, body: dict) -> list[int]:
    """POST the same body from THREADS threads at once; returns the status codes."""
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []

    def worker():
        try:
            barrier.wait()
            statuses.append(api.post(path, body).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "body", "model", "lookup"),
    [
        ("/v1/contacts", {"email": "Race@Acme.com"}, Contact, {"email": "race@acme.com"}),
        ("/v1/companies", {"name": "Acme", "domain": "https://www.acme.com"}, Company, {"domain": "acme.com"}),
    ],
)
def test_parallel_creates_of_the_same_unique_value_make_one_row(tenant, path, body, model, lookup):
    statuses = fire_in_parallel(tenant.api, path, body)
    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    assert model.unscoped.filter(workspace=tenant.workspace, **lookup).count() == 1
