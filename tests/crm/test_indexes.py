"""PostgreSQL can serve every contact/company list order, cursor page and exact filter
from an index, without sorting (seq scans are switched off so tiny tables still show it)."""

import pytest
from django.db import connection

from crm.models import Company, Contact
from nodestash.sorting import parse_sort

pytestmark = pytest.mark.postgres


def plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
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
        (Contact, {"company_id": "co_aaaaaaaaaaaaaaaaaaaaa"}, "crm_ct_ws_company"),
        (Company, {"size": "11-50"}, "crm_co_ws_size"),
    ],
)
def test_exact_filters_with_the_default_sort_read_one_index(tenant, model, filters, index):
    explained = plan(page(model, tenant.workspace, "-created_at", **filters))
    assert index in explained and "Sort" not in explained, explained


@pytest.mark.parametrize("model", [Contact, Company])
def test_the_tags_lookup_can_use_the_gin_index(model):
    # With the workspace too the planner picks by statistics (it may AND both indexes).
    explained = plan(model.unscoped.filter(tags__has_all=["vip"]))
    assert f"{model._meta.db_table}_tags_gin" in explained, explained
