"""PostgreSQL can serve every contact/company list order, cursor page and exact filter
from an index, without sorting.

The tables get a few thousand rows spread over many workspaces and fresh statistics first:
on empty tables with stale statistics the planner's choice between equally cheap plans is
arbitrary, which made these checks depend on the order tests ran in.
"""

import pytest
from django.db import connection

from crm.models import Company, Contact
from nodestash.sorting import parse_sort
from workspaces.models import Workspace

pytestmark = pytest.mark.postgres

WORKSPACES = 20
ROWS_PER_WORKSPACE = 150


@pytest.fixture(autouse=True)
def populated_tables(tenant):
    workspaces = [tenant.workspace, *Workspace.objects.bulk_create(Workspace(name=f"w{i}") for i in range(WORKSPACES))]
    companies, contacts = [], []
    for w, workspace in enumerate(workspaces):
        for i in range(ROWS_PER_WORKSPACE):
            companies.append(Company(workspace=workspace, name=f"Company {i}", domain=f"c{w}-{i}.example", size="1-10"))
            contacts.append(
                Contact(workspace=workspace, email=f"p{w}-{i}@example.com", first_name=f"P{i}", source="api")
            )
    Company.unscoped.bulk_create(companies)
    Contact.unscoped.bulk_create(contacts)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Company._meta.db_table}")
        cursor.execute(f"ANALYZE {Contact._meta.db_table}")


def plan(queryset) -> str:
    """The plan with sequential scans and explicit sorts priced out: what remains shows whether
    an index can deliver the rows in order (a Sort node stays only when none can), rather than
    which of two cheap plans the statistics happen to favour on small tables."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    return queryset.explain()


def page(model, workspace, sort: str, **filters):
    return parse_sort(sort, (sort.removeprefix("-"),)).apply(model.unscoped.filter(workspace=workspace, **filters))[:26]


@pytest.mark.parametrize(
    ("model", "sort", "index"),
    [
        (Contact, "-created_at", "crm_ct_ws_created"),
        (Contact, "created_at", "crm_ct_ws_created"),
        (Contact, "-updated_at", "crm_ct_ws_updated"),
        (Contact, "email", "crm_ct_ws_email"),
        (Contact, "-email", "crm_contact_email_desc_nl"),
        (Contact, "first_name", "crm_ct_ws_first_name"),
        (Contact, "-first_name", "crm_contact_first_name_desc_nl"),
        (Contact, "last_name", "crm_ct_ws_last_name"),
        (Contact, "-last_name", "crm_contact_last_name_desc_nl"),
        (Company, "-created_at", "crm_co_ws_created"),
        (Company, "name", "crm_co_ws_name"),
        (Company, "-name", "crm_co_ws_name"),
        (Company, "domain", "crm_co_ws_domain"),
        (Company, "-domain", "crm_company_domain_desc_nl"),
    ],
)
def test_each_sort_reads_an_index_in_order(tenant, model, sort, index):
    explained = plan(page(model, tenant.workspace, sort))
    assert index in explained and "Sort" not in explained, explained


@pytest.mark.parametrize(
    ("model", "filters", "index"),
    [
        (Contact, {"source": "web"}, "crm_ct_ws_source"),
        (Contact, {"company_id": "<the first company>"}, "crm_ct_ws_company"),
        (Company, {"size": "11-50"}, "crm_co_ws_size"),
    ],
)
def test_exact_filters_with_the_default_sort_read_one_index(tenant, model, filters, index):
    if "company_id" in filters:
        filters = {"company_id": Company.unscoped.get(workspace=tenant.workspace, name="Company 0").pk}
    explained = plan(page(model, tenant.workspace, "-created_at", **filters))
    assert index in explained and "Sort" not in explained, explained


@pytest.mark.parametrize("model", [Contact, Company])
def test_the_tags_lookup_can_use_the_gin_index(model):
    # With the workspace too the planner picks by statistics (it may AND both indexes).
    explained = plan(model.unscoped.filter(tags__has_all=["vip"]))
    assert f"{model._meta.db_table}_tags_gin" in explained, explained
