"""Races and faults on PostgreSQL (contract §2): concurrent writers, a worker killed inside its
write transaction, and the database going away. Never a 500, never a partial or resurrected row.

Requests run through the real app in threads (each thread has its own database connection);
`transaction=True` so every request commits like in production.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connection, connections, transaction
from werkzeug.test import Client as WsgiClient

from crm.models import Activity, Contact, Deal, Pipeline, Stage
from customfields.models import CustomFieldValue
from tests.helpers import run_in_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROOT = Path(__file__).resolve().parent.parent


def statuses(responses) -> list[int]:
    return [response.status_code for response in responses]


def created(response) -> dict:
    assert response.status_code == 201, response.content
    return response.json()["data"]


# -- concurrent writers -------------------------------------------------------------------------


def test_concurrent_updates_of_one_record_leave_one_consistent_row(tenant):
    contact = created(tenant.api.post("/v1/contacts", {"first_name": "Start"}))
    path = f"/v1/contacts/{contact['id']}"
    names = [f"Writer {index}" for index in range(THREADS)]
    responses = run_in_parallel(*[lambda name=name: tenant.api.patch(path, {"first_name": name}) for name in names])
    assert statuses(responses) == [200] * THREADS
    row = Contact.unscoped.get(pk=contact["id"])
    assert row.first_name in names  # the last write won, whole
    assert tenant.api.get(path).json()["data"]["attributes"]["first_name"] == row.first_name


def test_concurrent_updates_of_different_fields_all_land(tenant):
    """Each PATCH writes only its own fields: no writer loses another's change."""
    contact = created(tenant.api.post("/v1/contacts", {"first_name": "Start"}))
    path = f"/v1/contacts/{contact['id']}"
    fields = ["first_name", "last_name", "title", "source", "phone"]
    responses = run_in_parallel(
        *[lambda field=field: tenant.api.patch(path, {field: f"new {field}"}) for field in fields]
    )
    assert statuses(responses) == [200] * len(fields)
    row = Contact.unscoped.get(pk=contact["id"])
    assert {field: getattr(row, field) for field in fields} == {field: f"new {field}" for field in fields}


def test_concurrent_metadata_merges_all_land(tenant):
    """PATCH merges `metadata` one level deep: parallel merges of different keys must all stick."""
    activity = created(tenant.api.post("/v1/activities", {"type": "note", "metadata": {"start": 1}}))
    path = f"/v1/activities/{activity['id']}"
    keys = [f"k{index}" for index in range(THREADS)]
    responses = run_in_parallel(*[lambda key=key: tenant.api.patch(path, {"metadata": {key: key}}) for key in keys])
    assert statuses(responses) == [200] * THREADS
    assert Activity.unscoped.get(pk=activity["id"]).metadata == {"start": 1, **{key: key for key in keys}}


def test_concurrent_delete_and_updates_never_500_nor_resurrect(tenant):
    tenant.api.post("/v1/custom-fields", {"entity_type": "contact", "name": "Code", "field_type": "text"})
    for _ in range(3):
        contact = created(tenant.api.post("/v1/contacts", {"first_name": "Doomed"}))
        path = f"/v1/contacts/{contact['id']}"
        calls = [lambda path=path: tenant.api.delete(path)] + [
            lambda path=path, index=index: tenant.api.patch(
                path, {"first_name": f"Late {index}", "custom_fields": {"code": "x"}}
            )
            for index in range(THREADS - 1)
        ]
        codes = statuses(run_in_parallel(*calls))
        assert codes[0] == 204, codes
        assert set(codes[1:]) <= {200, 404}, codes
        assert not Contact.unscoped.filter(pk=contact["id"]).exists()
        assert not CustomFieldValue.unscoped.filter(contact_id=contact["id"]).exists()
        assert tenant.api.get(path).status_code == 404


def delete_held_open(model, pk, release: threading.Event, deleted: threading.Event):
    """In another connection: delete the row and keep the transaction open until `release`."""
    try:
        with transaction.atomic():
            model.unscoped.filter(pk=pk).delete()
            deleted.set()
            release.wait(10)
    finally:
        connection.close()


@pytest.mark.parametrize(
    "method,suffix,body",
    [
        ("patch", "", {"first_name": "Late"}),
        ("patch", "", {"custom_fields": {"code": "late"}}),
        ("put", "/custom-fields", {"fields": {"code": "late"}}),
    ],
)
def test_a_write_that_waits_on_a_committing_delete_is_a_404(tenant, method, suffix, body):
    """The write looked the record up before the delete committed and then waited on its row lock:
    it finds nothing to update. Was a 500 (`save(update_fields)` raised) or a 409 (values
    inserted for a deleted record)."""
    tenant.api.post("/v1/custom-fields", {"entity_type": "contact", "name": "Code", "field_type": "text"})
    contact = created(tenant.api.post("/v1/contacts", {"first_name": "Doomed"}))
    release, deleted = threading.Event(), threading.Event()
    deleter = threading.Thread(target=delete_held_open, args=(Contact, contact["id"], release, deleted))
    deleter.start()
    assert deleted.wait(10)
    threading.Timer(0.5, release.set).start()  # commit the delete while the write waits on the lock
    response = getattr(tenant.api, method)(f"/v1/contacts/{contact['id']}{suffix}", body)
    deleter.join()
    assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND", response.content
    assert response.json()["error"]["message"] == "Contact not found"
    assert not Contact.unscoped.filter(pk=contact["id"]).exists()
    assert not CustomFieldValue.unscoped.filter(contact_id=contact["id"]).exists()


def test_racing_stage_moves_keep_positions_dense(tenant):
    pipeline = created(tenant.api.post("/v1/pipelines", {"name": "Race"}))
    stage_ids = [stage["id"] for stage in pipeline["attributes"]["stages"]]
    base = f"/v1/pipelines/{pipeline['id']}/stages"
    for round_number in range(3):
        positions = [(index * 7 + round_number) % len(stage_ids) for index in range(len(stage_ids))]
        moves = [
            lambda stage_id=stage_id, position=position: tenant.api.patch(f"{base}/{stage_id}", {"position": position})
            for stage_id, position in zip(stage_ids, positions, strict=True)
        ]
        adds = [lambda name=f"New {round_number}": tenant.api.post(base, {"name": name, "position": 1})]
        codes = statuses(run_in_parallel(*moves, *adds))
        assert set(codes) <= {200, 201}, codes
        positions = sorted(Stage.unscoped.filter(pipeline_id=pipeline["id"]).values_list("position", flat=True))
        assert positions == list(range(len(positions)))
    listed = tenant.api.get(base, {"limit": 100}).json()["data"]
    assert [stage["attributes"]["position"] for stage in listed] == list(range(len(listed)))


def test_pipeline_deletion_racing_deal_creation_is_consistent(tenant):
    outcomes = set()
    for _ in range(4):
        pipeline = created(tenant.api.post("/v1/pipelines", {"name": "Doomed"}))
        body = {"title": "Racer", "pipeline_id": pipeline["id"]}
        responses = run_in_parallel(
            lambda pipeline=pipeline: tenant.api.delete(f"/v1/pipelines/{pipeline['id']}"),
            *[lambda body=body: tenant.api.post("/v1/deals", body) for _ in range(THREADS - 1)],
        )
        delete, creates = responses[0].status_code, statuses(responses[1:])
        exists = Pipeline.unscoped.filter(pk=pipeline["id"]).exists()
        deals = Deal.unscoped.filter(pipeline_id=pipeline["id"]).count()
        if delete == 204:  # deleted first: every deal after it is refused, none is orphaned
            assert not exists and deals == 0 and set(creates) == {422}, creates
        else:  # a deal got in first: the delete is refused and every 201 is a real row
            assert delete == 409 and exists and deals == creates.count(201) >= 1, (delete, creates)
            assert set(creates) <= {201, 422}
        outcomes.add(delete)
    assert outcomes <= {204, 409}


# -- a worker killed inside its write transaction -------------------------------------------------

KILLED_WORKER = """
import os, signal, sys
import django
django.setup()
from rest_framework.test import APIClient
from nodestash.viewsets import ResourceViewSet

original = ResourceViewSet.after_save

def after_save_then_die(self, serializer, instance):
    original(self, serializer, instance)  # the record and its custom field values are written
    print("written", instance.pk, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # the worker dies before the transaction commits

ResourceViewSet.after_save = after_save_then_die
client = APIClient()
client.post(sys.argv[2], {"first_name": "Half", "custom_fields": {"code": "x"}}, format="json",
            HTTP_AUTHORIZATION=f"Bearer {sys.argv[1]}")
print("survived", flush=True)
"""


def database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_a_worker_killed_inside_its_write_transaction_leaves_no_partial_record(tenant):
    tenant.api.post("/v1/custom-fields", {"entity_type": "contact", "name": "Code", "field_type": "text"})
    before = (Contact.unscoped.count(), CustomFieldValue.unscoped.count())
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "tests.settings"}
    env["PYTHONPATH"] = str(ROOT)
    worker = subprocess.run(
        [sys.executable, "-c", KILLED_WORKER, tenant.key, "/v1/contacts"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert worker.returncode == -signal.SIGKILL, worker.stderr[-2000:]
    assert "written ct_" in worker.stdout and "survived" not in worker.stdout
    half_written = worker.stdout.split("written ", 1)[1].split()[0]
    assert not Contact.unscoped.filter(pk=half_written).exists()
    assert (Contact.unscoped.count(), CustomFieldValue.unscoped.count()) == before
    assert tenant.api.post("/v1/contacts", {"first_name": "Whole"}).status_code == 201  # and life goes on


# -- the database unavailable ---------------------------------------------------------------------


def wsgi_get(path: str, key: str):
    """Through Django's real WSGI handler, which closes broken connections after a request (the
    test client switches that off)."""
    response = WsgiClient(get_wsgi_application()).get(path, headers={"Authorization": f"Bearer {key}"})
    return response.status_code, response.headers, response.get_data(as_text=True)


def assert_unavailable(status, headers, text):
    assert status == 503, text
    assert headers["Retry-After"].isdigit() and int(headers["Retry-After"]) >= 1
    assert '"code":"SERVICE_UNAVAILABLE"' in text.replace(" ", "") and '"request_id":"req_' in text.replace(" ", "")
    for internal in (
        "Traceback",
        "psycopg",
        "OperationalError",
        "connection",
        "5432",
        settings.DATABASES["default"]["NAME"],
    ):
        assert internal not in text, internal


def test_a_terminated_database_connection_is_a_503_then_recovers(tenant):
    assert wsgi_get("/v1/contacts", tenant.key)[0] == 200
    backend_pid = connection.connection.info.backend_pid
    admin = connections.create_connection("default")
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
    finally:
        admin.close()
    time.sleep(0.2)
    assert_unavailable(*wsgi_get("/v1/contacts", tenant.key))
    assert wsgi_get("/v1/contacts", tenant.key)[0] == 200  # the broken connection was dropped


def test_an_unreachable_database_is_a_503_then_recovers(tenant):
    assert wsgi_get("/v1/contacts", tenant.key)[0] == 200
    settings_dict = connection.settings_dict
    real_port = settings_dict["PORT"]
    connection.close()
    settings_dict["PORT"] = "1"  # nothing listens there: connection refused
    try:
        assert_unavailable(*wsgi_get("/v1/contacts", tenant.key))
        assert_unavailable(*wsgi_get("/v1/workspace", tenant.key))
    finally:
        connection.close()
        settings_dict["PORT"] = real_port
    assert wsgi_get("/v1/contacts", tenant.key)[0] == 200
