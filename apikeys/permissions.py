"""The scope permission: every API view declares what it guards, checked before anything else
but authentication (contract §2 check order: 401, then 403, then 429, then 404)."""

from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import BasePermission

from apikeys.scopes import PUBLIC, grants, required_scope
from nodestash.errors import InsufficientScope, MissingAuth
from workspaces.tenancy.principal import Principal


def view_scope_resource(view) -> str:
    resource = getattr(view, "scope_resource", None)
    if resource is None:
        raise ImproperlyConfigured(f"{view.__class__.__name__} does not declare scope_resource.")
    return resource


class ScopePermission(BasePermission):
    def has_permission(self, request, view):
        resource = view_scope_resource(view)
        if resource == PUBLIC:
            return True
        if not isinstance(request.auth, Principal):
            raise MissingAuth()
        scope = required_scope(resource, request.method)
        if not grants(request.auth.scopes, scope):
            raise InsufficientScope(scope)
        return True


def require_scope(request, scope: str) -> None:
    """For checks inside a view, e.g. `include=company` needing `companies:read`."""
    if not grants(request.auth.scopes, scope):
        raise InsufficientScope(scope)
