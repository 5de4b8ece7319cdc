"""Helpers for custom field tests: define fields and create records of each entity type."""

from tests.helpers import error_code

# entity type → (collection path, the smallest valid body)
RECORDS = {
    "contact": ("/v1/contacts", {"first_name": "Ann"}),
    "company": ("/v1/companies", {"name": "Acme"}),
    "deal": ("/v1/deals", {"title": "Big one"}),
    "activity": ("/v1/activities", {"type": "note"}),
}
ENTITY_TYPES = tuple(RECORDS)


def define(api, slug: str, field_type: str = "text", entity_type: str = "contact", **extra) -> dict:
    body = {"entity_type": entity_type, "name": slug.replace("_", " ").title(), "slug": slug, "field_type": field_type}
    response = api.post("/v1/custom-fields", {**body, **extra})
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def create(api, entity_type: str = "contact", custom_fields=None, **fields):
    """POST a record; returns the response (the caller checks the status)."""
    path, body = RECORDS[entity_type]
    body = {**body, **fields}
    if custom_fields is not None:
        body["custom_fields"] = custom_fields
    return api.post(path, body)


def create_ok(api, entity_type: str = "contact", custom_fields=None, **fields) -> dict:
    response = create(api, entity_type, custom_fields, **fields)
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def record_path(entity_type: str, record_id: str) -> str:
    return f"{RECORDS[entity_type][0]}/{record_id}"


def details(response) -> dict:
    assert response.status_code == 400, response.json()
    assert error_code(response) == "VALIDATION_ERROR"
    return {d["field"]: d["message"] for d in response.json()["error"]["details"]}


def listed_ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["data"]]
