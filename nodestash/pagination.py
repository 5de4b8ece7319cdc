"""Keyset cursor pagination (contract §5).

A cursor carries the sort key, the workspace, and the sort values and id of the last row
of the page, signed with SECRET_KEY: tampering, a cursor from another workspace or one made
for another sort is a 400. The next page is "rows strictly after that row in this order",
so concurrent inserts and deletes never make a walk skip or repeat a row, and a deep page
costs the same as the first (the first sort field also gets a plain range bound so the
database can seek in the index instead of filtering from the start).
"""

from django.core import signing
from django.db.models import Q
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from nodestash.errors import validation_error
from nodestash.sorting import DEFAULT_SORT, SortField, SortSpec, parse_sort

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
CURSOR_SALT = "nodestash.cursor.v1"


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise validation_error("limit", f"limit must be an integer from 1 to {MAX_LIMIT}.")
    return int(raw)


def encode_cursor(row, sort: SortSpec, workspace_id: str) -> str:
    meta = row._meta
    values = []
    for field in sort.with_tiebreak:
        value = getattr(row, field.name)
        values.append(None if value is None else meta.get_field(field.name).value_to_string(row))
    return signing.dumps({"s": sort.key, "w": workspace_id, "v": values}, salt=CURSOR_SALT, compress=True)


def decode_cursor(raw: str, sort: SortSpec, workspace_id: str, model) -> list:
    invalid = validation_error("cursor", "The cursor is invalid or was made for another query.")
    try:
        payload = signing.loads(raw, salt=CURSOR_SALT)
    except (signing.BadSignature, ValueError, UnicodeError):
        raise invalid from None
    if not isinstance(payload, dict) or payload.get("s") != sort.key or payload.get("w") != workspace_id:
        raise invalid
    values = payload.get("v")
    fields = sort.with_tiebreak
    if not isinstance(values, list) or len(values) != len(fields):
        raise invalid
    try:
        return [
            None if value is None else model._meta.get_field(field.name).to_python(value)
            for field, value in zip(fields, values, strict=True)
        ]
    except Exception:
        raise invalid from None


def _after(fields: tuple[SortField, ...], values: list, model) -> Q:
    """Rows strictly after the cursor row, nulls last in both directions."""
    field, value = fields[0], values[0]
    nullable = model._meta.get_field(field.name).null
    rest = fields[1:]
    if value is None:
        # Only other nulls can follow a null; among them the next fields decide.
        same = Q(**{f"{field.name}__isnull": True})
        return same & _after(rest, values[1:], model) if rest else Q(pk__in=[])
    beyond = Q(**{f"{field.name}__{'lt' if field.descending else 'gt'}": value})
    if nullable:
        beyond |= Q(**{f"{field.name}__isnull": True})
    if not rest:
        return beyond
    return beyond | (Q(**{field.name: value}) & _after(rest, values[1:], model))


def _seek_bound(field: SortField, value, nullable: bool) -> Q:
    """A redundant range condition on the first sort field that lets an index seek."""
    if value is None:
        return Q(**{f"{field.name}__isnull": True})
    bound = Q(**{f"{field.name}__{'lte' if field.descending else 'gte'}": value})
    return bound | Q(**{f"{field.name}__isnull": True}) if nullable else bound


def paginate(queryset, sort: SortSpec, *, limit: int, cursor: str | None, workspace_id: str):
    """Returns (rows, next_cursor or None)."""
    model = queryset.model
    queryset = sort.apply(queryset)
    if cursor is not None:
        values = decode_cursor(cursor, sort, workspace_id, model)
        first = sort.with_tiebreak[0]
        queryset = queryset.filter(
            _seek_bound(first, values[0], model._meta.get_field(first.name).null),
            _after(sort.with_tiebreak, values, model),
        )
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1], sort, workspace_id)


def page_body(data: list, next_cursor: str | None) -> dict:
    return {"data": data, "meta": {"pagination": {"next_cursor": next_cursor, "has_more": next_cursor is not None}}}


class KeysetPagination(BasePagination):
    """DRF pagination class over `paginate`; it also owns the `sort` parameter, since a
    cursor is only meaningful for the order it was made in. Views declare `sort_fields`."""

    def paginate_queryset(self, queryset, request, view=None):
        params = request.query_params
        sort = parse_sort(params.get("sort"), view.sort_fields, getattr(view, "default_sort", DEFAULT_SORT))
        limit = parse_limit(params.get("limit"))
        rows, self.next_cursor = paginate(
            queryset, sort, limit=limit, cursor=params.get("cursor"), workspace_id=view.workspace.pk
        )
        return rows

    def get_paginated_response(self, data):
        return Response(page_body(data, self.next_cursor))

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["data", "meta"],
            "properties": {
                "data": schema,
                "meta": {"$ref": "#/components/schemas/ListMeta"},
            },
        }

    def get_schema_operation_parameters(self, view):
        def param(name, description, schema):
            return {"name": name, "required": False, "in": "query", "description": description, "schema": schema}

        return [
            param(
                "limit",
                f"Page size, 1 to {MAX_LIMIT}.",
                {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            ),
            param("cursor", "Opaque cursor from `meta.pagination.next_cursor`.", {"type": "string"}),
            param(
                "sort",
                f"Comma-separated fields, `-` for descending. Fields: {', '.join(view.sort_fields)}.",
                {"type": "string", "default": getattr(view, "default_sort", DEFAULT_SORT)},
            ),
        ]
