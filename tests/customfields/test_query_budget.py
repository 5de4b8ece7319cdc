"""EAV reads are batched: a page costs the same number of queries for 1 and 100 records,
with 10 custom fields each, filtered or not, on every record list."""

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customfields.models import RECORD_FIELDS, CustomFieldDefinition, CustomFieldValue
from tests.customfields.helpers import ENTITY_TYPES, RECORDS, create_ok, define

FIELD_COUNT = 10


def seed(tenant, entity_type: str, count: int) -> None:
    definitions = [
        CustomFieldDefinition.unscoped.create(
            workspace=tenant.workspace,
            entity_type=entity_type,
            name=f"F{i}",
            slug=f"f{i}",
            field_type="number" if i % 2 else "text",
            display_order=i,
        )
        for i in range(FIELD_COUNT)
    ]
    model = CustomFieldValue._meta.get_field(RECORD_FIELDS[entity_type]).related_model
    template = model.unscoped.get(pk=create_ok(tenant.api, entity_type)["id"])
    records = [template]
    for _ in range(count - 1):
        record = copy.copy(template)
        record.pk = model._meta.pk.new_id()
        records.append(record)
    model.unscoped.bulk_create(records[1:])
    CustomFieldValue.unscoped.bulk_create(
        CustomFieldValue(
            workspace=tenant.workspace,
            definition=definition,
            **{RECORD_FIELDS[entity_type]: record},
            **({"value_number": n} if definition.field_type == "number" else {"value_text": f"v{n}"}),
        )
        for n, record in enumerate(records)
        for definition in definitions
    )


def count_queries(api, path: str, params: dict) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = api.get(path, params)
    assert response.status_code == 200, response.json()
    return len(context), len(response.json()["data"])


@pytest.mark.parametrize("entity_type", ENTITY_TYPES)
@pytest.mark.parametrize("params", [{}, {"cf.f1.gte": "0", "cf.f2.contains": "v", "cf.f3.exists": "true"}])
def test_a_page_costs_the_same_for_1_and_100_records(tenant, entity_type, params):
    seed(tenant, entity_type, 100)
    path = RECORDS[entity_type][0]
    tenant.api.get(path, {"limit": 1})  # warm-up (the key's last_used_at write)
    one, rows_one = count_queries(tenant.api, path, {**params, "limit": 1})
    hundred, rows_hundred = count_queries(tenant.api, path, {**params, "limit": 100})
    assert (rows_one, rows_hundred) == (1, 100)
    assert one == hundred
    page = tenant.api.get(path, {**params, "limit": 100}).json()["data"]
    assert all(len(row["attributes"]["custom_fields"]) == FIELD_COUNT for row in page)


def test_included_companies_bring_their_values_in_one_query(tenant):
    define(tenant.api, "nickname", entity_type="company")
    for n in range(3):
        company = create_ok(tenant.api, "company", custom_fields={"nickname": f"co{n}"})
        for _ in range(2):
            create_ok(tenant.api, "contact", company_id=company["id"])
    tenant.api.get("/v1/contacts", {"limit": 1})
    one, _ = count_queries(tenant.api, "/v1/contacts", {"limit": 1, "include": "company"})
    many, rows = count_queries(tenant.api, "/v1/contacts", {"limit": 100, "include": "company"})
    assert (rows, one) == (6, many)
    page = tenant.api.get("/v1/contacts", {"include": "company"}).json()["data"]
    assert {row["attributes"]["company"]["attributes"]["custom_fields"]["nickname"] for row in page} == {
        "co0",
        "co1",
        "co2",
    }


def test_included_contacts_bring_their_values_in_one_query(tenant):
    define(tenant.api, "nickname")
    for n in range(3):
        company = create_ok(tenant.api, "company")
        for m in range(2):
            create_ok(tenant.api, "contact", company_id=company["id"], custom_fields={"nickname": f"{n}.{m}"})
    tenant.api.get("/v1/companies", {"limit": 1})
    one, _ = count_queries(tenant.api, "/v1/companies", {"limit": 1, "include": "contacts"})
    many, rows = count_queries(tenant.api, "/v1/companies", {"limit": 100, "include": "contacts"})
    assert (rows, one) == (3, many)
    page = tenant.api.get("/v1/companies", {"include": "contacts"}).json()["data"]
    nicknames = {c["attributes"]["custom_fields"]["nickname"] for row in page for c in row["attributes"]["contacts"]}
    assert len(nicknames) == 6
