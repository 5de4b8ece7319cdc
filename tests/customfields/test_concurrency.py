"""Races on PostgreSQL: the cap, slug uniqueness and value writes hold under parallel requests."""

import threading
import time

import pytest
from django.db import connection, transaction

from customfields.models import CustomFieldDefinition, CustomFieldValue
from customfields.services import MAX_DEFINITIONS_PER_ENTITY_TYPE, definition_update
from tests.customfields.helpers import create_ok, define
from tests.helpers import run_in_parallel

THREADS = 6

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_parallel(calls) -> list[int]:
    """Run the callables at the same instant; returns their status codes."""
    return [response.status_code for response in run_in_parallel(*calls)]


def definition_body(slug: str) -> dict:
    return {"entity_type": "contact", "name": slug, "slug": slug, "field_type": "text"}


def test_parallel_creates_of_one_slug_make_one_definition(tenant):
    body = definition_body("race")
    statuses = in_parallel([lambda: tenant.api.post("/v1/custom-fields", body)] * THREADS)
    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    assert CustomFieldDefinition.unscoped.filter(workspace=tenant.workspace, slug="race").count() == 1


def test_the_cap_holds_under_parallel_creates(tenant):
    CustomFieldDefinition.unscoped.bulk_create(
        CustomFieldDefinition(workspace=tenant.workspace, entity_type="contact", name=f"f{i}", slug=f"f{i}")
        for i in range(MAX_DEFINITIONS_PER_ENTITY_TYPE - 1)
    )
    calls = [
        (lambda slug=f"last{i}": tenant.api.post("/v1/custom-fields", definition_body(slug))) for i in range(THREADS)
    ]
    statuses = in_parallel(calls)
    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    count = CustomFieldDefinition.unscoped.filter(workspace=tenant.workspace, entity_type="contact").count()
    assert count == MAX_DEFINITIONS_PER_ENTITY_TYPE


def test_parallel_first_writes_of_one_value_make_one_row(tenant):
    define(tenant.api, "score", "number")
    record = create_ok(tenant.api)
    path = f"/v1/contacts/{record['id']}/custom-fields"
    calls = [(lambda n=n: tenant.api.put(path, {"fields": {"score": n}})) for n in range(THREADS)]
    calls += [
        (lambda n=n: tenant.api.patch(f"/v1/contacts/{record['id']}", {"custom_fields": {"score": n}}))
        for n in range(THREADS)
    ]
    assert in_parallel(calls) == [200] * (2 * THREADS)
    assert CustomFieldValue.unscoped.filter(contact_id=record["id"]).count() == 1


def test_a_value_racing_the_removal_of_its_option_is_a_conflict(tenant):
    """The removal holds the definition locked while the write validates against the old
    options; the write must then refuse, not store an option that no longer exists."""
    field = define(tenant.api, "tier", "select", options=["gold", "silver"])
    record = create_ok(tenant.api)
    removing, written = threading.Event(), []

    def remove_option():
        try:
            with transaction.atomic():
                definition = CustomFieldDefinition.unscoped.get(pk=field["id"])
                definition_update(definition=definition, changes={"options": ["silver"]})
                removing.set()
                time.sleep(0.5)  # the write below validates meanwhile, then waits for this lock
        finally:
            connection.close()

    def write_value():
        try:
            removing.wait()
            written.append(tenant.api.put(f"/v1/contacts/{record['id']}/custom-fields", {"fields": {"tier": "gold"}}))
        finally:
            connection.close()

    threads = [threading.Thread(target=remove_option), threading.Thread(target=write_value)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert written[0].status_code == 409, written[0].json()
    assert not CustomFieldValue.unscoped.filter(contact_id=record["id"]).exists()
