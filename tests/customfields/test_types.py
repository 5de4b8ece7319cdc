"""Per-type value rules of `customfields.types` (the API tests cover the same rules over HTTP)."""

import datetime
from decimal import Decimal

import pytest

from customfields.types import InvalidValue, parse_query_value, parse_value, represent

OPTIONS = ["red", "green", "blue"]


@pytest.mark.parametrize(
    ("field_type", "value", "shown"),
    [
        ("text", "  hello  ", "hello"),
        ("text", "x" * 10_000, "x" * 10_000),
        ("number", 42, 42),
        ("number", -0.5, -0.5),
        ("number", "12.50", 12.5),
        ("number", "1e3", 1000),
        ("number", "-0", 0),
        ("number", 999_999_999_999_999, 999_999_999_999_999),
        ("number", "123456789.123456", 123456789.123456),
        ("number", "0.000001", 0.000001),
        ("boolean", True, True),
        ("boolean", False, False),
        ("date", "2024-02-29", "2024-02-29"),
        ("select", "red", "red"),
        ("multi_select", ["blue", "red"], ["blue", "red"]),
        ("multi_select", [], None),
        ("url", "https://example.com/a?b=c", "https://example.com/a?b=c"),
        ("url", "http://localhost:8000", "http://localhost:8000"),
        ("email", "Jane@Example.com", "Jane@Example.com"),
        ("phone", "+1 (555) 010-9999", "+1 (555) 010-9999"),
        ("phone", "5" * 50, "5" * 50),
    ],
)
def test_valid_values(field_type, value, shown):
    assert represent(field_type, parse_value(field_type, value, OPTIONS)) == shown


@pytest.mark.parametrize("field_type", ["text", "number", "boolean", "date", "select", "multi_select", "url", "email"])
def test_null_is_no_value(field_type):
    assert parse_value(field_type, None, OPTIONS) is None


@pytest.mark.parametrize(
    ("field_type", "value"),
    [
        ("text", ""),
        ("text", "   "),
        ("text", "x" * 10_001),
        ("text", 5),
        ("text", ["a"]),
        ("number", True),
        ("number", "abc"),
        ("number", "NaN"),
        ("number", "Infinity"),
        ("number", "1_000"),
        ("number", "0x10"),
        ("number", ""),
        ("number", float("inf")),
        ("number", float("nan")),
        ("number", "1000000000000000"),
        ("number", "0.0000001"),
        ("number", "1234567890.123456"),
        ("number", [1]),
        ("boolean", "true"),
        ("boolean", 1),
        ("date", "2023-02-29"),
        ("date", "2024-1-05"),
        ("date", "2024-01-05T00:00:00"),
        ("date", 20240105),
        ("select", "purple"),
        ("select", "RED"),
        ("select", ["red"]),
        ("multi_select", "red"),
        ("multi_select", ["red", "red"]),
        ("multi_select", ["red", "purple"]),
        ("multi_select", [1]),
        ("url", "ftp://example.com"),
        ("url", "example.com"),
        ("url", "https://example.com/" + "a" * 2030),
        ("email", "not-an-email"),
        ("email", "a" * 250 + "@x.io"),
        ("phone", "call me"),
        ("phone", "1" * 51),
    ],
)
def test_invalid_values(field_type, value):
    with pytest.raises(InvalidValue):
        parse_value(field_type, value, OPTIONS)


def test_numbers_are_exact_decimals():
    assert parse_value("number", 0.1) == Decimal("0.1")
    assert parse_value("number", "123456789012.345") == Decimal("123456789012.345")
    assert isinstance(represent("number", Decimal("5.000000")), int)


def test_query_values_are_parsed_by_type():
    assert parse_query_value("boolean", "true") is True
    assert parse_query_value("date", "2024-01-02") == datetime.date(2024, 1, 2)
    assert parse_query_value("number", "7.5") == Decimal("7.5")
    assert parse_query_value("multi_select", "red", OPTIONS) == "red"
    assert parse_query_value("url", "example") == "example"
    for field_type, raw in [("boolean", "yes"), ("date", "tomorrow"), ("number", "x"), ("select", "pink")]:
        with pytest.raises(InvalidValue):
            parse_query_value(field_type, raw, OPTIONS)
