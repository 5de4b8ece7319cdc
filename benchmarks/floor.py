"""The floor: the benchmark's reads served with no framework at all.

A bare WSGI app that answers the read requests of `benchmarks/scenarios.py` with the same
SQL as the API (same queries, joins, conditions and order; only the columns it needs), run
through psycopg, and JSON encoded by hand from the rows. It authenticates the key with the
same query (and the same once-a-minute `last_used_at` write), loads the same custom field
definitions and values, and answers in the same envelope. What it leaves out is what a
framework and the API's other features add: routing, middleware, DRF's request and response
cycle, serializers, the ORM, validation beyond what these requests need, and the rate
limiter's Redis round trip. The distance between the API and this app is what those cost.

Only what the benchmark asks is supported; anything else is a 404. Cursors are signed like
the API's but in the floor's own format (`encode_cursor`).

Run: `gunicorn benchmarks.floor:application`, with DATABASE_URL, SECRET_KEY (and
API_KEY_PEPPER when the API uses one) set as for the API.
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qs

from nodestash.request_ids import new_request_id

LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
LIST_SEPARATOR = "\x1f"  # multi_select storage, see customfields.types
TEXT_FILTERS = ("email", "first_name", "last_name")
RANGE_OPERATORS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
VALUE_COLUMNS = {"number": "value_number", "date": "value_date"}
CONTACT_PATH = re.compile(r"^/v1/contacts/(ct_[0-9A-Za-z]{21})$")
DEAL_INCLUDES = ("pipeline", "stage", "contact", "company")  # in the API's join order


@dataclass(frozen=True)
class Table:
    """A resource's table: what is selected, how it is shown, where its custom fields live."""

    name: str
    kind: str
    columns: tuple[str, ...]
    hidden: tuple[str, ...] = ("workspace_id",)  # selected but not shown
    custom_fields: str | None = None  # entity type, when the resource has inline custom fields

    def select(self) -> list[str]:
        return [f'"{self.name}"."{column}"' for column in self.columns]

    def resource(self, row: dict) -> dict:
        attributes = {name: plain(row[name]) for name in self.columns if name not in self.hidden}
        return {"id": row["id"], "type": self.kind, "attributes": attributes}


CONTACTS = Table(
    "crm_contact", "contact",
    ("workspace_id", "id", "email", "first_name", "last_name", "phone", "company_id", "title", "source", "tags",
     "created_at", "updated_at"),
    custom_fields="contact",
)  # fmt: skip
COMPANIES = Table(
    "crm_company", "company",
    ("workspace_id", "id", "name", "domain", "industry", "size", "tags", "created_at", "updated_at"),
    custom_fields="company",
)  # fmt: skip
DEALS = Table(
    "crm_deal", "deal",
    ("workspace_id", "id", "title", "value", "currency", "pipeline_id", "stage_id", "contact_id", "company_id",
     "owner_id", "expected_close_date", "closed_at", "tags", "created_at", "updated_at"),
    custom_fields="deal",
)  # fmt: skip
PIPELINES = Table(
    "crm_pipeline", "pipeline", ("workspace_id", "id", "name", "description", "is_default", "created_at", "updated_at")
)
STAGES = Table(
    "crm_stage", "pipeline_stage",
    ("workspace_id", "id", "pipeline_id", "name", "type", "position", "created_at", "updated_at"),
)  # fmt: skip
INCLUDED_TABLES = {"pipeline": PIPELINES, "stage": STAGES, "contact": CONTACTS, "company": COMPANIES}
RECORD_COLUMNS = {"contact": "contact_id", "company": "company_id", "deal": "deal_id"}

AUTH_SQL = (
    'SELECT k."id", k."expires_at", k."last_used_at", k."revoked_at", w."id", w."is_suspended" '
    'FROM "apikeys_apikey" k INNER JOIN "workspaces_workspace" w ON (k."workspace_id" = w."id") '
    'WHERE k."key_hash" = %s ORDER BY k."id" ASC LIMIT 1'
)
TOUCH_SQL = (
    'UPDATE "apikeys_apikey" SET "last_used_at" = %s '
    'WHERE (("last_used_at" IS NULL OR "last_used_at" <= %s) AND "id" = %s)'
)
DEFINITIONS_SQL = (
    'SELECT "id", "slug", "field_type" FROM "customfields_customfielddefinition" '
    'WHERE ("entity_type" = %s AND "workspace_id" = %s) ORDER BY "display_order" ASC, "created_at" ASC, "id" ASC'
)
VALUES_SQL = (
    'SELECT v."{record}", d."slug", d."field_type", v."value_text", v."value_number", v."value_boolean", '
    'v."value_date", v."value_list" FROM "customfields_customfieldvalue" v '
    'INNER JOIN "customfields_customfielddefinition" d ON (v."definition_id" = d."id") '
    'WHERE (v."workspace_id" = %s AND v."{record}" = ANY(%s))'
)
STAGES_SQL = f'SELECT {", ".join(STAGES.select())} FROM "crm_stage" WHERE "crm_stage"."pipeline_id" = ANY(%s) ORDER BY "crm_stage"."position" ASC'  # noqa: E501
CF_EXISTS_SQL = (
    'EXISTS(SELECT 1 AS "a" FROM "customfields_customfieldvalue" U0 WHERE (U0."contact_id" = ("crm_contact"."id") '
    'AND U0."definition_id" = %s AND U0."workspace_id" = %s AND U0."{column}" {operator} %s) LIMIT 1)'
)
KEYSET_SQL = (
    '"{table}"."created_at" <= %s AND ("{table}"."created_at" < %s '
    'OR ("{table}"."created_at" = %s AND "{table}"."id" < %s))'
)


class HttpError(Exception):
    def __init__(self, status: str, code: str, message: str):
        super().__init__(message)
        self.status, self.code = status, code


# -- encoding ----------------------------------------------------------------------------


def plain(value):
    """A column value as the API writes it: UTC timestamps with `Z`, dates, decimals as strings."""
    if isinstance(value, datetime.datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def custom_value(field_type: str, stored: list):
    """The JSON form of a stored custom field value (as `customfields.types.represent`)."""
    text, number, boolean, date, listed = stored
    match field_type:
        case "number":
            return None if number is None else (int(number) if number == number.to_integral_value() else float(number))
        case "date":
            return plain(date)
        case "boolean":
            return boolean
        case "multi_select":
            return None if listed is None else listed.strip(LIST_SEPARATOR).split(LIST_SEPARATOR)
        case _:
            return text


def encode_cursor(created_at: str, row_id: str, secret: bytes) -> str:
    """The floor's cursor: the last row's sort value and id, HMAC-signed."""
    payload = base64.urlsafe_b64encode(json.dumps([created_at, row_id]).encode()).decode()
    return f"{payload}.{hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()[:32]}"


def decode_cursor(cursor: str, secret: bytes) -> tuple[datetime.datetime, str]:
    payload, _, signature = cursor.partition(".")
    if not hmac.compare_digest(signature, hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()[:32]):
        raise HttpError("400 Bad Request", "VALIDATION_ERROR", "The cursor is invalid.")
    created_at, row_id = json.loads(base64.urlsafe_b64decode(payload))
    return datetime.datetime.fromisoformat(created_at), row_id


def page_body(page: list[dict], has_more: bool, secret: bytes) -> dict:
    next_cursor = None
    if has_more:
        last = page[-1]["attributes"]
        next_cursor = encode_cursor(last["created_at"], last["id"], secret)
    return {"data": page, "meta": {"pagination": {"next_cursor": next_cursor, "has_more": has_more}}}


# -- the app -----------------------------------------------------------------------------


class Floor:
    """The WSGI callable. `connect()` returns a psycopg connection, opened once per process."""

    def __init__(self, connect, *, secret: bytes, pepper: str = ""):
        self.connect, self.secret, self.pepper = connect, secret, pepper
        self._connection = None

    def __call__(self, environ, start_response):
        request_id = new_request_id()
        try:
            status, body = "200 OK", self.route(environ)
        except HttpError as error:
            status, body = error.status, {"error": {"code": error.code, "message": str(error)}}
        body["meta"] = {"request_id": request_id, **body.get("meta", {})}
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
        start_response(status, [*headers, ("X-Request-Id", request_id)])
        return [payload]

    @property
    def db(self):
        if self._connection is None or self._connection.closed:
            self._connection = self.connect()
        return self._connection

    def route(self, environ) -> dict:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return {"data": {"status": "ok"}}
        if environ["REQUEST_METHOD"] != "GET":
            raise HttpError("405 Method Not Allowed", "METHOD_NOT_ALLOWED", "Method not allowed.")
        params = {name: values[-1] for name, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        includes = frozenset(filter(None, params.get("include", "").split(",")))
        with self.db.cursor() as cursor:
            workspace_id = self.authenticate(cursor, environ.get("HTTP_AUTHORIZATION", ""))
            request = Request(cursor, workspace_id, params, includes, self.secret)
            if path == "/v1/contacts":
                return request.contact_list()
            if path == "/v1/deals":
                return request.deal_list()
            if match := CONTACT_PATH.match(path):
                return request.contact_detail(match.group(1))
        raise HttpError("404 Not Found", "NOT_FOUND", "Not found.")

    def authenticate(self, cursor, header: str) -> str:
        scheme, _, key = header.partition(" ")
        if scheme != "Bearer" or not key:
            raise HttpError("401 Unauthorized", "MISSING_AUTH", "Authentication credentials were not provided.")
        if self.pepper:
            key_hash = hmac.new(self.pepper.encode(), key.encode(), hashlib.sha256).hexdigest()
        else:
            key_hash = hashlib.sha256(key.encode()).hexdigest()
        cursor.execute(AUTH_SQL, (key_hash,))
        row = cursor.fetchone()
        now = datetime.datetime.now(datetime.UTC)
        if row is None or row[3] is not None or (row[1] is not None and row[1] <= now):
            raise HttpError("401 Unauthorized", "INVALID_API_KEY", "Invalid API key.")
        key_id, _, last_used_at, _, workspace_id, suspended = row
        if suspended:
            raise HttpError("403 Forbidden", "WORKSPACE_SUSPENDED", "This workspace is suspended.")
        threshold = now - LAST_USED_RESOLUTION
        if last_used_at is None or last_used_at <= threshold:
            cursor.execute(TOUCH_SQL, (now, threshold, key_id))
        return workspace_id


class Request:
    """One read: its cursor, workspace and parameters."""

    def __init__(self, cursor, workspace_id: str, params: dict, includes: frozenset, secret: bytes):
        self.cursor, self.workspace_id, self.params, self.includes = cursor, workspace_id, params, includes
        self.secret = secret
        self.limit = int(params.get("limit", 25))

    def fetch(self, sql: str, args) -> list:
        self.cursor.execute(sql, args)
        return self.cursor.fetchall()

    def definitions(self, entity_type: str) -> list:
        return self.fetch(DEFINITIONS_SQL, (entity_type, self.workspace_id))

    def attach_custom_fields(self, table: Table, resources: list[dict]) -> None:
        """`custom_fields` of every resource: one query for the values, one for the definitions."""
        by_id = {resource["id"]: {} for resource in resources}
        if by_id:
            sql = VALUES_SQL.format(record=RECORD_COLUMNS[table.custom_fields])
            for record_id, slug, field_type, *stored in self.fetch(sql, (self.workspace_id, list(by_id))):
                by_id[record_id][slug] = custom_value(field_type, stored)
        slugs = [slug for _, slug, _ in self.definitions(table.custom_fields)]
        for resource in resources:
            values = by_id[resource["id"]]
            resource["attributes"]["custom_fields"] = {slug: values.get(slug) for slug in slugs}

    def split(self, row: tuple, tables: list[Table]) -> list[dict]:
        """A joined row as one dict per table, in select order."""
        parts, start = [], 0
        for table in tables:
            parts.append(dict(zip(table.columns, row[start : start + len(table.columns)], strict=True)))
            start += len(table.columns)
        return parts

    def keyset(self, table: Table, conditions: list[str], args: list) -> None:
        if "cursor" in self.params:
            created_at, row_id = decode_cursor(self.params["cursor"], self.secret)
            conditions.append(KEYSET_SQL.format(table=table.name))
            args += [created_at, created_at, created_at, row_id]

    # -- contacts -------------------------------------------------------------------------

    def contacts(self, conditions: list[str], args: list, limit: int) -> tuple[list[dict], bool]:
        with_company = "company" in self.includes
        tables = [CONTACTS, COMPANIES] if with_company else [CONTACTS]
        join = ' LEFT OUTER JOIN "crm_company" ON ("crm_contact"."company_id" = "crm_company"."id")'
        sql = (
            f'SELECT {", ".join(c for t in tables for c in t.select())} FROM "crm_contact"'
            f"{join if with_company else ''} WHERE ({' AND '.join(conditions)}) "
            'ORDER BY "crm_contact"."created_at" DESC, "crm_contact"."id" DESC LIMIT %s'
        )
        rows = self.fetch(sql, [*args, limit + 1])
        contacts, companies = [], []
        for row in rows[:limit]:
            parts = self.split(row, tables)
            contact = CONTACTS.resource(parts[0])
            if with_company:
                company = COMPANIES.resource(parts[1]) if parts[1]["id"] is not None else None
                contact["attributes"]["company"] = company
                companies += [company] if company else []
            contacts.append(contact)
        self.attach_custom_fields(CONTACTS, contacts)
        if with_company:
            self.attach_custom_fields(COMPANIES, companies)
        return contacts, len(rows) > limit

    def contact_conditions(self) -> tuple[list[str], list]:
        conditions, args = ['"crm_contact"."workspace_id" = %s'], [self.workspace_id]
        for name in TEXT_FILTERS:
            if name in self.params:
                conditions.append(f'UPPER("crm_contact"."{name}"::text) LIKE UPPER(%s)')
                args.append(f"%{self.params[name]}%")
        for param, raw in self.params.items():
            if param.startswith("cf."):
                self.custom_field_condition(param, raw, conditions, args)
        self.keyset(CONTACTS, conditions, args)
        return conditions, args

    def custom_field_condition(self, param: str, raw: str, conditions: list, args: list) -> None:
        """`cf.<slug>.<gt|gte|lt|lte>=v` on number and date fields: EXISTS over the values."""
        slug, _, operator = param[3:].partition(".")
        definitions = {row[1]: row for row in self.definitions("contact")}
        if slug not in definitions or operator not in RANGE_OPERATORS or definitions[slug][2] not in VALUE_COLUMNS:
            raise HttpError("400 Bad Request", "VALIDATION_ERROR", f"Unsupported filter {param}.")
        definition_id, _, field_type = definitions[slug]
        value = Decimal(raw) if field_type == "number" else datetime.date.fromisoformat(raw)
        conditions.append(CF_EXISTS_SQL.format(column=VALUE_COLUMNS[field_type], operator=RANGE_OPERATORS[operator]))
        args += [definition_id, self.workspace_id, value]

    def contact_list(self) -> dict:
        conditions, args = self.contact_conditions()
        page, has_more = self.contacts(conditions, args, self.limit)
        return page_body(page, has_more, self.secret)

    def contact_detail(self, contact_id: str) -> dict:
        page, _ = self.contacts(
            ['"crm_contact"."workspace_id" = %s', '"crm_contact"."id" = %s'], [self.workspace_id, contact_id], 20
        )
        if not page:
            raise HttpError("404 Not Found", "NOT_FOUND", "Contact not found")
        return {"data": page[0]}

    # -- deals ------------------------------------------------------------------------------

    def deal_list(self) -> dict:
        included = [name for name in DEAL_INCLUDES if name in self.includes]
        tables = [DEALS, *(INCLUDED_TABLES[name] for name in included)]
        joins = "".join(
            f' {"INNER" if name in ("pipeline", "stage") else "LEFT OUTER"} JOIN "{INCLUDED_TABLES[name].name}" '
            f'ON ("crm_deal"."{name}_id" = "{INCLUDED_TABLES[name].name}"."id")'
            for name in included
        )
        conditions, args = ['"crm_deal"."workspace_id" = %s'], [self.workspace_id]
        self.keyset(DEALS, conditions, args)
        sql = (
            f'SELECT {", ".join(c for t in tables for c in t.select())} FROM "crm_deal"{joins} '
            f"WHERE ({' AND '.join(conditions)}) "
            'ORDER BY "crm_deal"."created_at" DESC, "crm_deal"."id" DESC LIMIT %s'
        )
        rows = self.fetch(sql, [*args, self.limit + 1])
        deals, related = [], {name: {} for name in included}
        for row in rows[: self.limit]:
            deal_row, *others = self.split(row, tables)
            deal = DEALS.resource(deal_row)
            for name, other in zip(included, others, strict=True):
                resource = INCLUDED_TABLES[name].resource(other) if other["id"] is not None else None
                deal["attributes"][name] = resource
                if resource:
                    related[name].setdefault(resource["id"], []).append(resource)
            deals.append(deal)
        if "pipeline" in related:
            self.attach_stages(related["pipeline"])
        self.attach_custom_fields(DEALS, deals)
        for name in ("contact", "company"):
            if name in related:
                self.attach_custom_fields(INCLUDED_TABLES[name], [r for same in related[name].values() for r in same])
        return page_body(deals, len(rows) > self.limit, self.secret)

    def attach_stages(self, pipelines: dict[str, list[dict]]) -> None:
        """An included pipeline embeds its stages as plain objects, ordered by position."""
        stages: dict[str, list] = {pipeline_id: [] for pipeline_id in pipelines}
        for row in self.fetch(STAGES_SQL, (list(pipelines),)):
            stage = STAGES.resource(dict(zip(STAGES.columns, row, strict=True)))["attributes"]
            stages[stage["pipeline_id"]].append(stage)
        for pipeline_id, copies in pipelines.items():
            for pipeline in copies:
                pipeline["attributes"]["stages"] = stages[pipeline_id]


def connect_from_environment():
    import psycopg

    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, options="-c TimeZone=UTC")


_application = None


def application(environ, start_response):
    """gunicorn's entry point; the app is built on the first request of each worker."""
    global _application
    if _application is None:
        _application = Floor(
            connect_from_environment,
            secret=os.environ["SECRET_KEY"].encode(),
            pepper=os.environ.get("API_KEY_PEPPER", ""),
        )
    return _application(environ, start_response)
