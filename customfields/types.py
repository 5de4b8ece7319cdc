"""Field types of custom fields: how each validates a value, where it is stored, how it is
shown, and which `cf.` filter operators it takes (contract §5, §8). The one place that knows
the types, so the inline field, the values endpoint and the filters cannot disagree.

Numbers are exact decimals of at most 15 significant digits and 6 decimal places, below
10^15 in size: that fits `DecimalField(21, 6)` and survives SQLite's 15-digit numeric storage
unchanged, and a JSON number with 15 significant digits round-trips exactly.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models


class FieldType(models.TextChoices):
    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    SELECT = "select"
    MULTI_SELECT = "multi_select"
    URL = "url"
    EMAIL = "email"
    PHONE = "phone"


class InvalidValue(ValueError):
    """A value a field of this type cannot hold; the message is safe to show the client."""


TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.URL, FieldType.EMAIL, FieldType.PHONE})
SELECT_TYPES = frozenset({FieldType.SELECT, FieldType.MULTI_SELECT})

# The typed column of CustomFieldValue that holds each type's value.
COLUMNS = {
    **dict.fromkeys(TEXT_TYPES | {FieldType.SELECT}, "value_text"),
    FieldType.NUMBER: "value_number",
    FieldType.BOOLEAN: "value_boolean",
    FieldType.DATE: "value_date",
    FieldType.MULTI_SELECT: "value_list",
}
VALUE_COLUMNS = tuple(sorted(set(COLUMNS.values())))

# `cf.<slug>.<operator>` operators each type accepts ("eq" is the bare `cf.<slug>=v`).
OPERATORS = {
    **{t: frozenset({"eq", "in", "contains", "exists"}) for t in TEXT_TYPES},
    FieldType.NUMBER: frozenset({"eq", "gt", "gte", "lt", "lte", "exists"}),
    FieldType.DATE: frozenset({"eq", "gt", "gte", "lt", "lte", "exists"}),
    FieldType.BOOLEAN: frozenset({"eq", "exists"}),
    FieldType.SELECT: frozenset({"eq", "in", "exists"}),
    FieldType.MULTI_SELECT: frozenset({"eq", "exists"}),
}

TEXT_MAX = 10_000
URL_MAX = 2048
EMAIL_MAX = 254
PHONE_MAX = 50
NUMBER_MAX_DIGITS = 15
NUMBER_MAX_PLACES = 6
NUMBER_LIMIT = Decimal(10) ** NUMBER_MAX_DIGITS
NUMERIC_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
# multi_select values are stored as one text: every option followed by this separator, with
# one in front too ("\x1fa\x1fb\x1f"), so "has option a" is a substring test on both
# databases. Options may not contain control characters, so the separator is unambiguous.
LIST_SEPARATOR = "\x1f"


def _string(value, max_length: int) -> str:
    if not isinstance(value, str):
        raise InvalidValue("Must be a string.")
    value = value.strip()
    if not value:
        raise InvalidValue("Must not be blank; send null to clear the value.")
    if len(value) > max_length:
        raise InvalidValue(f"Must be at most {max_length} characters.")
    return value


def parse_number(value) -> Decimal:
    """A JSON number or a numeric string as an exact Decimal within the stored precision."""
    if isinstance(value, bool):
        raise InvalidValue("Must be a number, not a boolean.")
    if isinstance(value, int | float):
        value = repr(value)
    elif not isinstance(value, str) or not NUMERIC_TEXT.fullmatch(value.strip()):
        raise InvalidValue("Must be a number or a numeric string.")
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise InvalidValue("Must be a number or a numeric string.") from None
    if not number.is_finite():
        raise InvalidValue("Must be a finite number.")
    if abs(number) >= NUMBER_LIMIT:
        raise InvalidValue(f"Must be smaller than 10^{NUMBER_MAX_DIGITS} in absolute value.")
    digits = number.normalize().as_tuple()
    if -digits.exponent > NUMBER_MAX_PLACES:
        raise InvalidValue(f"Must have at most {NUMBER_MAX_PLACES} decimal places.")
    if len(digits.digits) > NUMBER_MAX_DIGITS:
        raise InvalidValue(f"Must have at most {NUMBER_MAX_DIGITS} significant digits.")
    return number + 0  # normalises -0 to 0


def parse_date(value) -> datetime.date:
    if not isinstance(value, str) or not DATE_TEXT.fullmatch(value):
        raise InvalidValue("Must be a date in YYYY-MM-DD format.")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise InvalidValue("Must be a real calendar date in YYYY-MM-DD format.") from None


def parse_option(value, options: list[str]) -> str:
    if not isinstance(value, str):
        raise InvalidValue("Must be a string, one of the field's options.")
    if value not in options:
        raise InvalidValue(f"'{value[:100]}' is not one of the options: {', '.join(options)}.")
    return value


def _validated(value: str, validator, message: str) -> str:
    try:
        validator(value)
    except DjangoValidationError:
        raise InvalidValue(message) from None
    return value


def _parse_url(value) -> str:
    text = _string(value, URL_MAX)
    return _validated(text, URLValidator(schemes=["http", "https"]), "Must be a valid http(s) URL.")


def _parse_email(value) -> str:
    return _validated(_string(value, EMAIL_MAX), EmailValidator(), "Must be a valid email address.")


def _parse_phone(value) -> str:
    text = _string(value, PHONE_MAX)
    if not any(character.isdigit() for character in text):
        raise InvalidValue("Must contain at least one digit.")
    return text


def _parse_boolean(value) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue("Must be true or false.")
    return value


def _parse_multi(value, options: list[str]) -> str | None:
    if not isinstance(value, list):
        raise InvalidValue("Must be a list of options.")
    chosen = [parse_option(item, options) for item in value]
    if len(set(chosen)) != len(chosen):
        raise InvalidValue("Options must be distinct.")
    if not chosen:
        return None  # an empty selection is no value
    return LIST_SEPARATOR + "".join(option + LIST_SEPARATOR for option in chosen)


# field type → parser(value, options) of a non-null client value
_PARSERS = {
    FieldType.TEXT: lambda value, options: _string(value, TEXT_MAX),
    FieldType.NUMBER: lambda value, options: parse_number(value),
    FieldType.BOOLEAN: lambda value, options: _parse_boolean(value),
    FieldType.DATE: lambda value, options: parse_date(value),
    FieldType.SELECT: parse_option,
    FieldType.MULTI_SELECT: _parse_multi,
    FieldType.URL: lambda value, options: _parse_url(value),
    FieldType.EMAIL: lambda value, options: _parse_email(value),
    FieldType.PHONE: lambda value, options: _parse_phone(value),
}


def parse_value(field_type: str, value, options: list[str] | None = None):
    """The stored form of a client value (None: no value), or InvalidValue."""
    if value is None:
        return None
    return _PARSERS[field_type](value, options or [])


def represent(field_type: str, stored):
    """The JSON form of a stored value."""
    if stored is None:
        return None
    if field_type == FieldType.NUMBER:
        return int(stored) if stored == stored.to_integral_value() else float(stored)
    if field_type == FieldType.DATE:
        return stored.isoformat()
    if field_type == FieldType.MULTI_SELECT:
        return stored.strip(LIST_SEPARATOR).split(LIST_SEPARATOR)
    return stored


def list_token(option: str) -> str:
    """The substring of a stored multi_select value that means "has this option"."""
    return LIST_SEPARATOR + option + LIST_SEPARATOR


def parse_query_value(field_type: str, raw: str, options: list[str] | None = None):
    """A `cf.` filter value (always text in a query string) in its stored form."""
    match field_type:
        case FieldType.BOOLEAN:
            if raw not in ("true", "false"):
                raise InvalidValue("Must be true or false.")
            return raw == "true"
        case FieldType.MULTI_SELECT:
            return parse_option(raw, options or [])
        case FieldType.TEXT | FieldType.URL | FieldType.EMAIL | FieldType.PHONE:
            return _string(raw, TEXT_MAX)  # a filter on part of a URL is not a URL
    return parse_value(field_type, raw, options)


MAX_OPTIONS = 100
OPTION_MAX = 100


def parse_options(value) -> list[str]:
    """1-100 distinct option strings (distinct ignoring case, so matching never confuses two)."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_OPTIONS:
        raise InvalidValue(f"Must be a list of 1 to {MAX_OPTIONS} strings.")
    options = [_string(item, OPTION_MAX) for item in value]
    if any(not character.isprintable() for option in options for character in option):
        raise InvalidValue("Options must not contain control characters.")
    if len({option.casefold() for option in options}) != len(options):
        raise InvalidValue("Options must be distinct (ignoring case).")
    return options
