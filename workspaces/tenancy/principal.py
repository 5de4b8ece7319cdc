"""Who is calling: the result of authentication, available as `request.auth`."""

from dataclasses import dataclass, field

FULL_ACCESS = "*"


@dataclass(frozen=True)
class Principal:
    workspace: object
    scopes: frozenset = field(default_factory=frozenset)
    api_key: object | None = None

    def has_scope(self, scope: str) -> bool:
        """The scope registry's rule (so `custom_fields` also grants `custom_fields:read`)."""
        from apikeys.scopes import grants  # here: apikeys.scopes imports this module

        return grants(self.scopes, scope)


class ApiKeyUser:
    """`request.user` for API key requests: authenticated, but not a Django user."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    is_active = True
    pk = None
    id = None

    def __init__(self, api_key):
        self.api_key = api_key

    def __str__(self) -> str:
        return f"API key {self.api_key.name}"

    def get_username(self) -> str:
        return str(self)
