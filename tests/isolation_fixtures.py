"""Populated workspaces and database snapshots for the isolation, bad-input and secrets proofs.

`populate(tenant, marker)` creates, through the API, one of every resource (two of each listed
one, so every list can make a cursor): companies, contacts, a pipeline with stages, deals,
activities, custom field definitions for every entity type with values on every record, and an
API key. Every text it stores contains `marker`, so a response that leaks the workspace's data
can be caught by searching for the marker.

`snapshot()` reads every row of every table our apps own (plus users), so a test can prove a
request changed nothing: compare the snapshot before and after.
"""

import itertools
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model

from nodestash.ids import ID_RANDOM_LENGTH, generate_id
from tests.helpers import Tenant
from workspaces.ratelimit.clock import use_clock

OUR_APPS = ("workspaces", "apikeys", "crm", "customfields")
# Columns that legitimately change when a request is only read: a key's use is recorded.
VOLATILE = {("apikeys", "apikey"): {"last_used_at"}}

PREFIXES = {
    "company": "co",
    "contact": "ct",
    "pipeline": "pp",
    "stage": "ps",
    "deal": "dl",
    "activity": "act",
    "custom_field": "cf",
    "custom_field_value": "cfv",
    "api_key": "key",
}
KIND_OF_PREFIX = {prefix: kind for kind, prefix in PREFIXES.items()}
ENTITY_TYPES = ("contact", "company", "deal", "activity")
CF_SLUG = "code"  # one text custom field per entity type, the same slug in every workspace


@contextmanager
def unthrottled():
    """A rate-limiter clock that moves 10 ms per request. The catalogs send thousands of
    requests as fast as the machine allows; they test input handling and isolation, not the
    burst limit (500 a second on the enterprise plan), which tests/test_rate_limits.py owns."""
    ticks = itertools.count()
    start = time.time()
    with use_clock(lambda: start + next(ticks) * 0.01):
        yield


def missing_id(kind: str) -> str:
    """A well-formed id of `kind` that exists nowhere."""
    return f"{PREFIXES[kind]}_{'Z' * ID_RANDOM_LENGTH}"


@dataclass
class World:
    """A populated workspace: `ids[kind]` is the main record of each kind, `extra[kind]` a second."""

    tenant: Tenant
    marker: str
    ids: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    stage_ids: list[str] = field(default_factory=list)

    @property
    def api(self):
        return self.tenant.api

    def all_ids(self) -> set[str]:
        return {*self.ids.values(), *self.extra.values(), *self.stage_ids, self.tenant.workspace.pk}


def _created(response) -> dict:
    assert response.status_code == 201, response.content
    return response.json()["data"]


def _cf_value(marker: str, entity: str) -> dict:
    return {CF_SLUG: f"{marker}-{entity}-code"}


def populate(tenant: Tenant, marker: str) -> World:
    world = World(tenant=tenant, marker=marker)
    api, ids = tenant.api, world.ids
    for entity in ENTITY_TYPES:
        body = {"entity_type": entity, "name": "Code", "slug": CF_SLUG, "field_type": "text"}
        ids.setdefault("custom_field", _created(api.post("/v1/custom-fields", body))["id"])
    body = {"entity_type": "deal", "name": f"{marker} tier", "field_type": "select", "options": ["gold", "silver"]}
    world.extra["custom_field"] = _created(api.post("/v1/custom-fields", body))["id"]

    for key, name in (("company", f"{marker} Corp"), ("extra_company", f"{marker} Other")):
        body = {"name": name, "domain": f"{key.replace('_', '-')}.{marker.lower()}.example", "tags": [marker]}
        created = _created(api.post("/v1/companies", {**body, "custom_fields": _cf_value(marker, "company")}))
        (ids if key == "company" else world.extra)["company"] = created["id"]

    for key, first in (("contact", "Main"), ("extra", "Second")):
        body = {
            "email": f"{first.lower()}@{marker.lower()}.example",
            "first_name": f"{marker} {first}",
            "company_id": ids["company"],
            "tags": [marker],
            "custom_fields": _cf_value(marker, "contact"),
        }
        (ids if key == "contact" else world.extra)["contact"] = _created(api.post("/v1/contacts", body))["id"]

    stages = [
        {"name": f"{marker} open", "type": "open"},
        {"name": "Won", "type": "won"},
        {"name": "Lost", "type": "lost"},
    ]
    pipeline = _created(api.post("/v1/pipelines", {"name": f"{marker} pipeline", "stages": stages}))
    ids["pipeline"] = pipeline["id"]
    world.stage_ids = [stage["id"] for stage in pipeline["attributes"]["stages"]]
    ids["stage"] = world.stage_ids[0]
    extra_stage = _created(api.post(f"/v1/pipelines/{ids['pipeline']}/stages", {"name": f"{marker} extra"}))
    world.extra["stage"] = extra_stage["id"]
    default = api.get("/v1/pipelines", {"sort": "created_at", "limit": 1}).json()["data"][0]
    world.extra["pipeline"] = default["id"]

    deal = {
        "title": f"{marker} deal",
        "value": "1000.00",
        "pipeline_id": ids["pipeline"],
        "stage_id": ids["stage"],
        "contact_id": ids["contact"],
        "company_id": ids["company"],
        "tags": [marker],
        "custom_fields": _cf_value(marker, "deal"),
    }
    ids["deal"] = _created(api.post("/v1/deals", deal))["id"]
    world.extra["deal"] = _created(api.post("/v1/deals", {"title": f"{marker} default-pipeline deal"}))["id"]

    activity = {
        "type": "note",
        "subject": f"{marker} note",
        "body": f"{marker} body",
        "contact_id": ids["contact"],
        "company_id": ids["company"],
        "deal_id": ids["deal"],
        "metadata": {"marker": marker},
        "tags": [marker],
        "custom_fields": _cf_value(marker, "activity"),
    }
    ids["activity"] = _created(api.post("/v1/activities", activity))["id"]
    world.extra["activity"] = _created(api.post("/v1/activities", {"type": "task", "subject": marker}))["id"]

    ids["api_key"] = _created(api.post("/v1/api-keys", {"name": f"{marker} key", "scopes": ["contacts:read"]}))["id"]
    values = api.get(f"/v1/contacts/{ids['contact']}/custom-fields").json()["data"]
    ids["custom_field_value"] = values[0]["id"]
    return world


# -- database snapshots -----------------------------------------------------------------------


def snapshot_models() -> list:
    models = [model for model in apps.get_models() if model._meta.app_label in OUR_APPS and model._meta.managed]
    return [*models, get_user_model()]


def _manager(model):
    return getattr(model, "unscoped", None) or model._base_manager


def snapshot(workspace_id: str | None = None) -> dict[str, list[dict]]:
    """Every row of our tables as plain values (only `workspace_id`'s rows when given)."""
    rows = {}
    for model in snapshot_models():
        skip = VOLATILE.get((model._meta.app_label, model._meta.model_name), set())
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        queryset = _manager(model).all()
        if workspace_id is not None:
            if "workspace_id" in names:
                queryset = queryset.filter(workspace_id=workspace_id)
            elif model._meta.label == "workspaces.Workspace":
                queryset = queryset.filter(pk=workspace_id)
            else:
                continue
        rows[model._meta.label] = sorted(queryset.values(*names), key=lambda row: str(row[names[0]]))
    return rows


def row_counts() -> dict[str, int]:
    return {model._meta.label: _manager(model).count() for model in snapshot_models()}


def new_id(kind: str) -> str:
    return generate_id(PREFIXES[kind])
