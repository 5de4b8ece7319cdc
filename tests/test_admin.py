"""The operator admin: staff only, bounded queries, cross-workspace lists through the unscoped
manager, workspace creation with default content, key revocation, and never a key's secret."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apikeys.models import ApiKey
from crm.models import Company, Contact, Pipeline, Stage
from tests.helpers import admin_path, make_tenant
from workspaces.admin_base import WorkspaceOwnedAdmin
from workspaces.models import Workspace
from workspaces.plans import PLANS
from workspaces.services import DEFAULT_KEY_NAME
from workspaces.tenancy.models import WorkspaceOwnedModel

CHANGELISTS = ("/admin/workspaces/workspace/", "/admin/apikeys/apikey/", "/admin/workspaces/membership/")


def changelist_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("url", CHANGELISTS)
def test_changelist_queries_do_not_grow_with_rows(operator, tenant, url):
    before = changelist_queries(operator, url)
    for index in range(5):
        make_tenant(f"Extra {index}").client_with_scopes("contacts:read")
    assert changelist_queries(operator, url) <= before
    assert before <= 12


@pytest.mark.parametrize("url", CHANGELISTS)
def test_non_staff_user_cannot_reach_the_admin(url):
    user = get_user_model().objects.create_user("person", "person@example.com", "a-long-user-password")
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_anonymous_visitor_is_sent_to_login():
    response = Client().get("/admin/apikeys/apikey/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_key_pages_never_show_the_hash_or_secret(operator, tenant):
    api_key = ApiKey.unscoped.get(workspace=tenant.workspace)
    for url in ("/admin/apikeys/apikey/", admin_path("apikeys", "apikey", api_key.pk)):
        response = operator.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert api_key.key_hint in page
        assert api_key.key_hash not in page
        assert tenant.key not in page
        assert tenant.key[-20:] not in page


def test_keys_cannot_be_added_edited_or_deleted_in_the_admin(operator, tenant):
    api_key = ApiKey.unscoped.get(workspace=tenant.workspace)
    assert operator.get("/admin/apikeys/apikey/add/").status_code == 403
    assert operator.get(admin_path("apikeys", "apikey", api_key.pk, "delete")).status_code == 403
    operator.post(admin_path("apikeys", "apikey", api_key.pk), {"name": "renamed"})
    api_key.refresh_from_db()
    assert api_key.name == DEFAULT_KEY_NAME


def test_workspace_search_and_plan_filter(operator, tenant, other_tenant):
    Workspace.objects.filter(pk=other_tenant.workspace.pk).update(plan="free")
    searched = operator.get("/admin/workspaces/workspace/", {"q": "Globex"})
    assert list(searched.context["cl"].result_list) == [other_tenant.workspace]
    by_id = operator.get("/admin/workspaces/workspace/", {"q": tenant.workspace.pk})
    assert list(by_id.context["cl"].result_list) == [tenant.workspace]
    filtered = operator.get("/admin/workspaces/workspace/", {"plan__exact": "free"})
    assert list(filtered.context["cl"].result_list) == [other_tenant.workspace]


def test_key_changelist_filters_by_workspace(operator, tenant, other_tenant):
    response = operator.get("/admin/apikeys/apikey/", {"workspace__id__exact": other_tenant.workspace.pk})
    page = response.content.decode()
    other_hint = ApiKey.unscoped.get(workspace=other_tenant.workspace).key_hint
    own_hint = ApiKey.unscoped.get(workspace=tenant.workspace).key_hint
    assert other_hint in page and own_hint not in page


def revoke(operator, *keys):
    return operator.post(
        "/admin/apikeys/apikey/",
        {"action": "revoke", "_selected_action": [key.pk for key in keys]},
        follow=True,
    )


def test_revoke_action_revokes_and_the_key_stops_working(operator, tenant):
    spare = tenant.client_with_scopes("contacts:read")
    spare_key = ApiKey.unscoped.get(workspace=tenant.workspace, name="scoped")
    response = revoke(operator, spare_key)
    assert "Revoked 1 API key" in response.content.decode()
    spare_key.refresh_from_db()
    assert spare_key.revoked_at is not None
    assert spare.get("/v1/api-keys").status_code == 401


def test_revoke_action_reports_the_last_full_access_key_rule(operator, tenant):
    only_key = ApiKey.unscoped.get(workspace=tenant.workspace)
    response = revoke(operator, only_key)
    assert "last active" in response.content.decode()
    only_key.refresh_from_db()
    assert only_key.revoked_at is None
    assert tenant.api.get("/v1/workspace").status_code == 200


def test_workspace_created_in_admin_gets_its_default_content(operator):
    response = operator.post(
        "/admin/workspaces/workspace/add/",
        {"name": "Made by ops", "plan": "starter", "environment": "test"},
    )
    assert response.status_code == 302
    workspace = Workspace.objects.get(name="Made by ops")
    assert (workspace.plan, workspace.environment, workspace.is_suspended) == ("starter", "test", False)
    key = ApiKey.unscoped.get(workspace=workspace)
    assert key.name == DEFAULT_KEY_NAME and key.scopes == ["*"]
    assert key.key_hint.startswith("nds_test_")
    pipeline = Pipeline.unscoped.get(workspace=workspace)  # what every workspace starts with (§4)
    assert pipeline.name == "Sales Pipeline" and pipeline.is_default


def test_operator_changes_the_plan(operator, tenant):
    url = admin_path("workspaces", "workspace", tenant.workspace.pk)
    response = operator.post(url, {"name": "Acme", "plan": "scale", "is_suspended": ""})
    assert response.status_code == 302
    tenant.workspace.refresh_from_db()
    assert tenant.workspace.plan == "scale"
    body = tenant.api.get("/v1/billing/subscription").json()["data"]["attributes"]
    assert body["plan"] == "scale" and body["daily_limit"] == PLANS["scale"].daily_limit


def test_suspend_and_unsuspend_actions(operator, tenant, other_tenant):
    url = "/admin/workspaces/workspace/"
    operator.post(url, {"action": "suspend", "_selected_action": [tenant.workspace.pk]})
    response = tenant.api.get("/v1/workspace")
    assert response.status_code == 403 and response.json()["error"]["code"] == "WORKSPACE_SUSPENDED"
    assert other_tenant.api.get("/v1/workspace").status_code == 200
    operator.post(url, {"action": "unsuspend", "_selected_action": [tenant.workspace.pk]})
    assert tenant.api.get("/v1/workspace").status_code == 200


OWNED_ADMINS = [
    (model, model_admin)
    for model, model_admin in admin.site._registry.items()
    if issubclass(model, WorkspaceOwnedModel)
]


def admin_url(model, view: str) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")


@pytest.mark.parametrize("model,model_admin", OWNED_ADMINS, ids=lambda item: getattr(item, "__name__", ""))
def test_every_workspace_owned_admin_uses_the_base_and_its_pages_load(operator, superuser, tenant, model, model_admin):
    assert isinstance(model_admin, WorkspaceOwnedAdmin), f"{model.__name__}Admin must extend WorkspaceOwnedAdmin"
    with CaptureQueriesContext(connection) as queries:
        assert operator.get(admin_url(model, "changelist")).status_code == 200
    assert len(queries) <= 15
    request = RequestFactory().get("/admin/")
    request.user = superuser
    if model_admin.has_add_permission(request):
        assert operator.get(admin_url(model, "add")).status_code == 200
    row = model.unscoped.filter(workspace=tenant.workspace).first()
    if row is not None:
        response = operator.get(
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
        )
        assert response.status_code == 200


# -- the WorkspaceOwnedAdmin base, on a real relation (contact → company) ------------------


def test_admin_form_refuses_a_relation_to_another_workspace(operator, tenant, other_tenant):
    foreign = Company.unscoped.create(workspace=other_tenant.workspace, name="Globex Corp")
    response = operator.post(
        "/admin/crm/contact/add/",
        {"workspace": tenant.workspace.pk, "first_name": "Jane", "company": foreign.pk, "tags": "[]"},
    )
    assert response.status_code == 200  # the form again, with an error on `company`
    assert "company" in response.context["adminform"].form.errors
    assert not Contact.unscoped.exists()


def test_admin_form_accepts_a_relation_in_the_same_workspace(operator, tenant):
    own = Company.unscoped.create(workspace=tenant.workspace, name="Acme Corp")
    response = operator.post(
        "/admin/crm/contact/add/",
        {"workspace": tenant.workspace.pk, "first_name": "Jane", "company": own.pk, "tags": "[]"},
    )
    assert response.status_code == 302
    assert Contact.unscoped.get().company == own


def test_change_form_shows_the_related_label_and_keeps_the_workspace(operator, tenant, other_tenant):
    own = Company.unscoped.create(workspace=tenant.workspace, name="Acme Corp")
    contact = Contact.unscoped.create(workspace=tenant.workspace, first_name="Jane", company=own)
    url = admin_path("crm", "contact", contact.pk)
    page = operator.get(url)
    assert page.status_code == 200 and "Acme Corp" in page.content.decode()
    response = operator.post(
        url, {"workspace": other_tenant.workspace.pk, "first_name": "Janet", "company": own.pk, "tags": "[]"}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.first_name, contact.workspace_id) == ("Janet", tenant.workspace.pk)


def test_inline_rows_are_edited_inside_the_parents_workspace(operator, tenant, other_tenant):
    """Pipeline → stages: the inline formset reads and saves through the base's workspace handling."""
    pipeline = Pipeline.unscoped.get(workspace=tenant.workspace)
    url = admin_path("crm", "pipeline", pipeline.pk)
    page = operator.get(url)
    assert page.status_code == 200
    formset = page.context["inline_admin_formsets"][0].formset
    data = {"workspace": tenant.workspace.pk, "name": pipeline.name, "description": pipeline.description or ""}
    data.update({f"{formset.prefix}-{key}": value for key, value in formset.management_form.initial.items()})
    for index, form in enumerate(formset.forms):
        data[f"{formset.prefix}-{index}-id"] = form.instance.pk
        data[f"{formset.prefix}-{index}-pipeline"] = pipeline.pk
        data[f"{formset.prefix}-{index}-name"] = f"{form.instance.name} (edited)"
    response = operator.post(url, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    stages = Stage.unscoped.filter(pipeline=pipeline)
    assert stages and all(stage.name.endswith("(edited)") for stage in stages)
    assert {stage.workspace_id for stage in stages} == {tenant.workspace.pk}
    assert not Stage.unscoped.filter(workspace=other_tenant.workspace, name__endswith="(edited)").exists()
