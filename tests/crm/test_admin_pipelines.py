"""The operator admin for pipelines (stages inline), deals and activities: bounded list
queries, the workspace filter, structure kept to the API's services, the API's normalization."""

import pytest

from crm.models import Activity, Deal, Pipeline, Stage
from tests.crm.test_admin import changelist_queries
from tests.helpers import admin_path, make_tenant

CHANGELISTS = ("/admin/crm/pipeline/", "/admin/crm/deal/", "/admin/crm/activity/")


def seed(workspace, count: int) -> None:
    pipeline = Pipeline.unscoped.get(workspace=workspace, is_default=True)
    stage = Stage.unscoped.filter(pipeline=pipeline).first()
    for index in range(count):
        deal = Deal.unscoped.create(workspace=workspace, title=f"d{index}", pipeline=pipeline, stage=stage)
        Activity.unscoped.create(workspace=workspace, type="note", deal=deal)


@pytest.mark.parametrize("url", CHANGELISTS)
def test_changelist_queries_do_not_grow_with_rows(admin_client, tenant, url):
    seed(tenant.workspace, 2)
    before = changelist_queries(admin_client, url)
    for name in ("Other", "Third"):
        seed(make_tenant(name).workspace, 10)
    assert changelist_queries(admin_client, url) == before


@pytest.mark.parametrize("url", CHANGELISTS)
def test_changelist_filters_by_workspace(admin_client, tenant, other_tenant, url):
    seed(tenant.workspace, 1)
    seed(other_tenant.workspace, 1)
    response = admin_client.get(url, {"workspace__id__exact": tenant.workspace.pk})
    assert response.status_code == 200 and response.context["cl"].result_count == 1


def test_pipeline_change_form_shows_its_stages_inline(admin_client, tenant):
    pipeline = Pipeline.unscoped.get(workspace=tenant.workspace)
    response = admin_client.get(admin_path("crm", "pipeline", pipeline.pk))
    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0]
    assert [form.original.name for form in inline] == ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]


def test_structure_changes_are_left_to_the_api(admin_client, tenant):
    pipeline = Pipeline.unscoped.get(workspace=tenant.workspace)
    for url in ("/admin/crm/pipeline/add/", "/admin/crm/deal/add/", "/admin/crm/activity/add/"):
        assert admin_client.get(url).status_code == 403
    assert admin_client.post(admin_path("crm", "pipeline", pipeline.pk, "delete"), {"post": "yes"}).status_code == 403
    assert Pipeline.unscoped.filter(pk=pipeline.pk).exists()


def test_make_default_action_moves_the_default(admin_client, tenant):
    new = tenant.api.post("/v1/pipelines", {"name": "New"}).json()["data"]["id"]
    response = admin_client.post(
        "/admin/crm/pipeline/", {"action": "make_default", "_selected_action": [new], "index": 0}
    )
    assert response.status_code == 302
    assert list(Pipeline.unscoped.filter(workspace=tenant.workspace, is_default=True).values_list("pk", flat=True)) == [
        new
    ]


def test_editing_a_deal_normalizes_like_the_api(admin_client, tenant):
    seed(tenant.workspace, 1)
    deal = Deal.unscoped.get()
    response = admin_client.post(
        admin_path("crm", "deal", deal.pk),
        {"title": "Renamed", "value": "10.50", "currency": "usd", "tags": '["VIP", "vip "]', "owner_id": ""},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    deal.refresh_from_db()
    assert (deal.title, deal.currency, deal.tags, str(deal.value)) == ("Renamed", "USD", ["vip"], "10.50")
    bad = admin_client.post(admin_path("crm", "deal", deal.pk), {"title": "X", "currency": "US", "tags": "[]"})
    assert bad.status_code == 200 and "currency" in bad.context["adminform"].form.errors


def test_activity_metadata_follows_the_api_limit(admin_client, tenant):
    seed(tenant.workspace, 1)
    activity = Activity.unscoped.get()
    base = {"type": "note", "tags": "[]"}
    too_big = {**base, "metadata": '{"k": "' + "x" * (16 * 1024) + '"}'}
    response = admin_client.post(admin_path("crm", "activity", activity.pk), too_big)
    assert response.status_code == 200 and "metadata" in response.context["adminform"].form.errors
    ok = admin_client.post(admin_path("crm", "activity", activity.pk), {**base, "metadata": '{"a": 1, "b": null}'})
    assert ok.status_code == 302, ok.context["adminform"].form.errors
    activity.refresh_from_db()
    assert activity.metadata == {"a": 1}
