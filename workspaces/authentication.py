"""Session login for people browsing the API with DRF's browsable API.

A signed-up person acts for their own workspace with full scopes; CSRF applies to writes
(DRF's SessionAuthentication enforces it). Staff accounts without a workspace get nothing here:
operators use the admin.
"""

from rest_framework.authentication import SessionAuthentication

from nodestash.errors import WorkspaceSuspended
from workspaces.models import Membership
from workspaces.tenancy.context import set_current_workspace
from workspaces.tenancy.principal import FULL_ACCESS, Principal


class WorkspaceSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, _ = result
        membership = Membership.objects.select_related("workspace").filter(user=user).first()
        if membership is None:
            return None
        if membership.workspace.is_suspended:
            raise WorkspaceSuspended()
        set_current_workspace(membership.workspace)
        return user, Principal(workspace=membership.workspace, scopes=frozenset({FULL_ACCESS}))
