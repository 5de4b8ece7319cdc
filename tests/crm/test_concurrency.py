"""Races on PostgreSQL: the unique constraints, not Python checks, decide (contract §2 standards)."""

import pytest

from crm.models import Company, Contact
from tests.helpers import run_in_parallel

THREADS = 8


def fire_in_parallel(api, path: str, body: dict) -> list[int]:
    """POST the same body from THREADS threads at once; returns the status codes."""
    return [response.status_code for response in run_in_parallel(*[lambda: api.post(path, body)] * THREADS)]


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
