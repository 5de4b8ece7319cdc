"""Writes for workspaces and accounts: create a workspace, sign a person up, rename."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError

from apikeys.services import apikey_create
from nodestash.errors import Conflict
from workspaces.models import Environment, Membership, Workspace
from workspaces.plans import DEFAULT_PLAN
from workspaces.signals import workspace_created
from workspaces.tenancy.principal import FULL_ACCESS

DEFAULT_KEY_NAME = "Default key"


@transaction.atomic
def workspace_create(*, name: str, plan: str = DEFAULT_PLAN, environment: str = Environment.LIVE):
    """Create a workspace and what every workspace starts with (signal receivers add theirs).
    Returns (workspace, api_key, plaintext key)."""
    workspace = Workspace.objects.create(name=name, plan=plan, environment=environment)
    workspace_created.send(sender=Workspace, workspace=workspace)
    api_key, plaintext = apikey_create(workspace=workspace, name=DEFAULT_KEY_NAME, scopes=[FULL_ACCESS])
    return workspace, api_key, plaintext


def workspace_default_name(email: str) -> str:
    return f"{email.split('@', 1)[0]}'s workspace"[:200]


def account_signup(*, email: str, password: str, workspace_name: str | None = None):
    """Create the person's account, their workspace and its first key.
    Returns (user, workspace, api_key, plaintext key)."""
    User = get_user_model()
    email = email.strip().lower()
    candidate = User(username=email, email=email)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from exc
    conflict = Conflict(f"An account with email '{email}' already exists.")
    if User.objects.filter(username=email).exists():
        raise conflict
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=email, email=email, password=password)
            workspace, api_key, plaintext = workspace_create(name=workspace_name or workspace_default_name(email))
            Membership.objects.create(user=user, workspace=workspace)
    except IntegrityError:
        raise conflict from None
    return user, workspace, api_key, plaintext


def workspace_rename(*, workspace: Workspace, name: str) -> Workspace:
    workspace.name = name
    workspace.save(update_fields=["name", "updated_at"])
    return workspace
