"""OpenAPI generation (drf-spectacular) that describes what clients really receive:
resources as `{id, type, attributes}`, bodies inside the `data`/`meta` envelope, every
error response in the error envelope, and the scope each operation needs."""

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from apikeys.scopes import PUBLIC, required_scope
from nodestash.ids import ID_RANDOM_LENGTH
from workspaces.idempotency.openapi import idempotency_parameters

ERROR_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}
META_REF = {"$ref": "#/components/schemas/Meta"}
LIST_META_REF = {"$ref": "#/components/schemas/ListMeta"}

ERROR_DESCRIPTIONS = {
    "400": "VALIDATION_ERROR: invalid body, query or header.",
    "401": "MISSING_AUTH or INVALID_API_KEY.",
    "403": "INSUFFICIENT_SCOPE or WORKSPACE_SUSPENDED.",
    "404": "NOT_FOUND: no such resource in this workspace.",
    "405": "METHOD_NOT_ALLOWED.",
    "409": "CONFLICT, IDEMPOTENCY_KEY_REUSED or IDEMPOTENCY_KEY_IN_USE.",
    "413": "PAYLOAD_TOO_LARGE: body over 1 MiB.",
    "415": "UNSUPPORTED_MEDIA_TYPE: send JSON.",
    "422": "UNPROCESSABLE_ENTITY: a referenced id does not exist in this workspace.",
    "429": "RATE_LIMITED: see Retry-After.",
    "500": "INTERNAL_ERROR.",
    "503": "SERVICE_UNAVAILABLE: see Retry-After.",
}
READ_ERRORS = ("400", "401", "403", "404", "405", "429", "500", "503")
WRITE_ERRORS = (*READ_ERRORS, "409", "413", "415", "422")
PUBLIC_ERRORS = ("400", "405", "409", "413", "415", "429", "500", "503")


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apikeys.authentication.ApiKeyAuthentication"
    name = "BearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key: `Authorization: Bearer nds_live_…`. Keys are only accepted in this header.",
        }


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "workspaces.authentication.WorkspaceSessionAuthentication"
    name = "SessionAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "Browser login (browsable API), full access to the person's own workspace; CSRF on writes.",
        }


class WorkspaceRelatedFieldExtension(OpenApiSerializerFieldExtension):
    """`company_id` and friends are prefixed id strings (the field has no queryset to inspect)."""

    target_class = "workspaces.tenancy.fields.WorkspaceRelatedField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        prefix = self.target.prefix
        return {
            "type": "string",
            "pattern": f"^{prefix}_[0-9A-Za-z]{{{ID_RANDOM_LENGTH}}}$",
            "example": f"{prefix}_{'0' * ID_RANDOM_LENGTH}",
        }


class ResourceShapeExtension(OpenApiSerializerExtension):
    """Responses of resource serializers are `{id, type, attributes}`; requests are plain fields."""

    target_class = "nodestash.serializers.ResourceShapeMixin"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            return schema
        return {
            "type": "object",
            "required": ["id", "type", "attributes"],
            "properties": {
                "id": {"type": "string"},
                "type": {"type": "string", "example": self.target.resource_type},
                "attributes": schema,
            },
        }


OPTIONAL_OUTPUT = "schema_optional_output"


def optional_output(field):
    """Mark a read-only field that responses carry only sometimes (`deal_count` with
    `include=deal_count`): documented, but not listed as required."""
    setattr(field, OPTIONAL_OUTPUT, True)
    return field


class EnvelopeAutoSchema(AutoSchema):
    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        # The declared fields keep the mark (`serializer.fields` holds fresh copies).
        declared = getattr(serializer, "_declared_fields", {})
        optional = {name for name, field in declared.items() if getattr(field, OPTIONAL_OUTPUT, False)}
        if optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema

    def _scope(self) -> str | None:
        resource = getattr(self.view, "scope_resource", None)
        if resource in (None, PUBLIC):
            return None
        return required_scope(resource, self.method)

    def get_description(self):
        description = super().get_description()
        scope = self._scope()
        note = f"Requires scope `{scope}`." if scope else "No authentication required."
        return f"{description}\n\n{note}".strip()

    def get_override_parameters(self):
        """Documents `include` on list and get of views that declare `include_options`, and
        `Idempotency-Key` on the writes that take it."""
        parameters = [*super().get_override_parameters(), *idempotency_parameters(self.view, self.method)]
        options = getattr(self.view, "include_options", None)
        if not options or getattr(self.view, "action", None) not in ("list", "retrieve"):
            return parameters
        needs = [f"`{name}` also needs `{scope}`" for name, scope in options.items() if scope]
        description = (
            f"Comma-separated: {', '.join(f'`{name}`' for name in options)}. Each adds the related data to "
            "`attributes` under its own name." + (f" Scopes: {'; '.join(needs)}." if needs else "")
        )
        return [*parameters, OpenApiParameter("include", str, description=description)]

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        is_list = self._is_list_view(serializer)
        is_page = is_list and self._get_paginator() is not None
        if status_code.startswith("2") and not is_page:
            # A list returned whole gets the list meta from the renderer (`has_more: false`).
            meta = LIST_META_REF if is_list else META_REF
            for media in response.get("content", {}).values():
                media["schema"] = {
                    "type": "object",
                    "required": ["data", "meta"],
                    "properties": {"data": media["schema"], "meta": meta},
                }
        return response

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        if getattr(self.view, "scope_resource", None) == PUBLIC:
            codes = PUBLIC_ERRORS
        else:
            codes = READ_ERRORS if self.method in ("GET", "HEAD") else WRITE_ERRORS
        for code in codes:
            responses.setdefault(
                code,
                {"description": ERROR_DESCRIPTIONS[code], "content": {"application/json": {"schema": ERROR_REF}}},
            )
        return responses
