"""Boolean body fields take only JSON true/false: "yes", 1, "true" are client bugs, not values."""

import pytest

from tests.helpers import error_code

NOT_BOOLEANS = ["yes", "true", 1, 0, "on", None]

BOOLEAN_FIELDS = [
    ("/v1/activities", {"type": "note"}, "is_done"),
    ("/v1/custom-fields", {"entity_type": "contact", "name": "VIP", "field_type": "text"}, "is_required"),
]


@pytest.mark.parametrize(("path", "body", "field"), BOOLEAN_FIELDS)
@pytest.mark.parametrize("value", NOT_BOOLEANS)
def test_a_non_boolean_is_refused_and_nothing_is_created(tenant, path, body, field, value):
    before = tenant.api.get(path).json()["data"]
    response = tenant.api.post(path, {**body, field: value})
    assert response.status_code == 400, response.json()
    assert error_code(response) == "VALIDATION_ERROR"
    assert [d["field"] for d in response.json()["error"]["details"]] == [field]
    assert tenant.api.get(path).json()["data"] == before


@pytest.mark.parametrize(("path", "body", "field"), BOOLEAN_FIELDS)
def test_json_true_is_accepted(tenant, path, body, field):
    response = tenant.api.post(path, {**body, field: True})
    assert response.status_code == 201, response.json()
    assert response.json()["data"]["attributes"][field] is True


@pytest.mark.parametrize("value", ["yes", 1])
def test_pipeline_is_default_takes_only_json_booleans(tenant, value):
    pipeline = tenant.api.get("/v1/pipelines").json()["data"][0]
    response = tenant.api.patch(f"/v1/pipelines/{pipeline['id']}", {"is_default": value})
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "is_default"
