"""The operator admin for contacts and companies: bounded list queries, the API's
normalization on save, and deletes that detach references like the API's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Company, Contact
from tests.helpers import admin_path, make_tenant

CHANGELISTS = ("/admin/crm/contact/", "/admin/crm/company/")


def seed(workspace, count: int) -> None:
    for index in range(count):
        company = Company.unscoped.create(workspace=workspace, name=f"c{index}")
        Contact.unscoped.create(workspace=workspace, first_name=f"p{index}", company=company)


def changelist_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", CHANGELISTS)
def test_changelist_queries_do_not_grow_with_rows(operator, tenant, url):
    seed(tenant.workspace, 2)
    before = changelist_queries(operator, url)
    seed(make_tenant("Other").workspace, 10)
    assert changelist_queries(operator, url) == before


@pytest.mark.parametrize("url", CHANGELISTS)
def test_changelist_filters_by_workspace(operator, tenant, other_tenant, url):
    seed(tenant.workspace, 1)
    seed(other_tenant.workspace, 1)
    response = operator.get(url, {"workspace__id__exact": tenant.workspace.pk})
    assert response.status_code == 200 and response.context["cl"].result_count == 1


def test_adding_a_contact_normalizes_like_the_api(operator, tenant):
    response = operator.post(
        "/admin/crm/contact/add/",
        {"workspace": tenant.workspace.pk, "email": " Jane@ACME.com ", "tags": '["VIP", "vip "]'},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    contact = Contact.unscoped.get()
    assert (contact.email, contact.tags, contact.first_name) == ("jane@acme.com", ["vip"], None)


def test_an_invalid_domain_is_a_form_error(operator, tenant):
    response = operator.post(
        "/admin/crm/company/add/",
        {"workspace": tenant.workspace.pk, "name": "Acme", "domain": "not a domain", "tags": "[]"},
    )
    assert response.status_code == 200 and "domain" in response.context["adminform"].form.errors
    assert not Company.unscoped.filter(workspace=tenant.workspace).exists()


def test_a_duplicate_domain_is_a_form_error_not_a_crash(operator, tenant):
    Company.unscoped.create(workspace=tenant.workspace, name="Acme", domain="acme.com")
    response = operator.post(
        "/admin/crm/company/add/",
        {"workspace": tenant.workspace.pk, "name": "Copy", "domain": "www.ACME.com", "tags": "[]"},
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert Company.unscoped.filter(workspace=tenant.workspace).count() == 1


def test_deleting_a_company_in_the_admin_detaches_its_contacts(operator, tenant):
    company = Company.unscoped.create(workspace=tenant.workspace, name="Acme")
    contact = Contact.unscoped.create(workspace=tenant.workspace, first_name="Ann", company=company)
    response = operator.post(admin_path("crm", "company", company.pk, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not Company.unscoped.filter(pk=company.pk).exists()
    assert Contact.unscoped.get(pk=contact.pk).company_id is None


def test_change_form_opens(operator, tenant):
    company = Company.unscoped.create(workspace=tenant.workspace, name="Acme")
    contact = Contact.unscoped.create(workspace=tenant.workspace, first_name="Ann", company=company)
    assert operator.get(admin_path("crm", "contact", contact.pk)).status_code == 200
    assert operator.get(admin_path("crm", "company", company.pk)).status_code == 200
