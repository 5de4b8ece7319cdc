"""Fill one workspace with realistic CRM data, fast (`manage.py seed_workspace`).

Rows are generated in chunks and streamed with `RowWriter` (COPY on PostgreSQL), inside one
transaction: a failed run leaves nothing behind, so it can simply be run again. A workspace
that already holds contacts is refused rather than seeded twice.
"""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from benchmarks.bulk import RowWriter, generate_ids
from benchmarks.fake import CONTACT_FIELDS, Faker
from benchmarks.progress import Progress
from crm.models import Activity, Company, Contact, Deal, Pipeline, Stage, StageType
from customfields.models import CustomFieldDefinition, CustomFieldValue, EntityType
from customfields.types import COLUMNS, VALUE_COLUMNS, parse_value

CHUNK = 10_000
SEEDED_MODELS = (Company, Contact, CustomFieldDefinition, CustomFieldValue, Deal, Activity)
# Share of contacts with custom field values, and of fields set on such a contact.
CONTACTS_WITH_VALUES = 0.85
FIELD_FILL_RATE = 0.8
# Where the deals sit, by stage position in the default pipeline (Lead … Won, Lost).
STAGE_WEIGHTS = (30, 20, 15, 10, 15, 10)


class AlreadySeeded(RuntimeError):
    """The workspace already has data; seeding it again would mix two data sets."""


@dataclass(frozen=True)
class SeedSizes:
    contacts: int = 100_000
    companies: int | None = None  # default: one for every 10 contacts
    deals: int | None = None  # default: one for every 5 contacts
    activities: int | None = None  # default: one for every 2 contacts
    seed: int = 7

    @property
    def company_count(self) -> int:
        return self.companies if self.companies is not None else max(1, self.contacts // 10)

    @property
    def deal_count(self) -> int:
        return self.deals if self.deals is not None else self.contacts // 5

    @property
    def activity_count(self) -> int:
        return self.activities if self.activities is not None else self.contacts // 2


def workspace_is_seeded(workspace) -> bool:
    return (
        Contact.unscoped.filter(workspace=workspace).exists() or Company.unscoped.filter(workspace=workspace).exists()
    )


@contextmanager
def foreign_key_checks_skipped():
    """Skip the per-row foreign key triggers while seeding (the generator only references rows
    it has just written): with deferred constraints PostgreSQL would otherwise queue millions
    of checks and fire them at commit. Only a superuser may; others keep the checks. Use inside
    a transaction (the setting is LOCAL to it)."""
    superuser = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
            superuser = cursor.fetchone()[0]
            if superuser:
                cursor.execute("SET LOCAL session_replication_role = replica")
    yield
    if superuser:  # after a failure the transaction rolls back, and the setting with it
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")


def refresh_statistics() -> None:
    """After a bulk load the planner's estimates are stale, and autovacuum would soon start
    vacuuming the new rows in the background. Outside a transaction: VACUUM ANALYZE now (fresh
    statistics, the visibility map set, nothing left for autovacuum to do mid-benchmark);
    inside one (tests), ANALYZE only. PostgreSQL only."""
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in SEEDED_MODELS:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


def _chunks(total: int):
    for start in range(0, total, CHUNK):
        yield start, min(CHUNK, total - start)


def _owned(workspace, ids: list[str], stamps) -> list[dict]:
    return [
        {"id": row_id, "workspace_id": workspace.pk, "created_at": created, "updated_at": updated}
        for row_id, (created, updated) in zip(ids, stamps, strict=True)
    ]


class Seeder:
    def __init__(self, workspace, sizes: SeedSizes, stream=None, now: datetime.datetime | None = None):
        self.workspace, self.sizes, self.stream = workspace, sizes, stream
        self.fake = Faker(sizes.seed, now or timezone.now())
        self.company_ids: list[str] = []
        self.contact_ids: list[str] = []
        self.contact_companies: list[str | None] = []
        self.definitions: list[dict] = []
        self.value_count = 0

    def progress(self, label: str, total: int) -> Progress:
        return Progress(label, total, self.stream)

    def run(self) -> dict[str, int]:
        if workspace_is_seeded(self.workspace):
            raise AlreadySeeded(f"Workspace {self.workspace.pk} already has CRM data; seed a new workspace instead.")
        with transaction.atomic(), foreign_key_checks_skipped():
            self.seed_companies()
            self.seed_custom_field_definitions()
            self.seed_contacts()
            deals = self.seed_deals()
            activities = self.seed_activities()
        return {
            "companies": len(self.company_ids),
            "contacts": len(self.contact_ids),
            "custom field values": self.value_count,
            "deals": deals,
            "activities": activities,
        }

    def seed_companies(self) -> None:
        writer, bar = RowWriter(Company), self.progress("companies", self.sizes.company_count)
        for start, size in _chunks(self.sizes.company_count):
            rows = _owned(self.workspace, generate_ids("co", size), self.fake.timestamps(size))
            for serial, row in enumerate(rows, start):
                row.update(self.fake.company(serial))
            writer.write(rows)
            self.company_ids += [row["id"] for row in rows]
            bar.advance(size)

    def seed_custom_field_definitions(self) -> None:
        rows = _owned(
            self.workspace, generate_ids("cf", len(CONTACT_FIELDS)), self.fake.timestamps(len(CONTACT_FIELDS))
        )
        for order, (row, (name, slug, field_type, options)) in enumerate(zip(rows, CONTACT_FIELDS, strict=True)):
            row.update(
                entity_type=EntityType.CONTACT, name=name, slug=slug, field_type=field_type, description=None,
                is_required=False, options=options, display_order=order,
            )  # fmt: skip
        RowWriter(CustomFieldDefinition).write(rows)
        self.definitions = rows

    def seed_contacts(self) -> None:
        """Contacts with their custom field values, chunk by chunk."""
        contacts, values = RowWriter(Contact), RowWriter(CustomFieldValue)
        bar = self.progress("contacts + field values", self.sizes.contacts)
        stamps = self.fake.timestamps(self.sizes.contacts)
        for start, size in _chunks(self.sizes.contacts):
            rows = _owned(self.workspace, generate_ids("ct", size), stamps[start : start + size])
            for serial, row in enumerate(rows, start):
                row.update(self.fake.person(serial))
                row["company_id"] = self.fake.rng.choice(self.company_ids) if self.fake.chance(0.9) else None
            contacts.write(rows)
            value_rows = self.custom_field_values(rows, start)
            values.write(value_rows)
            self.value_count += len(value_rows)
            self.contact_ids += [row["id"] for row in rows]
            self.contact_companies += [row["company_id"] for row in rows]
            bar.advance(size)

    def custom_field_values(self, contacts: list[dict], first_serial: int) -> list[dict]:
        """Values on most contacts: each field set with FIELD_FILL_RATE, stored as the API stores them."""
        fake, rows = self.fake, []
        for serial, contact in enumerate(contacts, first_serial):
            if not fake.chance(CONTACTS_WITH_VALUES):
                continue
            for definition in self.definitions:
                if not fake.chance(FIELD_FILL_RATE):
                    continue
                field_type, options = definition["field_type"], definition["options"]
                stored = parse_value(
                    field_type, fake.field_value(definition["slug"], field_type, options, serial), options
                )
                rows.append(
                    {
                        "workspace_id": contact["workspace_id"], "created_at": contact["created_at"],
                        "updated_at": contact["updated_at"], "definition_id": definition["id"],
                        "contact_id": contact["id"], "company_id": None, "deal_id": None, "activity_id": None,
                        **dict.fromkeys(VALUE_COLUMNS), COLUMNS[field_type]: stored,
                    }
                )  # fmt: skip
        for row, value_id in zip(rows, generate_ids("cfv", len(rows)), strict=True):
            row["id"] = value_id
        return rows

    def seed_deals(self) -> int:
        """Deals across the default pipeline's stages, each with a contact and its company."""
        total = self.sizes.deal_count
        if not total or not self.contact_ids:
            return 0
        pipeline = Pipeline.unscoped.get(workspace=self.workspace, is_default=True)
        stages = list(Stage.unscoped.filter(pipeline=pipeline).order_by("position"))
        weights = [STAGE_WEIGHTS[min(stage.position, len(STAGE_WEIGHTS) - 1)] for stage in stages]
        writer, bar = RowWriter(Deal), self.progress("deals", total)
        for _start, size in _chunks(total):
            rows = _owned(self.workspace, generate_ids("dl", size), self.fake.timestamps(size))
            for row in rows:
                stage = self.fake.rng.choices(stages, weights)[0]
                index = self.fake.rng.randrange(len(self.contact_ids))
                row.update(self.fake.deal())
                row.update(
                    pipeline_id=pipeline.pk, stage_id=stage.pk, contact_id=self.contact_ids[index],
                    company_id=self.contact_companies[index],
                    closed_at=row["updated_at"] if stage.type != StageType.OPEN else None,
                )  # fmt: skip
            writer.write(rows)
            bar.advance(size)
        return total

    def seed_activities(self) -> int:
        total = self.sizes.activity_count
        if not total or not self.contact_ids:
            return 0
        writer, bar = RowWriter(Activity), self.progress("activities", total)
        for _start, size in _chunks(total):
            rows = _owned(self.workspace, generate_ids("act", size), self.fake.timestamps(size))
            for row in rows:
                index = self.fake.rng.randrange(len(self.contact_ids))
                row.update(self.fake.activity())
                row.update(
                    contact_id=self.contact_ids[index], company_id=self.contact_companies[index], deal_id=None,
                    due_date=row["created_at"] + datetime.timedelta(days=3),
                    completed_at=row["updated_at"] if row["is_done"] else None,
                )  # fmt: skip
            writer.write(rows)
            bar.advance(size)
        return total
