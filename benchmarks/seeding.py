"""Fill one workspace with realistic CRM data, fast (`manage.py seed_workspace`).

Rows are generated in chunks and streamed with `RowWriter` (COPY on PostgreSQL), inside one
transaction: a failed run leaves nothing behind, so it can simply be run again. A workspace
that already holds contacts is refused rather than seeded twice.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from benchmarks.bulk import RowWriter, generate_ids
from benchmarks.fake import Faker
from benchmarks.progress import Progress
from crm.models import Company, Contact

CHUNK = 10_000


class AlreadySeeded(RuntimeError):
    """The workspace already has data; seeding it again would mix two data sets."""


@dataclass(frozen=True)
class SeedSizes:
    contacts: int = 100_000
    companies: int | None = None  # default: one for every 10 contacts
    seed: int = 7

    @property
    def company_count(self) -> int:
        return self.companies if self.companies is not None else max(1, self.contacts // 10)


def workspace_is_seeded(workspace) -> bool:
    return (
        Contact.unscoped.filter(workspace=workspace).exists() or Company.unscoped.filter(workspace=workspace).exists()
    )


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

    def progress(self, label: str, total: int) -> Progress:
        return Progress(label, total, self.stream)

    def run(self) -> dict[str, int]:
        if workspace_is_seeded(self.workspace):
            raise AlreadySeeded(f"Workspace {self.workspace.pk} already has CRM data; seed a new workspace instead.")
        with transaction.atomic():
            self.seed_companies()
            self.seed_contacts()
        return {"companies": len(self.company_ids), "contacts": len(self.contact_ids)}

    def seed_companies(self) -> None:
        writer, bar = RowWriter(Company), self.progress("companies", self.sizes.company_count)
        for start, size in _chunks(self.sizes.company_count):
            rows = _owned(self.workspace, generate_ids("co", size), self.fake.timestamps(size))
            for serial, row in enumerate(rows, start):
                row.update(self.fake.company(serial))
            writer.write(rows)
            self.company_ids += [row["id"] for row in rows]
            bar.advance(size)

    def seed_contacts(self) -> None:
        writer, bar = RowWriter(Contact), self.progress("contacts", self.sizes.contacts)
        stamps = self.fake.timestamps(self.sizes.contacts)
        for start, size in _chunks(self.sizes.contacts):
            rows = _owned(self.workspace, generate_ids("ct", size), stamps[start : start + size])
            for serial, row in enumerate(rows, start):
                row.update(self.fake.person(serial))
                row["company_id"] = self.fake.rng.choice(self.company_ids) if self.fake.chance(0.9) else None
            writer.write(rows)
            self.contact_ids += [row["id"] for row in rows]
            bar.advance(size)
