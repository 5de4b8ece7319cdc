"""The plan table (contract §6): the one source of truth for limits."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    daily_limit: int | None  # None: unlimited
    burst_limit: int  # requests in any sliding 1-second window


PLANS: dict[str, Plan] = {
    plan.code: plan
    for plan in (
        Plan("free", "Free", 1_000, 5),
        Plan("starter", "Starter", 25_000, 25),
        Plan("pro", "Pro", 250_000, 50),
        Plan("scale", "Scale", 2_000_000, 200),
        Plan("enterprise", "Enterprise", None, 500),
    )
}

DEFAULT_PLAN = "free"
PLAN_CHOICES = [(plan.code, plan.name) for plan in PLANS.values()]


def get_plan(code: str) -> Plan:
    return PLANS[code]
