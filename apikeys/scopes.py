"""The scope registry (contract §3) and the rule mapping a resource and method to a scope.

Every API view declares `scope_resource`: a resource name from RESOURCES, FULL_ACCESS for
key management, workspace settings and billing, or PUBLIC for the few unauthenticated
endpoints. `required_scope` raises for anything else, so a view cannot silently go unguarded.
"""

from django.core.exceptions import ImproperlyConfigured

from workspaces.tenancy.principal import FULL_ACCESS

PUBLIC = "public"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

RESOURCES = ("contacts", "companies", "deals", "pipelines", "activities")
CUSTOM_FIELDS = "custom_fields"

SCOPES: tuple[str, ...] = (
    FULL_ACCESS,
    *(f"{resource}:{access}" for resource in RESOURCES for access in ("read", "write")),
    f"{CUSTOM_FIELDS}:read",
    CUSTOM_FIELDS,
)


def required_scope(resource: str, method: str) -> str:
    """The scope a request needs: `<resource>:read` for safe methods, `:write` otherwise."""
    is_read = method.upper() in SAFE_METHODS
    if resource == FULL_ACCESS:
        return FULL_ACCESS
    if resource == CUSTOM_FIELDS:
        return f"{CUSTOM_FIELDS}:read" if is_read else CUSTOM_FIELDS
    if resource in RESOURCES:
        return f"{resource}:{'read' if is_read else 'write'}"
    raise ImproperlyConfigured(f"Unknown scope resource {resource!r}.")


def grants(scopes, scope: str) -> bool:
    """Whether a key with `scopes` may act with `scope` (`custom_fields` implies its read)."""
    if FULL_ACCESS in scopes or scope in scopes:
        return True
    return scope == f"{CUSTOM_FIELDS}:read" and CUSTOM_FIELDS in scopes
