"""Plausible CRM values for seeding: names, companies, deals, activities, custom fields.

Everything is drawn from one `random.Random`, so a seed reproduces the data's shape (the ids
are fresh every time: they are global primary keys).
"""

import datetime
import random
from decimal import Decimal


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Ada Alan Alice Amara Ana Anna Ben Carla Chen David Elena Emma Eva Felix Grace Hana Hugo Ines "
    "Ivan Jack James Jana Jonas Julia Kai Karen Lara Leo Lina Lucas Maria Mark Maya Mia Noah Nora "
    "Olga Omar Paul Priya Rafael Rosa Sam Sara Sofia Tom Uma Victor Wei Yara Yusuf Zoe"
)
LAST_NAMES = _words(
    "Anderson Bauer Becker Brown Costa Davis Dubois Fischer Garcia Hansen Hoffmann Ito Jensen "
    "Johnson Kim Klein Kowalski Larsen Lee Lopez Martin Meyer Moreau Müller Nakamura Nguyen Novak "
    "Olsen Patel Peters Richter Rossi Schmidt Schulz Silva Smith Suzuki Taylor Thomas Wagner Weber "
    "Williams Wilson Wolf Yilmaz Zhang"
)
TITLES = (
    "CEO",
    "CTO",
    "Head of Sales",
    "Account Executive",
    "Marketing Manager",
    "Software Engineer",
    "Procurement Lead",
    "Operations Manager",
    "Founder",
    None,
)
SOURCES = ("website", "referral", "event", "cold_outreach", "partner", "import", None)
TAGS = ("vip", "newsletter", "churn-risk", "decision-maker", "trial", "customer", "partner", "lead")
COMPANY_WORDS = _words(
    "Acme Blue Bright Cloud Core Delta Echo Fern Globe Harbor Iron Jade Kite Lumen Maple Nova Orbit "
    "Pine Quartz River Summit Terra Urban Vertex Willow Zenith"
)
COMPANY_KINDS = ("Labs", "Systems", "Logistics", "Health", "Foods", "Energy", "Media", "Capital", "Robotics")
INDUSTRIES = ("Software", "Retail", "Healthcare", "Manufacturing", "Finance", "Logistics", "Education", None)
SIZES = ("1-10", "11-50", "51-200", "201-1000", "1000+", None)
DEAL_WORDS = ("Annual licence", "Pilot", "Expansion", "Renewal", "Consulting", "Support plan", "Migration")
ACTIVITY_TYPES = ("note", "task", "email", "call", "meeting")
SUBJECTS = ("Intro call", "Follow-up", "Sent proposal", "Demo", "Pricing question", "Kick-off", "Check-in")

# The ten contact custom fields: (name, slug, field_type, options).
CONTACT_FIELDS = (
    ("Lead score", "lead_score", "number", None),
    ("Annual revenue", "annual_revenue", "number", None),
    ("Last contacted", "last_contacted", "date", None),
    ("Newsletter", "newsletter", "boolean", None),
    ("Tier", "tier", "select", ["bronze", "silver", "gold", "platinum"]),
    ("Interests", "interests", "multi_select", ["analytics", "automation", "security", "mobile", "ai"]),
    ("LinkedIn", "linkedin", "url", None),
    ("Assistant email", "assistant_email", "email", None),
    ("Mobile", "mobile", "phone", None),
    ("Nickname", "nickname", "text", None),
)


class Faker:
    def __init__(self, seed: int, now: datetime.datetime, span_days: int = 730):
        self.rng = random.Random(seed)
        self.now = now
        self.span = datetime.timedelta(days=span_days)

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def timestamps(self, count: int) -> list[tuple[datetime.datetime, datetime.datetime]]:
        """`count` (created_at, updated_at) pairs in ascending created order over the span."""
        created = sorted(self.now - self.span * self.rng.random() for _ in range(count))
        return [(c, min(self.now, c + datetime.timedelta(days=30) * self.rng.random() ** 3)) for c in created]

    def tags(self) -> list[str]:
        return self.rng.sample(TAGS, self.rng.choice((0, 0, 1, 1, 2, 3)))

    def person(self, serial: int) -> dict:
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        return {
            "first_name": first,
            "last_name": last,
            "email": f"{first}.{last}.{serial}@example.com".lower().replace("ü", "ue"),
            "phone": f"+49 30 {self.rng.randrange(10**7):07d}" if self.chance(0.6) else None,
            "title": self.rng.choice(TITLES),
            "source": self.rng.choice(SOURCES),
            "tags": self.tags(),
        }

    def company(self, serial: int) -> dict:
        name = f"{self.rng.choice(COMPANY_WORDS)} {self.rng.choice(COMPANY_KINDS)} {serial}"
        return {
            "name": name,
            "domain": f"{name.lower().replace(' ', '-')}.example",
            "industry": self.rng.choice(INDUSTRIES),
            "size": self.rng.choice(SIZES),
            "tags": self.tags(),
        }

    def deal(self) -> dict:
        return {
            "title": f"{self.rng.choice(DEAL_WORDS)} {self.rng.randrange(2024, 2028)}",
            "value": Decimal(self.rng.randrange(500_00, 250_000_00)) / 100,
            "currency": self.rng.choice(("EUR", "EUR", "EUR", "USD", "GBP")),
            "owner_id": f"user_{self.rng.randrange(20)}",
            "expected_close_date": (self.now + datetime.timedelta(days=self.rng.randrange(-90, 180))).date(),
            "tags": self.tags(),
        }

    def activity(self) -> dict:
        kind = self.rng.choice(ACTIVITY_TYPES)
        return {
            "type": kind,
            "subject": self.rng.choice(SUBJECTS),
            "body": "Talked about next steps and pricing. " * self.rng.randrange(1, 6),
            "owner_id": f"user_{self.rng.randrange(20)}",
            "is_done": self.chance(0.6),
            "metadata": {"channel": kind},
            "tags": self.tags(),
        }

    def field_value(self, slug: str, field_type: str, options: list[str] | None, serial: int):
        """A value of that type, as a client would send it, for contact number `serial`."""
        rng = self.rng
        match field_type:
            case "number" if slug == "lead_score":
                return rng.randrange(101)
            case "number":
                return rng.randrange(10_000, 50_000_000)
            case "date":
                return (self.now - datetime.timedelta(days=rng.randrange(400))).date().isoformat()
            case "boolean":
                return self.chance(0.5)
            case "select":
                return rng.choice(options)
            case "multi_select":
                return sorted(rng.sample(options, rng.randrange(1, 3)), key=options.index)
            case "url":
                return f"https://www.linkedin.com/in/contact-{serial}"
            case "email":
                return f"assistant.{serial}@example.com"
            case "phone":
                return f"+49 170 {rng.randrange(10**7):07d}"
            case _:
                return rng.choice(FIRST_NAMES).lower() + rng.choice(("y", "o", "ie", "s"))
