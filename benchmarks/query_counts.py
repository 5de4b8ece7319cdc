"""How many SQL queries each benchmarked request makes, and whether that number moves.

The contract's target: no request's query count depends on the page size or on the number of
custom fields. This seeds a small workspace inside a transaction that is rolled back, asks
each request through Django's test client in its variants (limit 1 and 100; a record with no
custom field values and one with all of them; 10 definitions and 2; a create or PATCH with 5
custom fields and with 10), and counts the queries.

`make bench` runs `print_counts` against the benchmark database (in a process of its own with
Django set up); the test suite asserts the counts are flat.
"""

import io
import json

from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks.seeding import Seeder, SeedSizes
from crm.models import Contact
from customfields.models import CustomFieldDefinition
from workspaces.services import workspace_create

PROBE_SIZES = SeedSizes(contacts=150, companies=10, deals=150, activities=0, seed=11)
LISTS = {
    "contacts list": "/v1/contacts?limit={limit}",
    "contacts list, include=company": "/v1/contacts?limit={limit}&include=company",
    "cf. range filter": "/v1/contacts?limit={limit}&cf.lead_score.gte=10",
    "text filter": "/v1/contacts?limit={limit}&last_name=e",
    "deals list, include=all": "/v1/deals?limit={limit}&include=contact,company,pipeline,stage",
}
KEPT_DEFINITIONS = 2
# Writes with custom fields of every kind: the first five, then all ten definitions.
FIVE_FIELDS = {
    "lead_score": 42,
    "tier": "gold",
    "newsletter": True,
    "last_contacted": "2026-01-15",
    "interests": ["ai"],
}
TEN_FIELDS = {
    **FIVE_FIELDS,
    "annual_revenue": 125000,
    "linkedin": "https://www.linkedin.com/in/probe",
    "assistant_email": "assistant@example.com",
    "mobile": "+49 170 1234567",
    "nickname": "probe",
}


class _Rollback(Exception):
    pass


def _count(client: Client, path: str, method: str = "get", body: dict | None = None) -> int:
    extra = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, secure=True, **extra)
    if response.status_code >= 300:
        raise RuntimeError(f"{method} {path} answered {response.status_code}: {response.content[:300]!r}")
    return len(queries)


def _write_counts(client: Client, workspace) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {"contact create": {}, "contact PATCH": {}}
    for label, fields in (("5 custom fields", FIVE_FIELDS), ("10 custom fields", TEN_FIELDS)):
        body = {"email": f"probe-{len(fields)}@example.com", "custom_fields": fields}
        counts["contact create"][label] = _count(client, "/v1/contacts", "post", body)
        contact = Contact.unscoped.get(workspace=workspace, email=body["email"])
        changed = {slug: value for slug, value in TEN_FIELDS.items() if slug in fields}
        changed["lead_score"] = 7
        counts["contact PATCH"][label] = _count(
            client, f"/v1/contacts/{contact.pk}", "patch", {"title": "Probe", "custom_fields": changed}
        )
    return counts


def _contacts_by_value_count(workspace) -> tuple[str, str]:
    """(a contact with no custom field values, one with the most)."""
    counted = Contact.unscoped.filter(workspace=workspace).annotate(values=Count("custom_field_values"))
    return counted.order_by("values", "id").first().pk, counted.order_by("-values", "id").first().pk


def measure() -> dict[str, dict[str, int]]:
    """{request: {variant: query count}}; leaves the database as it found it."""
    counts: dict[str, dict[str, int]] = {}
    try:
        with transaction.atomic():
            workspace, _, key = workspace_create(name="Query count probe", plan="enterprise")
            Seeder(workspace, PROBE_SIZES, stream=io.StringIO()).run()
            client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {key}")
            client.get("/v1/contacts?limit=1", secure=True)  # the key's once-a-minute last_used_at write
            for name, path in LISTS.items():
                counts[name] = {f"limit {limit}": _count(client, path.format(limit=limit)) for limit in (1, 100)}
            bare, full = _contacts_by_value_count(workspace)
            counts["contact get"] = {
                "no custom field values": _count(client, f"/v1/contacts/{bare}"),
                "10 custom field values": _count(client, f"/v1/contacts/{full}"),
            }
            counts |= _write_counts(client, workspace)
            counts["contacts list"]["10 definitions, limit 25"] = _count(client, "/v1/contacts?limit=25")
            definitions = CustomFieldDefinition.unscoped.filter(workspace=workspace).order_by("display_order")
            CustomFieldDefinition.unscoped.filter(pk__in=[d.pk for d in definitions[KEPT_DEFINITIONS:]]).delete()
            counts["contacts list"][f"{KEPT_DEFINITIONS} definitions, limit 25"] = _count(
                client, "/v1/contacts?limit=25"
            )
            raise _Rollback
    except _Rollback:
        pass
    return counts


def flat(counts: dict[str, dict[str, int]]) -> bool:
    return all(len(set(variants.values())) == 1 for variants in counts.values())


def print_counts() -> None:
    print(json.dumps(measure()))
