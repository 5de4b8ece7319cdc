"""Per-workspace plan rate limits (contract §6). Placeholder until the rate-limit issue lands:
counts nothing yet."""


def daily_usage(workspace_id: str) -> int:
    return 0
