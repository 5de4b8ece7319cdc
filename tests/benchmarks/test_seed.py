"""The seeding command: realistic shape, fast bulk ids, refusal to seed twice."""

import io

import pytest
from django.core.management import CommandError, call_command

from benchmarks.bulk import generate_ids
from benchmarks.fake import CONTACT_FIELDS
from benchmarks.seeding import Seeder, SeedSizes
from crm.models import Activity, Company, Contact, Deal, Stage
from customfields.models import CustomFieldDefinition, CustomFieldValue
from nodestash.ids import is_valid_id
from tests.helpers import Api
from workspaces.models import Workspace

SIZES = SeedSizes(contacts=60, companies=6, deals=30, activities=20, seed=3)


def seed_command(*args) -> dict[str, str]:
    out = io.StringIO()
    call_command("seed_workspace", *args, stdout=out, stderr=io.StringIO())
    return dict(line.split("=", 1) for line in out.getvalue().split())


def test_generate_ids_have_the_id_shape_and_do_not_repeat():
    ids = generate_ids("ct", 5_000)
    assert len(set(ids)) == 5_000
    assert all(is_valid_id(value, "ct") for value in ids)


def test_seed_command_fills_a_new_workspace_and_prints_its_key():
    printed = seed_command("--contacts", "60", "--companies", "6", "--deals", "30", "--activities", "20")
    workspace = Workspace.objects.get(pk=printed["workspace"])
    assert workspace.plan == "enterprise"
    assert Company.unscoped.filter(workspace=workspace).count() == 6
    contacts = Contact.unscoped.filter(workspace=workspace)
    assert contacts.count() == 60
    assert contacts.filter(company__isnull=False).count() > 30
    assert Deal.unscoped.filter(workspace=workspace).count() == 30
    assert Activity.unscoped.filter(workspace=workspace).count() == 20
    definitions = CustomFieldDefinition.unscoped.filter(workspace=workspace, entity_type="contact")
    assert sorted(definitions.values_list("field_type", flat=True).distinct()) == sorted(
        {field_type for _, _, field_type, _ in CONTACT_FIELDS}
    )
    with_values = contacts.filter(custom_field_values__isnull=False).distinct().count()
    assert with_values > 60 // 2  # "values on most contacts"
    response = Api(printed["key"]).get("/v1/contacts", {"limit": 100})
    assert response.status_code == 200
    assert len(response.json()["data"]) == 60


def test_deals_spread_over_the_pipeline_stages_with_closed_at_on_closed_ones(tenant):
    Seeder(tenant.workspace, SIZES, stream=io.StringIO()).run()
    deals = Deal.unscoped.filter(workspace=tenant.workspace).select_related("stage")
    assert len({deal.stage_id for deal in deals}) >= 3
    for deal in deals:
        assert (deal.closed_at is not None) == (deal.stage.type != "open")
    assert set(
        Stage.unscoped.filter(pk__in=[d.stage_id for d in deals]).values_list("pipeline__is_default", flat=True)
    ) == {True}


def test_seeded_values_read_back_through_the_api_in_every_type(tenant):
    Seeder(tenant.workspace, SIZES, stream=io.StringIO()).run()
    contact = max(
        Contact.unscoped.filter(workspace=tenant.workspace),
        key=lambda c: CustomFieldValue.unscoped.filter(contact=c).count(),
    )
    fields = tenant.api.get(f"/v1/contacts/{contact.pk}").json()["data"]["attributes"]["custom_fields"]
    stored = CustomFieldValue.unscoped.filter(contact=contact).count()
    assert sum(value is not None for value in fields.values()) == stored
    assert isinstance(fields["interests"] or [], list)


def test_seeding_a_workspace_twice_is_refused(tenant):
    Seeder(tenant.workspace, SIZES, stream=io.StringIO()).run()
    with pytest.raises(CommandError, match="already has CRM data"):
        seed_command("--workspace", tenant.workspace.pk, "--contacts", "5")
    assert Contact.unscoped.filter(workspace=tenant.workspace).count() == SIZES.contacts


def test_an_empty_existing_workspace_can_be_seeded(tenant):
    printed = seed_command("--workspace", tenant.workspace.pk, "--contacts", "10")
    assert printed == {"workspace": tenant.workspace.pk}
    assert Contact.unscoped.filter(workspace=tenant.workspace).count() == 10
