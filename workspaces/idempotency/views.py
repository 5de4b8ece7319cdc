"""The DRF hook: `IdempotencyMixin`, part of `ResourceViewSet` and `WorkspaceAPIView`.

`initial()` runs DRF's own checks first (authentication, scope, throttles: so a replay still
counts against the rate limit, and a 401/403/429 never touches a key), then claims the key or
short-circuits to the replay. `finalize_response()` stores the view's response or releases
the claim. A view whose responses carry a secret names the attributes to blank in stored
copies (`idempotency_secret_attributes`), so the secret is never written to this table.
"""

import copy

from rest_framework.response import Response

from workspaces.idempotency.requests import idempotency_key_from, request_fingerprint
from workspaces.idempotency.services import idempotency_claim, idempotency_complete
from workspaces.tenancy.principal import Principal

REPLAYED_HEADER = "Idempotent-Replayed"
REPLAYED_HEADERS = ("Location",)  # response headers that are part of the result


class IdempotentReplay(Exception):
    """Raised from `initial()` to skip the handler; `handle_exception` answers with the entry."""

    def __init__(self, entry):
        super().__init__(entry.key)
        self.entry = entry


class IdempotencyMixin:
    idempotency_secret_attributes: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not isinstance(request.auth, Principal) or not self._handles(request.method):
            return  # a method the view does not serve is a 405 (was: claimed, or a 409 on a reused key)
        key = idempotency_key_from(request)
        if key is None:
            return
        entry = idempotency_claim(workspace=request.auth.workspace, key=key, fingerprint=request_fingerprint(request))
        if entry.is_complete:
            raise IdempotentReplay(entry)
        self.idempotency_entry = entry

    def _handles(self, method: str) -> bool:
        name = method.lower()
        return name in self.http_method_names and hasattr(self, name)

    def handle_exception(self, exc):
        if isinstance(exc, IdempotentReplay):
            entry = exc.entry
            headers = {**entry.response_headers, REPLAYED_HEADER: "true"}
            return Response(entry.response_body, status=entry.response_status, headers=headers)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        entry = getattr(self, "idempotency_entry", None)
        if entry is not None:
            self.idempotency_entry = None
            idempotency_complete(
                entry=entry,
                status=response.status_code,
                body=self.stored_body(getattr(response, "data", None)),
                headers={name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)},
            )
        return response

    def stored_body(self, data):
        """The response data as kept for replays, secrets blanked."""
        if not self.idempotency_secret_attributes or not isinstance(data, dict) or "attributes" not in data:
            return data
        data = copy.deepcopy(data)
        for name in self.idempotency_secret_attributes:
            if name in data["attributes"]:
                data["attributes"][name] = None
        return data
