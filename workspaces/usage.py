"""How much of its plan a workspace has used today.

The rate limiter (`workspaces.ratelimit`) owns the counters; this is the read side used by
`/v1/workspace` and `/v1/billing/subscription`.
"""

from workspaces.ratelimit import daily_usage


def requests_today(workspace) -> int:
    return daily_usage(workspace.pk)
