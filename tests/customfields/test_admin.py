"""The operator admin for custom fields: definitions follow the API's rules, and each record's
admin page shows its values."""

import pytest

from customfields.models import CustomFieldDefinition
from tests.customfields.helpers import RECORDS, create_ok, define
from tests.helpers import admin_path

ADD = "/admin/customfields/customfielddefinition/add/"


def add_form(tenant, **fields) -> dict:
    return {
        "workspace": tenant.workspace.pk,
        "name": "Tier",
        "slug": "tier",
        "entity_type": "contact",
        "field_type": "text",
        "display_order": 0,
        **fields,
    }


def form_errors(response) -> dict:
    assert response.status_code == 200, "expected the form again, with errors"
    form = response.context["adminform"].form
    return {name: list(errors) for name, errors in form.errors.items()}


def test_changelist_filters_by_workspace(operator, tenant, other_tenant):
    define(tenant.api, "mine")
    define(other_tenant.api, "theirs")
    url = "/admin/customfields/customfielddefinition/"
    response = operator.get(url, {"workspace__id__exact": tenant.workspace.pk})
    assert response.status_code == 200 and response.context["cl"].result_count == 1


def test_adding_a_definition(operator, tenant):
    response = operator.post(ADD, add_form(tenant, field_type="select", options='["gold", "silver"]'))
    assert response.status_code == 302, form_errors(response)
    assert CustomFieldDefinition.unscoped.get().options == ["gold", "silver"]


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"slug": "Bad-Slug"}, "slug"),
        ({"field_type": "select", "options": ""}, "options"),
        ({"field_type": "select", "options": '["a", "A"]'}, "options"),
        ({"field_type": "text", "options": '["a"]'}, "options"),
    ],
)
def test_invalid_definitions_are_form_errors(operator, tenant, fields, error_field):
    assert error_field in form_errors(operator.post(ADD, add_form(tenant, **fields)))
    assert not CustomFieldDefinition.unscoped.exists()


def test_a_duplicate_slug_is_a_form_error_not_a_crash(operator, tenant):
    define(tenant.api, "tier")
    assert "slug" in form_errors(operator.post(ADD, add_form(tenant)))


def test_removing_an_option_in_use_is_a_form_error(operator, tenant):
    field = define(tenant.api, "tier", "select", options=["gold", "silver"])
    create_ok(tenant.api, custom_fields={"tier": "gold"})
    url = admin_path("customfields", "customfielddefinition", field["id"])
    page = operator.get(url)
    assert page.status_code == 200
    form = {"name": "Tier", "description": "", "options": '["silver"]', "display_order": 0}
    assert "options" in form_errors(operator.post(url, form))
    assert CustomFieldDefinition.unscoped.get().options == ["gold", "silver"]


@pytest.mark.parametrize("entity_type", list(RECORDS))
def test_a_records_admin_page_shows_its_values(operator, tenant, entity_type):
    define(tenant.api, "nickname", entity_type=entity_type)
    record = create_ok(tenant.api, entity_type, custom_fields={"nickname": "Sparky"})
    response = operator.get(admin_path("crm", entity_type, record["id"]))
    assert response.status_code == 200
    assert "Sparky" in response.content.decode()
