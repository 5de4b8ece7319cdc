"""Activities over HTTP: CRUD, every field limit, completed_at following is_done, metadata
size and merge rules, filters, sorts (due_date with nulls last), cursors, isolation and
scopes (contract §5, §8)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from crm.models import Activity, Company, Contact, Deal, Pipeline, Stage
from tests.crm.helpers import expected_order, ids, walk
from tests.helpers import error_code

URL = "/v1/activities"


def create(api, **body):
    response = api.post(URL, {"type": "note", **body})
    assert response.status_code == 201, response.content
    return response.json()["data"]


def make_deal(workspace):
    pipeline = Pipeline.unscoped.get(workspace=workspace, is_default=True)
    return Deal.unscoped.create(
        workspace=workspace, title="D", pipeline=pipeline, stage=Stage.unscoped.filter(pipeline=pipeline).first()
    )


def patch(api, activity, body):
    response = api.patch(f"{URL}/{activity['id']}", body)
    assert response.status_code == 200, response.content
    return response.json()["data"]["attributes"]


def metadata_of_size(size: int) -> dict:
    """A metadata object whose compact JSON is exactly `size` bytes."""
    overhead = len(json.dumps({"k": ""}, separators=(",", ":")))
    return {"k": "x" * (size - overhead)}


# -- create, read, update, delete ---------------------------------------------------------


def test_create_with_every_field(tenant):
    contact = Contact.unscoped.create(workspace=tenant.workspace, email="jane@acme.com")
    company = Company.unscoped.create(workspace=tenant.workspace, name="Acme")
    deal = make_deal(tenant.workspace)
    response = tenant.api.post(
        URL,
        {
            "type": "meeting",
            "subject": "Kick-off",
            "body": "Agenda\n",
            "contact_id": contact.pk,
            "company_id": company.pk,
            "deal_id": deal.pk,
            "owner_id": "user-1",
            "due_date": "2026-03-01T09:00:00Z",
            "metadata": {"room": "A", "seats": 4},
            "tags": ["Onsite"],
        },
    )
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["type"] == "activity" and data["id"].startswith("act_")
    assert response["Location"] == f"/v1/activities/{data['id']}"
    attributes = data["attributes"]
    assert attributes["type"] == "meeting" and attributes["subject"] == "Kick-off" and attributes["body"] == "Agenda\n"
    assert (attributes["contact_id"], attributes["company_id"], attributes["deal_id"]) == (
        contact.pk,
        company.pk,
        deal.pk,
    )
    assert attributes["owner_id"] == "user-1" and attributes["due_date"] == "2026-03-01T09:00:00Z"
    assert attributes["is_done"] is False and attributes["completed_at"] is None
    assert attributes["metadata"] == {"room": "A", "seats": 4} and attributes["tags"] == ["onsite"]
    assert Activity.unscoped.get(pk=data["id"]).workspace_id == tenant.workspace.pk


def test_minimal_activity_and_defaults(tenant):
    attributes = create(tenant.api)["attributes"]
    assert attributes["subject"] is None and attributes["body"] is None and attributes["metadata"] == {}
    assert attributes["due_date"] is None and attributes["tags"] == []


def test_get_patch_delete(tenant):
    activity = create(tenant.api, subject="Call back")
    path = f"{URL}/{activity['id']}"
    assert tenant.api.get(path).json()["data"] == activity
    attributes = patch(tenant.api, activity, {"subject": None, "type": "call"})
    assert attributes["subject"] is None and attributes["type"] == "call"
    assert tenant.api.delete(path).status_code == 204
    assert tenant.api.get(path).status_code == 404
    assert not Activity.unscoped.filter(pk=activity["id"]).exists()


def test_deleting_linked_records_unlinks_the_activity(tenant):
    contact = Contact.unscoped.create(workspace=tenant.workspace, email="jane@acme.com")
    company = Company.unscoped.create(workspace=tenant.workspace, name="Acme")
    deal = make_deal(tenant.workspace)
    activity = create(tenant.api, contact_id=contact.pk, company_id=company.pk, deal_id=deal.pk)
    for path in (f"/v1/contacts/{contact.pk}", f"/v1/companies/{company.pk}", f"/v1/deals/{deal.pk}"):
        assert tenant.api.delete(path).status_code == 204
    row = Activity.unscoped.get(pk=activity["id"])
    assert (row.contact_id, row.company_id, row.deal_id) == (None, None, None)


# -- validation limits ---------------------------------------------------------------------


@pytest.mark.parametrize("type_", ["note", "task", "email", "call", "meeting", "custom"])
def test_every_type_is_accepted(tenant, type_):
    assert create(tenant.api, type=type_)["attributes"]["type"] == type_


@pytest.mark.parametrize("body", [{}, {"type": "sms"}, {"type": None}, {"type": "Note"}])
def test_type_is_required_and_from_the_list(tenant, body):
    response = tenant.api.post(URL, {"subject": "x", **body} if body else {"subject": "x"})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "type"
    assert not Activity.unscoped.exists()


@pytest.mark.parametrize(
    ("field", "limit"),
    [("subject", 500), ("body", 100_000), ("owner_id", 100)],
)
def test_text_limits(tenant, field, limit):
    assert len(create(tenant.api, **{field: "x" * limit})["attributes"][field]) == limit
    response = tenant.api.post(URL, {"type": "note", field: "x" * (limit + 1)})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == field


def test_metadata_size_limit_at_the_boundary(tenant):
    assert create(tenant.api, metadata=metadata_of_size(16 * 1024))
    response = tenant.api.post(URL, {"type": "note", "metadata": metadata_of_size(16 * 1024 + 1)})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "metadata"
    assert Activity.unscoped.count() == 1


def test_metadata_size_counts_utf8_bytes(tenant):
    overhead = len(json.dumps({"k": ""}, separators=(",", ":")))
    too_big = {"k": "é" * ((16 * 1024 - overhead) // 2 + 1)}  # fewer characters than bytes
    assert tenant.api.post(URL, {"type": "note", "metadata": too_big}).status_code == 400


@pytest.mark.parametrize("metadata", [[], "text", 5, True])
def test_metadata_must_be_an_object(tenant, metadata):
    response = tenant.api.post(URL, {"type": "note", "metadata": metadata})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "metadata"


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-01T00:00:00Z", 12])
def test_due_date_must_be_a_datetime(tenant, value):
    response = tenant.api.post(URL, {"type": "task", "due_date": value})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "due_date"


def test_unknown_fields_are_refused(tenant):
    response = tenant.api.post(URL, {"type": "note", "done": True})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "done"


# -- completed_at --------------------------------------------------------------------------


def test_completed_at_is_set_when_done_turns_true_and_cleared_when_false(tenant):
    activity = create(tenant.api, type="task")
    before = timezone.now()
    done = patch(tenant.api, activity, {"is_done": True})
    completed = datetime.fromisoformat(done["completed_at"].replace("Z", "+00:00"))
    assert done["is_done"] is True and before - timedelta(seconds=1) <= completed <= timezone.now()
    again = patch(tenant.api, activity, {"is_done": True, "subject": "Still done"})
    assert again["completed_at"] == done["completed_at"]  # no new time while it stays done
    undone = patch(tenant.api, activity, {"is_done": False})
    assert undone["is_done"] is False and undone["completed_at"] is None


def test_given_completed_at_is_kept(tenant):
    created = create(tenant.api, type="task", is_done=True, completed_at="2026-01-02T03:04:05Z")
    assert created["attributes"]["completed_at"] == "2026-01-02T03:04:05Z"
    done_now = create(tenant.api, type="task", is_done=True)
    assert done_now["attributes"]["completed_at"] is not None
    moved = patch(tenant.api, done_now, {"completed_at": "2026-02-01T00:00:00Z"})
    assert moved["completed_at"] == "2026-02-01T00:00:00Z"
    activity = create(tenant.api, type="task")
    both = patch(tenant.api, activity, {"is_done": True, "completed_at": "2025-12-31T23:00:00Z"})
    assert both["completed_at"] == "2025-12-31T23:00:00Z"


def test_completed_at_without_done_is_refused(tenant):
    response = tenant.api.post(URL, {"type": "task", "completed_at": "2026-01-02T03:04:05Z"})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "completed_at"
    activity = create(tenant.api, type="task")
    response = tenant.api.patch(f"{URL}/{activity['id']}", {"completed_at": "2026-01-02T03:04:05Z"})
    assert response.status_code == 400
    done = create(tenant.api, type="task", is_done=True)
    response = tenant.api.patch(f"{URL}/{done['id']}", {"completed_at": None})
    assert response.status_code == 400
    assert Activity.unscoped.get(pk=done["id"]).completed_at is not None


# -- metadata merge ------------------------------------------------------------------------


def test_patch_merges_metadata_one_level_and_null_removes_a_key(tenant):
    activity = create(tenant.api, metadata={"a": 1, "b": {"x": 1}, "c": "keep", "n": None})
    assert activity["attributes"]["metadata"] == {"a": 1, "b": {"x": 1}, "c": "keep"}
    merged = patch(tenant.api, activity, {"metadata": {"a": 2, "b": {"y": 2}, "c": None, "d": [1]}})
    assert merged["metadata"] == {"a": 2, "b": {"y": 2}, "d": [1]}  # one level: "b" is replaced
    untouched = patch(tenant.api, activity, {"subject": "No metadata change"})
    assert untouched["metadata"] == merged["metadata"]
    cleared = patch(tenant.api, activity, {"metadata": None})
    assert cleared["metadata"] == {}


def test_a_merge_that_grows_past_the_limit_is_refused(tenant):
    activity = create(tenant.api, metadata={"first": "x" * 9000})
    response = tenant.api.patch(f"{URL}/{activity['id']}", {"metadata": {"second": "y" * 9000}})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "metadata"
    assert Activity.unscoped.get(pk=activity["id"]).metadata == {"first": "x" * 9000}
    swapped = patch(tenant.api, activity, {"metadata": {"first": None, "second": "y" * 9000}})
    assert swapped["metadata"] == {"second": "y" * 9000}


# -- references ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "make"),
    [
        ("contact_id", lambda ws: Contact.unscoped.create(workspace=ws, email="x@y.com").pk),
        ("company_id", lambda ws: Company.unscoped.create(workspace=ws, name="Other").pk),
        ("deal_id", lambda ws: make_deal(ws).pk),
    ],
)
def test_foreign_references_are_unprocessable(tenant, other_tenant, field, make):
    foreign = make(other_tenant.workspace)
    response = tenant.api.post(URL, {"type": "note", field: foreign})
    assert response.status_code == 422 and error_code(response) == "UNPROCESSABLE_ENTITY"
    activity = create(tenant.api)
    assert tenant.api.patch(f"{URL}/{activity['id']}", {field: foreign}).status_code == 422
    malformed = tenant.api.post(URL, {"type": "note", field: "ct_short"})
    assert malformed.status_code == 400 and malformed.json()["error"]["details"][0]["field"] == field
    assert Activity.unscoped.count() == 1
    assert patch(tenant.api, activity, {field: None})[field] is None


def test_another_workspaces_activity_is_not_found(tenant, other_tenant):
    theirs = create(other_tenant.api, subject="Secret")
    path = f"{URL}/{theirs['id']}"
    assert tenant.api.get(path).status_code == 404
    assert tenant.api.patch(path, {"subject": "Mine"}).status_code == 404
    assert tenant.api.delete(path).status_code == 404
    assert Activity.unscoped.get(pk=theirs["id"]).subject == "Secret"
    assert ids(tenant.api.get(URL)) == []


# -- filters ---------------------------------------------------------------------------------


def test_filters(tenant, other_tenant):
    contact = Contact.unscoped.create(workspace=tenant.workspace, email="jane@acme.com")
    company = Company.unscoped.create(workspace=tenant.workspace, name="Acme")
    deal = make_deal(tenant.workspace)
    note = create(tenant.api, contact_id=contact.pk, tags=["a", "b"])["id"]
    task = create(tenant.api, type="task", company_id=company.pk, is_done=True, tags=["a"])["id"]
    call = create(tenant.api, type="call", deal_id=deal.pk)["id"]
    their_deal = make_deal(other_tenant.workspace)
    create(other_tenant.api, deal_id=their_deal.pk)

    def listed(**params):
        return set(ids(tenant.api.get(URL, params)))

    assert listed(type="task") == {task}
    assert listed(contact_id=contact.pk) == {note}
    assert listed(company_id=company.pk) == {task}
    assert listed(deal_id=deal.pk) == {call}
    assert listed(deal_id=their_deal.pk) == set()
    assert listed(is_done="true") == {task}
    assert listed(is_done="false") == {note, call}
    assert listed(tags="a") == {note, task}
    assert listed(tags="a,B") == {note}
    assert listed(type="note", tags="b") == {note}


@pytest.mark.parametrize(
    ("param", "value"),
    [("type", "sms"), ("is_done", "yes"), ("is_done", "1"), ("deal_id", "ct_000000000000000000000"), ("due", "x")],
)
def test_bad_filter_values_are_refused(tenant, param, value):
    response = tenant.api.get(URL, {param: value})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == param


# -- sorts and cursors ------------------------------------------------------------------------


@pytest.mark.parametrize("descending", [False, True])
def test_due_date_sort_puts_nulls_last_and_breaks_ties_by_id(tenant, descending):
    dues = [None, "2026-05-01T10:00:00Z", "2026-05-01T10:00:00Z", "2026-01-01T00:00:00Z", None, "2027-01-01T00:00:00Z"]
    for due in dues:
        create(tenant.api, **({"due_date": due} if due else {}))
    rows = [{"id": a.pk, "due_date": a.due_date} for a in Activity.unscoped.filter(workspace=tenant.workspace)]
    expected = expected_order(rows, "due_date", descending)
    sort = "-due_date" if descending else "due_date"
    assert ids(tenant.api.get(URL, {"sort": sort, "limit": 100})) == expected
    assert walk(tenant.api, URL, {"sort": sort, "limit": 2}) == expected


@pytest.mark.parametrize("sort", ["created_at", "-updated_at", "due_date"])
def test_cursor_walks_visit_every_activity_once_under_inserts(tenant, sort):
    for i in range(7):
        create(tenant.api, due_date=(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=i % 3)).isoformat())
    before = set(Activity.unscoped.values_list("pk", flat=True))
    seen = walk(tenant.api, URL, {"sort": sort, "limit": 3}, between_pages=lambda page: create(tenant.api))
    assert len(seen) == len(set(seen)) and before <= set(seen)


def test_unknown_sort_is_refused(tenant):
    response = tenant.api.get(URL, {"sort": "subject"})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "sort"


# -- scopes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "scopes", "status"),
    [
        ("get", ("activities:read",), 200),
        ("get", ("deals:read", "contacts:read"), 403),
        ("post", ("activities:read",), 403),
        ("post", ("activities:write",), 201),
    ],
)
def test_scopes(tenant, method, scopes, status):
    api = tenant.client_with_scopes(*scopes)
    response = api.get(URL) if method == "get" else api.post(URL, {"type": "note"})
    assert response.status_code == status
    if status == 403:
        assert error_code(response) == "INSUFFICIENT_SCOPE"
