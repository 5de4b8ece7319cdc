"""The requests `make bench` measures, and the fixtures they are built from.

Reads also run against the floor (same paths, except the deep cursor, which is each app's
own); writes run on the API only.
"""

import json
from dataclasses import dataclass, field
from urllib.parse import quote

CF_RANGE = "cf.lead_score.gte=90"
TEXT_FILTER = "last_name=son"
DEAL_INCLUDES = "contact,company,pipeline,stage"
CREATE_BODY = {
    "email": "bench-{n}@example.com",
    "first_name": "Bench",
    "last_name": "Mark",
    "title": "Load tester",
    "source": "benchmark",
    "tags": ["benchmark"],
    "custom_fields": {
        "lead_score": 42,
        "tier": "gold",
        "newsletter": True,
        "last_contacted": "2026-01-15",
        "interests": ["ai", "security"],
    },
}
PATCH_BODY = {"title": "Head of Benchmarks {n}", "custom_fields": {"lead_score": 77}}


@dataclass(frozen=True)
class Fixtures:
    """What the scenarios need from the seeded data."""

    contact_ids: list[str]
    company_id: str
    deep_rows: int
    api_deep_cursor: str
    floor_deep_cursor: str


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    paths: list[str]
    floor_paths: list[str] | None = None  # None: not served by the floor
    mode: str = "get"
    body: dict = field(default_factory=dict)

    @property
    def body_template(self) -> str:
        return json.dumps(self.body) if self.body else ""


def reads(fx: Fixtures) -> list[Scenario]:
    def same(name, label, paths):
        return Scenario(name, label, paths, floor_paths=paths)

    return [
        same("list_25", "Contacts list, limit 25", ["/v1/contacts?limit=25"]),
        same(
            "list_100_company", "Contacts list, limit 100, include=company", ["/v1/contacts?limit=100&include=company"]
        ),
        same("get", "Contact get", [f"/v1/contacts/{contact_id}" for contact_id in fx.contact_ids]),
        same("cf_range", f"cf. range filter ({CF_RANGE})", [f"/v1/contacts?limit=25&{CF_RANGE}"]),
        same("text_filter", f"Text filter ({TEXT_FILTER})", [f"/v1/contacts?limit=25&{TEXT_FILTER}"]),
        Scenario(
            "deep_page",
            f"Deep cursor page (after row {fx.deep_rows:,}), limit 25",
            [f"/v1/contacts?limit=25&cursor={quote(fx.api_deep_cursor)}"],
            floor_paths=[f"/v1/contacts?limit=25&cursor={quote(fx.floor_deep_cursor)}"],
        ),
        same("deals_list", f"Deals list, include={DEAL_INCLUDES}", [f"/v1/deals?limit=25&include={DEAL_INCLUDES}"]),
    ]


def writes(fx: Fixtures) -> list[Scenario]:
    return [
        Scenario(
            "create",
            "Contact create, 5 custom fields",
            ["/v1/contacts"],
            mode="post",
            body={**CREATE_BODY, "company_id": fx.company_id},
        ),
        Scenario(
            "patch",
            "Contact PATCH (title and 1 custom field)",
            [f"/v1/contacts/{contact_id}" for contact_id in fx.contact_ids],
            mode="patch",
            body=PATCH_BODY,
        ),
    ]


def growth(size: int) -> list[Scenario]:
    """The requests whose latency is compared across workspace sizes."""
    return [
        Scenario(f"list_25@{size}", f"Contacts list, limit 25 ({size:,} contacts)", ["/v1/contacts?limit=25"]),
        Scenario(f"cf_range@{size}", f"cf. range filter ({size:,} contacts)", [f"/v1/contacts?limit=25&{CF_RANGE}"]),
    ]
