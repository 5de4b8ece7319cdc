"""Contacts over HTTP: CRUD, validation limits, filters, sorts, cursors, include=company,
isolation, scopes and query budgets (contract §5, §8)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Company, Contact
from tests.crm.helpers import expected_order, ids, walk
from tests.helpers import error_code

URL = "/v1/contacts"


def create(api, **body):
    response = api.post(URL, body)
    assert response.status_code == 201, response.content
    return response.json()["data"]


def make_company(workspace, **fields):
    return Company.unscoped.create(workspace=workspace, **{"name": "Acme", **fields})


def email_of_length(length: int) -> str:
    """A valid address of exactly `length` characters (labels kept ≤ 63)."""
    local = "a" * 64
    domain_length = length - len(local) - 1
    labels, remaining = [], domain_length - 4  # room for ".com"
    while remaining > 0:
        label = min(63, remaining)
        if remaining - label == 1:  # never leave a lone dot
            label -= 1
        labels.append("b" * label)
        remaining -= label + 1
    address = f"{local}@{'.'.join(labels)}.com"
    assert len(address) == length, len(address)
    return address


# -- create, read, update, delete ---------------------------------------------------------


def test_create_returns_the_resource_with_a_location(tenant):
    company = make_company(tenant.workspace)
    response = tenant.api.post(
        URL,
        {
            "email": "  Jane@ACME.com ",
            "first_name": " Jane ",
            "last_name": "Doe",
            "phone": "+1 555",
            "company_id": company.pk,
            "title": "CTO",
            "source": "web",
            "tags": ["VIP"],
        },
    )
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["type"] == "contact" and data["id"].startswith("ct_") and data["attributes"]["id"] == data["id"]
    assert response["Location"] == f"/v1/contacts/{data['id']}"
    attributes = data["attributes"]
    assert attributes["email"] == "jane@acme.com"
    assert attributes["first_name"] == "Jane"
    assert attributes["company_id"] == company.pk
    assert attributes["tags"] == ["vip"]
    assert attributes["created_at"].endswith("Z")
    stored = Contact.unscoped.get(pk=data["id"])
    assert (stored.workspace_id, stored.email, stored.company_id) == (tenant.workspace.pk, "jane@acme.com", company.pk)


def test_optional_fields_default_to_null_and_blank_text_is_stored_as_null(tenant):
    attributes = create(tenant.api, first_name="Ann", title="   ", email="")["attributes"]
    assert attributes["email"] is None and attributes["title"] is None and attributes["company_id"] is None
    assert attributes["tags"] == []
    assert Contact.unscoped.get(pk=attributes["id"]).title is None


def test_get_patch_and_delete(tenant):
    contact = create(tenant.api, first_name="Ann", source="web")
    path = f"{URL}/{contact['id']}"
    assert tenant.api.get(path).json()["data"] == contact

    response = tenant.api.patch(path, {"last_name": "Lee", "source": None})
    assert response.status_code == 200
    attributes = response.json()["data"]["attributes"]
    assert (attributes["first_name"], attributes["last_name"], attributes["source"]) == ("Ann", "Lee", None)
    assert attributes["updated_at"] > contact["attributes"]["updated_at"]

    assert tenant.api.delete(path).status_code == 204
    assert tenant.api.get(path).status_code == 404
    assert not Contact.unscoped.filter(pk=contact["id"]).exists()


def test_patch_sets_and_clears_the_company(tenant):
    company = make_company(tenant.workspace)
    contact = create(tenant.api, first_name="Ann")
    path = f"{URL}/{contact['id']}"
    assert tenant.api.patch(path, {"company_id": company.pk}).json()["data"]["attributes"]["company_id"] == company.pk
    assert tenant.api.patch(path, {"company_id": None}).json()["data"]["attributes"]["company_id"] is None
    assert Contact.unscoped.get(pk=contact["id"]).company_id is None


@pytest.mark.parametrize("path", ["/v1/contacts/ct_nope", "/v1/contacts/co_aaaaaaaaaaaaaaaaaaaaa", "/v1/contacts/x"])
def test_malformed_or_unknown_ids_are_not_found(tenant, path):
    response = tenant.api.get(path)
    assert response.status_code == 404 and response.json()["error"]["message"] == "Contact not found"


def test_unknown_body_fields_and_query_parameters_are_refused(tenant):
    response = tenant.api.post(URL, {"first_name": "Ann", "nickname": "A"})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "nickname"
    assert tenant.api.get(URL, {"colour": "red"}).status_code == 400
    assert not Contact.unscoped.filter(workspace=tenant.workspace).exists()


# -- email --------------------------------------------------------------------------------


def test_email_is_unique_per_workspace_on_its_normalized_form(tenant, other_tenant):
    create(tenant.api, email="jane@acme.com")
    response = tenant.api.post(URL, {"email": " JANE@acme.COM"})
    assert response.status_code == 409 and error_code(response) == "CONFLICT"
    assert (
        response.json()["error"]["message"] == "A contact with email 'jane@acme.com' already exists in this workspace"
    )
    assert Contact.unscoped.filter(workspace=tenant.workspace).count() == 1
    create(other_tenant.api, email="jane@acme.com")  # another workspace may have it


def test_patching_to_a_taken_email_is_a_conflict_that_changes_nothing(tenant):
    create(tenant.api, email="jane@acme.com")
    other = create(tenant.api, email="john@acme.com", first_name="John")
    path = f"{URL}/{other['id']}"
    response = tenant.api.patch(path, {"email": "Jane@acme.com", "first_name": "Johnny"})
    assert response.status_code == 409
    stored = Contact.unscoped.get(pk=other["id"])
    assert (stored.email, stored.first_name) == ("john@acme.com", "John")
    assert tenant.api.patch(path, {"email": "JOHN@acme.com"}).status_code == 200  # its own email is fine


def test_many_contacts_may_have_no_email(tenant):
    create(tenant.api, first_name="Ann")
    create(tenant.api, first_name="Bob", email=None)
    assert Contact.unscoped.filter(email__isnull=True).count() == 2


@pytest.mark.parametrize("email", ["not-an-email", "jane@", "@acme.com", "jane@acme..com", "ja ne@acme.com"])
def test_invalid_emails_are_refused(tenant, email):
    response = tenant.api.post(URL, {"email": email})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "email"


def test_email_length_boundary(tenant):
    assert create(tenant.api, email=email_of_length(254))["attributes"]["email"] == email_of_length(254)
    response = tenant.api.post(URL, {"email": email_of_length(255)})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "email"


# -- field limits -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "limit"), [("first_name", 100), ("last_name", 100), ("phone", 50), ("title", 200), ("source", 100)]
)
def test_text_length_boundaries(tenant, field, limit):
    body = {"email": "a@b.co"}
    assert create(tenant.api, **body, **{field: "x" * limit})["attributes"][field] == "x" * limit
    response = tenant.api.post(URL, {"email": "c@d.co", field: "x" * (limit + 1)})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == field
    # the limit applies after trimming
    assert create(tenant.api, email="e@f.co", **{field: f"  {'y' * limit}  "})["attributes"][field] == "y" * limit


@pytest.mark.parametrize("field", ["email", "first_name", "last_name", "phone"])
def test_any_one_identifying_field_is_enough(tenant, field):
    value = "ann@acme.com" if field == "email" else "Ann"
    assert create(tenant.api, **{field: value})["attributes"][field] == value


@pytest.mark.parametrize(
    "body", [{}, {"title": "CTO", "source": "web"}, {"email": None, "first_name": "  "}, {"tags": ["a"]}]
)
def test_a_contact_needs_one_identifying_field(tenant, body):
    response = tenant.api.post(URL, body)
    assert response.status_code == 400 and error_code(response) == "VALIDATION_ERROR"
    assert "at least one of email, first_name, last_name, phone" in response.json()["error"]["message"]
    assert not Contact.unscoped.filter(workspace=tenant.workspace).exists()


def test_a_patch_may_not_clear_the_last_identifying_field(tenant):
    contact = create(tenant.api, first_name="Ann", phone="123")
    path = f"{URL}/{contact['id']}"
    assert tenant.api.patch(path, {"phone": None}).status_code == 200
    response = tenant.api.patch(path, {"first_name": None, "title": "CTO"})
    assert response.status_code == 400
    stored = Contact.unscoped.get(pk=contact["id"])
    assert (stored.first_name, stored.title) == ("Ann", None)
    assert tenant.api.patch(path, {"first_name": None, "email": "ann@acme.com"}).status_code == 200


def test_nul_characters_are_refused(tenant):
    response = tenant.api.post(URL, {"first_name": "An\u0000n"})
    assert response.status_code == 400 and not Contact.unscoped.filter(workspace=tenant.workspace).exists()


# -- company_id ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["acme", "ct_aaaaaaaaaaaaaaaaaaaaa", 12, ["co_x"]])
def test_a_malformed_company_id_is_a_400(tenant, value):
    response = tenant.api.post(URL, {"first_name": "Ann", "company_id": value})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "company_id"


def test_an_unknown_or_foreign_company_id_is_a_422(tenant, other_tenant):
    foreign = make_company(other_tenant.workspace)
    for company_id in ("co_aaaaaaaaaaaaaaaaaaaaa", foreign.pk):
        response = tenant.api.post(URL, {"first_name": "Ann", "company_id": company_id})
        assert response.status_code == 422 and error_code(response) == "UNPROCESSABLE_ENTITY"
    contact = create(tenant.api, first_name="Ann")
    response = tenant.api.patch(f"{URL}/{contact['id']}", {"company_id": foreign.pk})
    assert response.status_code == 422
    assert Contact.unscoped.get(pk=contact["id"]).company_id is None


# -- filters ------------------------------------------------------------------------------


@pytest.fixture
def people(tenant):
    acme = make_company(tenant.workspace, name="Acme")
    globex = make_company(tenant.workspace, name="Globex")
    rows = {
        "jane": dict(email="jane.doe@acme.com", first_name="Jane", last_name="Doe", company=acme, source="web"),
        "john": dict(email="john@globex.com", first_name="John", last_name="Doeson", company=globex, source="Web"),
        "anna": dict(email=None, first_name="Anna", last_name="Smith", company=None, source="event"),
        "zed": dict(email="zed@example.org", first_name=None, last_name=None, company=acme, source=None),
    }
    contacts = {name: Contact.unscoped.create(workspace=tenant.workspace, **f).pk for name, f in rows.items()}
    return contacts, acme, globex


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"email": "ACME"}, {"jane"}),
        ({"email": "@"}, {"jane", "john", "zed"}),
        ({"first_name": "jan"}, {"jane"}),
        ({"first_name": "N"}, {"jane", "john", "anna"}),
        ({"last_name": "doe"}, {"jane", "john"}),
        ({"last_name": "%"}, set()),
        ({"source": "web"}, {"jane"}),
        ({"source": "Web"}, {"john"}),
        ({"source": "we"}, set()),
        ({"last_name": "doe", "source": "web"}, {"jane"}),
    ],
)
def test_filters(tenant, people, params, expected):
    contacts, _, _ = people
    assert set(ids(tenant.api.get(URL, params))) == {contacts[name] for name in expected}


def test_company_id_filter(tenant, other_tenant, people):
    contacts, acme, _ = people
    assert set(ids(tenant.api.get(URL, {"company_id": acme.pk}))) == {contacts["jane"], contacts["zed"]}
    foreign = make_company(other_tenant.workspace)
    Contact.unscoped.create(workspace=other_tenant.workspace, first_name="Spy", company=foreign)
    assert ids(tenant.api.get(URL, {"company_id": foreign.pk})) == []
    assert ids(tenant.api.get(URL, {"company_id": "co_aaaaaaaaaaaaaaaaaaaaa"})) == []
    response = tenant.api.get(URL, {"company_id": "acme"})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "company_id"


def test_created_window_filters(tenant, people):
    contacts, _, _ = people
    zed = Contact.unscoped.get(pk=contacts["zed"])
    after = ids(tenant.api.get(URL, {"created_after": zed.created_at.isoformat()}))
    assert contacts["zed"] in after
    assert contacts["zed"] not in ids(tenant.api.get(URL, {"created_before": zed.created_at.isoformat()}))
    assert tenant.api.get(URL, {"created_after": "yesterday"}).status_code == 400


# -- sorting and cursors ------------------------------------------------------------------


def rows_of(workspace):
    return list(Contact.unscoped.filter(workspace=workspace).values("id", "email", "first_name", "last_name"))


@pytest.mark.parametrize("field", ["email", "first_name", "last_name"])
@pytest.mark.parametrize("descending", [False, True])
def test_sorts_put_nulls_last_and_break_ties_by_id(tenant, people, field, descending):
    # ties: two more contacts sharing a value, and another null
    Contact.unscoped.create(workspace=tenant.workspace, email="tie1@x.io", first_name="Jane", last_name="Doe")
    Contact.unscoped.create(workspace=tenant.workspace, email="tie2@x.io", first_name="Jane", last_name="Doe")
    Contact.unscoped.create(workspace=tenant.workspace, phone="1")
    expected = expected_order(rows_of(tenant.workspace), field, descending)
    sort = f"{'-' if descending else ''}{field}"
    assert ids(tenant.api.get(URL, {"sort": sort})) == expected
    assert walk(tenant.api, URL, {"sort": sort, "limit": 2}) == expected


def test_default_sort_is_newest_first(tenant):
    created = [create(tenant.api, first_name=f"p{i}")["id"] for i in range(3)]
    assert ids(tenant.api.get(URL)) == created[::-1]
    assert ids(tenant.api.get(URL, {"sort": "created_at"})) == created


def test_updated_at_sort_follows_the_last_change(tenant):
    first, second = (create(tenant.api, first_name=name)["id"] for name in ("a", "b"))
    tenant.api.patch(f"{URL}/{first}", {"title": "CTO"})
    assert ids(tenant.api.get(URL, {"sort": "-updated_at"})) == [first, second]


@pytest.mark.parametrize("sort", ["-created_at", "email", "-first_name"])
def test_a_cursor_walk_visits_every_row_once_under_inserts(tenant, sort):
    for i in range(7):
        Contact.unscoped.create(
            workspace=tenant.workspace, first_name=f"n{i % 3}", email=f"e{i}@x.io" if i % 2 else None
        )

    def insert(page):
        Contact.unscoped.create(workspace=tenant.workspace, first_name=f"late{page}", email=f"late{page}@x.io")

    before = set(Contact.unscoped.values_list("pk", flat=True))
    seen = walk(tenant.api, URL, {"sort": sort, "limit": 2}, between_pages=insert)
    assert len(seen) == len(set(seen))
    assert before <= set(seen) <= set(Contact.unscoped.values_list("pk", flat=True))


def test_unknown_sort_and_bad_limit_are_400(tenant):
    assert tenant.api.get(URL, {"sort": "phone"}).status_code == 400
    assert tenant.api.get(URL, {"limit": "101"}).status_code == 400


# -- include=company ----------------------------------------------------------------------


def test_include_company_on_get_and_list(tenant):
    company = make_company(tenant.workspace, domain="acme.com")
    with_company = create(tenant.api, first_name="Ann", company_id=company.pk)
    without = create(tenant.api, first_name="Bob")
    embedded = tenant.api.get(f"{URL}/{with_company['id']}", {"include": "company"}).json()["data"]["attributes"]
    assert embedded["company"] == {
        "id": company.pk,
        "type": "company",
        "attributes": tenant.api.get(f"/v1/companies/{company.pk}").json()["data"]["attributes"],
    }
    listed = {row["id"]: row["attributes"] for row in tenant.api.get(URL, {"include": "company"}).json()["data"]}
    assert listed[with_company["id"]]["company"]["id"] == company.pk
    assert listed[without["id"]]["company"] is None
    assert "company" not in tenant.api.get(URL).json()["data"][0]["attributes"]


def test_include_is_validated_and_needs_companies_read(tenant):
    assert tenant.api.get(URL, {"include": "deals"}).status_code == 400
    response = tenant.api.post(f"{URL}?include=company", {"first_name": "Ann"})
    assert (
        response.status_code == 400 and not Contact.unscoped.filter(workspace=tenant.workspace).exists()
    )  # includes are for reads
    contacts_only = tenant.client_with_scopes("contacts:read")
    assert contacts_only.get(URL).status_code == 200
    response = contacts_only.get(URL, {"include": "company"})
    assert response.status_code == 403 and error_code(response) == "INSUFFICIENT_SCOPE"
    assert "companies:read" in response.json()["error"]["message"]
    assert (
        tenant.client_with_scopes("contacts:read", "companies:read").get(URL, {"include": "company"}).status_code == 200
    )


def test_include_company_costs_the_same_queries_for_1_and_100_rows(tenant, django_assert_num_queries):
    company = make_company(tenant.workspace)
    Contact.unscoped.bulk_create(
        Contact(workspace=tenant.workspace, first_name=f"p{i}", company=company if i % 2 else None) for i in range(100)
    )
    tenant.api.get(URL, {"limit": 1})  # warm-up: the key's last_used_at write happens at most once a minute
    with CaptureQueriesContext(connection) as one_row:
        assert len(tenant.api.get(URL, {"limit": 1, "include": "company"}).json()["data"]) == 1
    with django_assert_num_queries(len(one_row)):
        assert len(tenant.api.get(URL, {"limit": 100, "include": "company"}).json()["data"]) == 100


# -- isolation and scopes -----------------------------------------------------------------


def test_another_workspaces_contacts_are_invisible(tenant, other_tenant):
    foreign_company = make_company(other_tenant.workspace)
    foreign = create(other_tenant.api, first_name="Spy", email="spy@globex.com", company_id=foreign_company.pk)
    mine = create(tenant.api, first_name="Ann")
    path = f"{URL}/{foreign['id']}"
    assert tenant.api.get(path).status_code == 404
    assert tenant.api.patch(path, {"first_name": "Hacked"}).status_code == 404
    assert tenant.api.delete(path).status_code == 404
    assert Contact.unscoped.get(pk=foreign["id"]).first_name == "Spy"
    assert ids(tenant.api.get(URL, {"include": "company"})) == [mine["id"]]
    assert ids(tenant.api.get(URL, {"email": "spy"})) == []
    # the same email is free in this workspace
    create(tenant.api, email="spy@globex.com")


def test_a_foreign_cursor_is_refused(tenant, other_tenant):
    for i in range(3):
        create(other_tenant.api, first_name=f"p{i}")
    cursor = other_tenant.api.get(URL, {"limit": 1}).json()["meta"]["pagination"]["next_cursor"]
    assert tenant.api.get(URL, {"limit": 1, "cursor": cursor}).status_code == 400


def test_an_included_company_from_another_workspace_is_never_shown(tenant, other_tenant):
    """Only a bug could link across workspaces; even then the include must not leak."""
    foreign_company = make_company(other_tenant.workspace, name="Globex secret")
    contact = Contact.unscoped.create(workspace=tenant.workspace, first_name="Ann", company=foreign_company)
    attributes = tenant.api.get(f"{URL}/{contact.pk}", {"include": "company"}).json()["data"]["attributes"]
    assert attributes["company"] is None


def test_read_scope_cannot_write(tenant):
    contact = create(tenant.api, first_name="Ann")
    reader = tenant.client_with_scopes("contacts:read")
    assert reader.get(f"{URL}/{contact['id']}").status_code == 200
    for response in (
        reader.post(URL, {"first_name": "Bob"}),
        reader.patch(f"{URL}/{contact['id']}", {"first_name": "Bob"}),
        reader.delete(f"{URL}/{contact['id']}"),
    ):
        assert response.status_code == 403 and error_code(response) == "INSUFFICIENT_SCOPE"
    assert Contact.unscoped.get(pk=contact["id"]).first_name == "Ann"
    writer = tenant.client_with_scopes("contacts:write")
    assert writer.post(URL, {"first_name": "Bob"}).status_code == 201
    assert tenant.client_with_scopes("companies:read").get(URL).status_code == 403
