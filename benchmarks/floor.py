"""The floor: the benchmark's reads served with no framework at all.

A bare WSGI app that answers the same requests as the API (the read scenarios of
`benchmarks/scenarios.py`) with the same SQL, run through psycopg, and JSON encoded by hand
from the rows: it authenticates the key with the same query (and the same once-a-minute
`last_used_at` touch), loads the same definitions, page and custom field values, and wraps
them in the same envelope. What it leaves out is everything a framework adds: routing,
middleware, DRF's request/response cycle, serializers, the ORM, validation beyond what these
requests need, and the rate limiter's Redis round trip. The distance between the API and
this app is what the framework and those features cost.

Only what the benchmark asks is supported; anything else is a 404. Cursors are signed like
the API's but are the floor's own format (see `encode_cursor`).

Run: `gunicorn benchmarks.floor:application` with DATABASE_URL, SECRET_KEY (and
API_KEY_PEPPER when the API uses one) set as for the API.
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import re
from decimal import Decimal
from urllib.parse import parse_qs

from nodestash.request_ids import new_request_id

LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
CONTACT_COLUMNS = (
    "workspace_id", "created_at", "updated_at", "id", "email", "first_name", "last_name", "phone",
    "company_id", "title", "source", "tags",
)  # fmt: skip
COMPANY_COLUMNS = ("workspace_id", "created_at", "updated_at", "id", "name", "domain", "industry", "size", "tags")
CONTACT_FIELDS = (
    "id", "email", "first_name", "last_name", "phone", "company_id", "title", "source", "tags",
    "created_at", "updated_at",
)  # fmt: skip
COMPANY_FIELDS = ("id", "name", "domain", "industry", "size", "tags", "created_at", "updated_at")
TEXT_FILTERS = ("email", "first_name", "last_name")
RANGE_OPERATORS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
VALUE_COLUMNS = {
    "number": "value_number",
    "date": "value_date",
    "boolean": "value_boolean",
    "multi_select": "value_list",
}
LIST_SEPARATOR = "\x1f"
CONTACT_PATH = re.compile(r"^/v1/contacts/(ct_[0-9A-Za-z]{21})$")

AUTH_SQL = (
    'SELECT k."id", k."expires_at", k."last_used_at", k."revoked_at", w."id", w."is_suspended" '
    'FROM "apikeys_apikey" k INNER JOIN "workspaces_workspace" w ON (k."workspace_id" = w."id") '
    'WHERE k."key_hash" = %s LIMIT 1'
)
TOUCH_SQL = (
    'UPDATE "apikeys_apikey" SET "last_used_at" = %s '
    'WHERE (("last_used_at" IS NULL OR "last_used_at" <= %s) AND "id" = %s)'
)
DEFINITIONS_SQL = (
    'SELECT "id", "slug", "field_type" FROM "customfields_customfielddefinition" '
    'WHERE ("workspace_id" = %s AND "entity_type" = %s) ORDER BY "display_order" ASC, "created_at" ASC, "id" ASC'
)
VALUES_SQL = (
    'SELECT v."contact_id", d."slug", d."field_type", v."value_text", v."value_number", v."value_boolean", '
    'v."value_date", v."value_list" FROM "customfields_customfieldvalue" v '
    'INNER JOIN "customfields_customfielddefinition" d ON (v."definition_id" = d."id") '
    'WHERE (v."workspace_id" = %s AND v."contact_id" = ANY(%s))'
)


class HttpError(Exception):
    def __init__(self, status: str, code: str, message: str):
        super().__init__(message)
        self.status, self.code = status, code


# -- encoding ----------------------------------------------------------------------------


def iso(value):
    """Timestamps and dates as the API writes them (UTC with `Z`)."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def custom_value(field_type: str, row) -> object:
    """The JSON form of a stored custom field value, as `customfields.types.represent`."""
    text, number, boolean, date, listed = row
    match field_type:
        case "number":
            return None if number is None else (int(number) if number == number.to_integral_value() else float(number))
        case "date":
            return iso(date)
        case "boolean":
            return boolean
        case "multi_select":
            return None if listed is None else listed.strip(LIST_SEPARATOR).split(LIST_SEPARATOR)
        case _:
            return text


def resource(kind: str, fields: tuple, row: dict) -> dict:
    attributes = {name: iso(row[name]) if name.endswith("_at") else row[name] for name in fields}
    return {"id": row["id"], "type": kind, "attributes": attributes}


def encode_cursor(created_at: str, row_id: str, secret: bytes) -> str:
    """The floor's cursor: the last row's sort value and id, HMAC-signed (as the API signs its own)."""
    payload = base64.urlsafe_b64encode(json.dumps([created_at, row_id]).encode()).decode()
    signature = hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{payload}.{signature}"


def decode_cursor(cursor: str, secret: bytes) -> tuple[datetime.datetime, str]:
    payload, _, signature = cursor.partition(".")
    expected = hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()[:32]
    if not hmac.compare_digest(signature, expected):
        raise HttpError("400 Bad Request", "VALIDATION_ERROR", "The cursor is invalid.")
    created_at, row_id = json.loads(base64.urlsafe_b64decode(payload))
    return datetime.datetime.fromisoformat(created_at.replace("Z", "+00:00")), row_id


# -- the app -----------------------------------------------------------------------------


class Floor:
    """The WSGI callable. `connect()` returns a psycopg connection (opened once per process)."""

    def __init__(self, connect, *, secret: bytes, pepper: str = ""):
        self.connect, self.secret, self.pepper = connect, secret, pepper
        self._connection = None

    def __call__(self, environ, start_response):
        request_id = new_request_id()
        try:
            status, body = "200 OK", self.route(environ)
        except HttpError as error:
            status, body = error.status, {"error": {"code": error.code, "message": str(error)}}
        if body is not None:
            body["meta"] = {"request_id": request_id, **body.get("meta", {})}
        payload = b"" if body is None else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
        start_response(status, [*headers, ("X-Request-Id", request_id)])
        return [payload]

    @property
    def db(self):
        if self._connection is None or self._connection.closed:
            self._connection = self.connect()
        return self._connection

    def route(self, environ) -> dict | None:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return {"data": {"status": "ok"}}
        if environ["REQUEST_METHOD"] != "GET":
            raise HttpError("405 Method Not Allowed", "METHOD_NOT_ALLOWED", "Method not allowed.")
        params = {name: values[-1] for name, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        with self.db.cursor() as cursor:
            workspace_id = self.authenticate(cursor, environ.get("HTTP_AUTHORIZATION", ""))
            if path == "/v1/contacts":
                return self.contact_list(cursor, workspace_id, params)
            if match := CONTACT_PATH.match(path):
                return self.contact_detail(cursor, workspace_id, match.group(1), params)
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

    # -- contacts ---------------------------------------------------------------------

    def contact_select(self, with_company: bool) -> str:
        columns = [f'"crm_contact"."{name}"' for name in CONTACT_COLUMNS]
        joins = ""
        if with_company:
            columns += [f'"crm_company"."{name}"' for name in COMPANY_COLUMNS]
            joins = ' LEFT OUTER JOIN "crm_company" ON ("crm_contact"."company_id" = "crm_company"."id")'
        return f'SELECT {", ".join(columns)} FROM "crm_contact"{joins}'

    def contacts_from_rows(self, cursor, workspace_id: str, rows: list, with_company: bool) -> list[dict]:
        contacts = []
        width = len(CONTACT_COLUMNS)
        for row in rows:
            contact = resource("contact", CONTACT_FIELDS, dict(zip(CONTACT_COLUMNS, row[:width], strict=True)))
            if with_company:
                company = dict(zip(COMPANY_COLUMNS, row[width:], strict=True))
                contact["attributes"]["company"] = (
                    resource("company", COMPANY_FIELDS, company) if company["id"] is not None else None
                )
            contacts.append(contact)
        self.attach_custom_fields(cursor, workspace_id, contacts)
        return contacts

    def attach_custom_fields(self, cursor, workspace_id: str, contacts: list[dict]) -> None:
        cursor.execute(DEFINITIONS_SQL, (workspace_id, "contact"))
        slugs = [slug for _, slug, _ in cursor.fetchall()]
        by_id = {contact["id"]: dict.fromkeys(slugs) for contact in contacts}
        if contacts:
            cursor.execute(VALUES_SQL, (workspace_id, list(by_id)))
            for contact_id, slug, field_type, *stored in cursor.fetchall():
                by_id[contact_id][slug] = custom_value(field_type, stored)
        for contact in contacts:
            contact["attributes"]["custom_fields"] = by_id[contact["id"]]

    def contact_filters(self, cursor, workspace_id: str, params: dict) -> tuple[list[str], list]:
        """WHERE conditions and their parameters for the text and `cf.` filters."""
        conditions, args = [], []
        for name in TEXT_FILTERS:
            if name in params:
                conditions.append(f'UPPER("crm_contact"."{name}"::text) LIKE UPPER(%s)')
                args.append(f"%{params[name]}%")
        for param, raw in params.items():
            if param.startswith("cf."):
                condition, values = self.custom_field_condition(cursor, workspace_id, param, raw)
                conditions.append(condition)
                args += values
        return conditions, args

    def custom_field_condition(self, cursor, workspace_id: str, param: str, raw: str) -> tuple[str, list]:
        """`cf.<slug>.<op>=v` on number and date fields: EXISTS over the value table."""
        slug, _, operator = param[3:].partition(".")
        cursor.execute(DEFINITIONS_SQL, (workspace_id, "contact"))
        definitions = {row[1]: row for row in cursor.fetchall()}
        if slug not in definitions or operator not in RANGE_OPERATORS:
            raise HttpError("400 Bad Request", "VALIDATION_ERROR", f"Unsupported filter {param}.")
        definition_id, _, field_type = definitions[slug]
        value = Decimal(raw) if field_type == "number" else datetime.date.fromisoformat(raw)
        column = VALUE_COLUMNS[field_type]
        condition = (
            'EXISTS(SELECT 1 AS "a" FROM "customfields_customfieldvalue" U0 '
            f'WHERE (U0."contact_id" = ("crm_contact"."id") AND U0."definition_id" = %s '
            f'AND U0."{column}" {RANGE_OPERATORS[operator]} %s AND U0."workspace_id" = %s) LIMIT 1)'
        )
        return condition, [definition_id, value, workspace_id]

    def contact_list(self, cursor, workspace_id: str, params: dict) -> dict:
        limit = int(params.get("limit", 25))
        with_company = params.get("include") == "company"
        conditions, args = self.contact_filters(cursor, workspace_id, params)
        conditions.insert(0, '"crm_contact"."workspace_id" = %s')
        args.insert(0, workspace_id)
        if "cursor" in params:
            created_at, row_id = decode_cursor(params["cursor"], self.secret)
            conditions.append(
                '"crm_contact"."created_at" <= %s AND ("crm_contact"."created_at" < %s '
                'OR ("crm_contact"."created_at" = %s AND "crm_contact"."id" < %s))'
            )
            args += [created_at, created_at, created_at, row_id]
        sql = (
            f"{self.contact_select(with_company)} WHERE ({' AND '.join(conditions)}) "
            'ORDER BY "crm_contact"."created_at" DESC, "crm_contact"."id" DESC LIMIT %s'
        )
        cursor.execute(sql, [*args, limit + 1])
        rows = cursor.fetchall()
        page = self.contacts_from_rows(cursor, workspace_id, rows[:limit], with_company)
        next_cursor = None
        if len(rows) > limit:
            last = page[-1]["attributes"]
            next_cursor = encode_cursor(last["created_at"], last["id"], self.secret)
        return {
            "data": page,
            "meta": {"pagination": {"next_cursor": next_cursor, "has_more": next_cursor is not None}},
        }

    def contact_detail(self, cursor, workspace_id: str, contact_id: str, params: dict) -> dict:
        with_company = params.get("include") == "company"
        sql = (
            f"{self.contact_select(with_company)} "
            'WHERE ("crm_contact"."workspace_id" = %s AND "crm_contact"."id" = %s) LIMIT 21'
        )
        cursor.execute(sql, (workspace_id, contact_id))
        rows = cursor.fetchall()
        if not rows:
            raise HttpError("404 Not Found", "NOT_FOUND", "Contact not found")
        return {"data": self.contacts_from_rows(cursor, workspace_id, rows, with_company)[0]}


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
