"""Companies over HTTP: CRUD, domain normalization, limits, filters, sorts, cursors,
include=contact_count,contacts, delete detaching contacts, isolation, scopes, query budgets."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.models import Company, Contact
from crm.selectors.companies import INCLUDED_CONTACTS_LIMIT
from tests.crm.helpers import expected_order, ids, walk
from tests.helpers import error_code

URL = "/v1/companies"


def create(api, **body):
    response = api.post(URL, {"name": "Acme", **body})
    assert response.status_code == 201, response.content
    return response.json()["data"]


def field_error(response) -> str:
    assert response.status_code == 400, response.content
    return response.json()["error"]["details"][0]["field"]


# -- create, read, update, delete ---------------------------------------------------------


def test_create_get_patch_delete(tenant):
    response = tenant.api.post(
        URL, {"name": " Acme ", "domain": "acme.com", "industry": "Tools", "size": "11-50", "tags": ["B2B"]}
    )
    assert response.status_code == 201
    company = response.json()["data"]
    assert company["type"] == "company" and company["id"].startswith("co_")
    assert response["Location"] == f"{URL}/{company['id']}"
    expected = {"id": company["id"], "name": "Acme", "domain": "acme.com", "industry": "Tools", "size": "11-50"}
    assert company["attributes"].items() >= (expected | {"tags": ["b2b"]}).items()
    path = f"{URL}/{company['id']}"
    assert tenant.api.get(path).json()["data"] == company
    patched = tenant.api.patch(path, {"industry": None, "name": "Acme Inc"}).json()["data"]["attributes"]
    assert (patched["name"], patched["industry"], patched["domain"]) == ("Acme Inc", None, "acme.com")
    assert tenant.api.delete(path).status_code == 204
    assert tenant.api.get(path).status_code == 404
    assert not Company.unscoped.exists()


def test_not_found_message_names_the_resource(tenant):
    response = tenant.api.get(f"{URL}/co_aaaaaaaaaaaaaaaaaaaaa")
    assert response.status_code == 404 and response.json()["error"]["message"] == "Company not found"


# -- name and limits ----------------------------------------------------------------------


@pytest.mark.parametrize("body", [{}, {"name": None}, {"name": ""}, {"name": "   "}])
def test_name_is_required(tenant, body):
    response = tenant.api.post(URL, {**body, "domain": "acme.com"} if body else {"domain": "acme.com"})
    assert field_error(response) == "name" and not Company.unscoped.exists()


def test_name_cannot_be_cleared_by_patch(tenant):
    company = create(tenant.api)
    for value in (None, " "):
        assert field_error(tenant.api.patch(f"{URL}/{company['id']}", {"name": value})) == "name"
    assert Company.unscoped.get().name == "Acme"


@pytest.mark.parametrize(("field", "limit"), [("name", 200), ("industry", 100), ("size", 50)])
def test_text_length_boundaries(tenant, field, limit):
    assert create(tenant.api, **{field: "x" * limit})["attributes"][field] == "x" * limit
    assert field_error(tenant.api.post(URL, {"name": "Acme", field: "x" * (limit + 1)})) == field


# -- domain -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("acme.com", "acme.com"),
        ("  ACME.Com ", "acme.com"),
        ("https://www.acme.com/about?x=1#top", "acme.com"),
        ("http://Acme.com", "acme.com"),
        ("www.acme.co.uk/", "acme.co.uk"),
        ("acme.com.", "acme.com"),
        ("sub.acme.com", "sub.acme.com"),
        ("www.com", "www.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("", None),
        (None, None),
    ],
)
def test_domains_are_normalized(tenant, raw, stored):
    assert create(tenant.api, domain=raw)["attributes"]["domain"] == stored


@pytest.mark.parametrize(
    "raw",
    ["acme", "acme..com", "-acme.com", "acme-.com", "acme.com:8080", "jane@acme.com", "1.2.3.4", "a_b.com", "https://"],
)
def test_invalid_domains_are_a_400(tenant, raw):
    assert field_error(tenant.api.post(URL, {"name": "Acme", "domain": raw})) == "domain"


def test_domain_length_boundary(tenant):
    """≤ 255 characters as sent; what remains must also be a real DNS name (≤ 253)."""
    label = "a" * 63
    longest_name = ".".join([label, label, label, "b" * 61])  # 253 characters
    assert create(tenant.api, domain=f"{longest_name}.")["attributes"]["domain"] == longest_name  # 254 sent
    other_name = "c" + longest_name[1:]
    assert create(tenant.api, domain=f"{other_name}..")["attributes"]["domain"] == other_name  # 255 sent
    assert field_error(tenant.api.post(URL, {"name": "Acme", "domain": f"{longest_name}..."})) == "domain"  # 256
    assert field_error(tenant.api.post(URL, {"name": "Acme", "domain": f"a{longest_name}"})) == "domain"  # 254 name


def test_domain_is_unique_per_workspace_on_its_normalized_form(tenant, other_tenant):
    create(tenant.api, domain="acme.com")
    response = tenant.api.post(URL, {"name": "Other", "domain": "https://www.ACME.com/"})
    assert response.status_code == 409 and error_code(response) == "CONFLICT"
    assert response.json()["error"]["message"] == "A company with domain 'acme.com' already exists in this workspace"
    create(other_tenant.api, domain="acme.com")
    second = create(tenant.api, name="NoDomain")
    create(tenant.api, name="NoDomain either")
    response = tenant.api.patch(f"{URL}/{second['id']}", {"domain": "acme.com"})
    assert response.status_code == 409 and Company.unscoped.get(pk=second["id"]).domain is None


# -- filters, sorts, cursors ----------------------------------------------------------------


@pytest.fixture
def firms(tenant):
    rows = {
        "acme": dict(name="Acme Tools", domain="acme.com", industry="Hardware", size="11-50"),
        "globex": dict(name="Globex", domain="globex.io", industry="Software", size="51-200"),
        "initech": dict(name="Initech", domain=None, industry="software services", size="11-50"),
        "umbrella": dict(name="umbrella", domain="umbrella.com", industry=None, size=None),
    }
    return {name: Company.unscoped.create(workspace=tenant.workspace, **f).pk for name, f in rows.items()}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"name": "ACME"}, {"acme"}),
        ({"name": "e"}, {"acme", "globex", "initech", "umbrella"}),
        ({"domain": ".com"}, {"acme", "umbrella"}),
        ({"industry": "SOFTWARE"}, {"globex", "initech"}),
        ({"size": "11-50"}, {"acme", "initech"}),
        ({"size": "11"}, set()),
        ({"industry": "software", "size": "11-50"}, {"initech"}),
    ],
)
def test_filters(tenant, firms, params, expected):
    assert set(ids(tenant.api.get(URL, params))) == {firms[name] for name in expected}


def test_tags_filter(tenant):
    tagged = create(tenant.api, tags=["b2b", "eu"])
    create(tenant.api, name="Other", tags=["b2b"])
    assert ids(tenant.api.get(URL, {"tags": "EU,b2b"})) == [tagged["id"]]


@pytest.mark.parametrize("field", ["name", "domain"])
@pytest.mark.parametrize("descending", [False, True])
def test_sorts_put_nulls_last_and_break_ties_by_id(tenant, firms, field, descending):
    Company.unscoped.create(workspace=tenant.workspace, name="Globex")  # a tie on name, a null domain
    rows = list(Company.unscoped.values("id", "name", "domain"))
    sort = f"{'-' if descending else ''}{field}"
    expected = expected_order(rows, field, descending)
    assert ids(tenant.api.get(URL, {"sort": sort})) == expected
    assert walk(tenant.api, URL, {"sort": sort, "limit": 2}) == expected


def test_timestamp_sorts(tenant):
    first, second, third = (create(tenant.api, name=name)["id"] for name in ("a", "b", "c"))
    assert ids(tenant.api.get(URL)) == [third, second, first]
    tenant.api.patch(f"{URL}/{first}", {"size": "1"})
    assert ids(tenant.api.get(URL, {"sort": "-updated_at"}))[0] == first
    assert ids(tenant.api.get(URL, {"sort": "updated_at,name"}))[-1] == first
    assert tenant.api.get(URL, {"sort": "industry"}).status_code == 400


def test_a_cursor_walk_visits_every_row_once_under_inserts(tenant):
    for i in range(9):
        Company.unscoped.create(workspace=tenant.workspace, name=f"c{i}", domain=f"c{i}.com" if i % 3 else None)
    before = set(Company.unscoped.values_list("pk", flat=True))

    for sort in ("-created_at", "domain", "-domain"):

        def insert(page, sort=sort):
            Company.unscoped.create(workspace=tenant.workspace, name=f"late{page}", domain=f"late{page}{sort}.com")

        seen = walk(tenant.api, URL, {"sort": sort, "limit": 2}, between_pages=insert)
        assert len(seen) == len(set(seen)) and before <= set(seen)


# -- includes -------------------------------------------------------------------------------


def add_contacts(company, count: int, start=None):
    """`count` contacts with strictly increasing created_at (newest last)."""
    start = start or timezone.now() - timedelta(days=1)
    made = Contact.unscoped.bulk_create(
        Contact(workspace=company.workspace, company=company, first_name=f"p{i}") for i in range(count)
    )
    for i, contact in enumerate(made):
        Contact.unscoped.filter(pk=contact.pk).update(created_at=start + timedelta(seconds=i))
    return [contact.pk for contact in made]


def test_include_contact_count_and_contacts(tenant, other_tenant):
    acme = Company.unscoped.get(pk=create(tenant.api)["id"])
    empty = create(tenant.api, name="Empty")
    contacts = add_contacts(acme, 3)
    Contact.unscoped.create(workspace=tenant.workspace, first_name="Loner")
    foreign = Company.unscoped.create(workspace=other_tenant.workspace, name="Globex")
    add_contacts(foreign, 2)

    attributes = tenant.api.get(f"{URL}/{acme.pk}", {"include": "contact_count,contacts"}).json()["data"]["attributes"]
    assert attributes["contact_count"] == 3
    assert [c["id"] for c in attributes["contacts"]] == contacts[::-1]  # newest first
    embedded = attributes["contacts"][0]
    assert embedded["type"] == "contact" and embedded["attributes"]["company_id"] == acme.pk
    assert embedded == tenant.api.get(f"/v1/contacts/{contacts[-1]}").json()["data"]

    listed = {row["id"]: row["attributes"] for row in tenant.api.get(URL, {"include": "contact_count"}).json()["data"]}
    assert listed[empty["id"]]["contact_count"] == 0 and "contacts" not in listed[empty["id"]]
    listed = {row["id"]: row["attributes"] for row in tenant.api.get(URL, {"include": "contacts"}).json()["data"]}
    assert listed[empty["id"]]["contacts"] == [] and "contact_count" not in listed[acme.pk]


def test_included_contacts_stop_at_100_newest(tenant):
    acme = Company.unscoped.get(pk=create(tenant.api)["id"])
    contacts = add_contacts(acme, INCLUDED_CONTACTS_LIMIT + 5)
    page = tenant.api.get(URL, {"include": "contacts,contact_count"}).json()["data"]
    assert page[0]["attributes"]["contact_count"] == INCLUDED_CONTACTS_LIMIT + 5
    assert [c["id"] for c in page[0]["attributes"]["contacts"]] == contacts[::-1][:INCLUDED_CONTACTS_LIMIT]


def test_includes_are_validated_and_need_contacts_read(tenant):
    create(tenant.api)
    assert field_error(tenant.api.get(URL, {"include": "deals"})) == "include"
    reader = tenant.client_with_scopes("companies:read")
    assert reader.get(URL).status_code == 200
    for include in ("contacts", "contact_count"):
        response = reader.get(URL, {"include": include})
        assert response.status_code == 403 and "contacts:read" in response.json()["error"]["message"]
    both = tenant.client_with_scopes("companies:read", "contacts:read")
    assert both.get(URL, {"include": "contacts,contact_count"}).status_code == 200


def test_includes_cost_the_same_queries_for_1_and_100_companies(tenant, django_assert_num_queries):
    companies = Company.unscoped.bulk_create(Company(workspace=tenant.workspace, name=f"c{i}") for i in range(101))
    Contact.unscoped.bulk_create(
        Contact(workspace=tenant.workspace, company=company, first_name=f"p{i}")
        for company in companies
        for i in range(3)
    )
    params = {"include": "contact_count,contacts"}
    tenant.api.get(URL, {"limit": 1})  # warm-up: the key's last_used_at write happens at most once a minute
    with CaptureQueriesContext(connection) as one_row:
        assert len(tenant.api.get(URL, {**params, "limit": 1}).json()["data"]) == 1
    with django_assert_num_queries(len(one_row)):
        page = tenant.api.get(URL, {**params, "limit": 100}).json()["data"]
    assert len(page) == 100 and all(len(row["attributes"]["contacts"]) == 3 for row in page)


# -- delete detaches contacts -----------------------------------------------------------------


def test_deleting_a_company_sets_its_contacts_company_to_null(tenant):
    acme = Company.unscoped.get(pk=create(tenant.api)["id"])
    other = Company.unscoped.get(pk=create(tenant.api, name="Other")["id"])
    (attached,) = add_contacts(acme, 1)
    (kept,) = add_contacts(other, 1)
    before = Contact.unscoped.get(pk=attached).updated_at
    assert tenant.api.delete(f"{URL}/{acme.pk}").status_code == 204
    detached = Contact.unscoped.get(pk=attached)
    assert detached.company_id is None and detached.updated_at > before
    assert Contact.unscoped.get(pk=kept).company_id == other.pk
    assert tenant.api.get(f"/v1/contacts/{attached}").json()["data"]["attributes"]["company_id"] is None


# -- isolation and scopes -----------------------------------------------------------------------


def test_another_workspaces_companies_are_invisible(tenant, other_tenant):
    foreign = create(other_tenant.api, name="Globex", domain="globex.com")
    mine = create(tenant.api)
    path = f"{URL}/{foreign['id']}"
    assert tenant.api.get(path).status_code == 404
    assert tenant.api.patch(path, {"name": "Hacked"}).status_code == 404
    assert tenant.api.delete(path).status_code == 404
    assert Company.unscoped.get(pk=foreign["id"]).name == "Globex"
    assert ids(tenant.api.get(URL, {"include": "contact_count,contacts"})) == [mine["id"]]
    assert ids(tenant.api.get(URL, {"name": "glob"})) == []
    create(tenant.api, name="Mine too", domain="globex.com")  # the domain is free here


def test_included_contacts_and_counts_never_cross_workspaces(tenant, other_tenant):
    """Only a bug could link across workspaces; even then includes must not leak or count them."""
    mine = Company.unscoped.get(pk=create(tenant.api)["id"])
    Contact.unscoped.create(workspace=other_tenant.workspace, first_name="Spy", company=mine)
    attributes = tenant.api.get(f"{URL}/{mine.pk}", {"include": "contact_count,contacts"}).json()["data"]["attributes"]
    assert attributes["contact_count"] == 0 and attributes["contacts"] == []


def test_read_scope_cannot_write(tenant):
    company = create(tenant.api)
    reader = tenant.client_with_scopes("companies:read")
    assert reader.get(f"{URL}/{company['id']}").status_code == 200
    for response in (
        reader.post(URL, {"name": "X"}),
        reader.patch(f"{URL}/{company['id']}", {"name": "X"}),
        reader.delete(f"{URL}/{company['id']}"),
    ):
        assert response.status_code == 403 and error_code(response) == "INSUFFICIENT_SCOPE"
    assert Company.unscoped.get().name == "Acme"
    assert tenant.client_with_scopes("companies:write").post(URL, {"name": "Y"}).status_code == 201
    assert tenant.client_with_scopes("contacts:read").get(URL).status_code == 403
