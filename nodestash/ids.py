"""Prefixed random identifiers (`ct_…`, `req_…`) and the model field that stores them.

An id is a type prefix, `_`, then random base62 characters from the OS's CSPRNG, so ids
reveal neither order nor count and a path id with the wrong prefix can never match.
"""

import secrets
import string

from django.db import models

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ID_RANDOM_LENGTH = 21


def random_base62(length: int) -> str:
    return "".join(secrets.choice(BASE62) for _ in range(length))


def generate_id(prefix: str, length: int = ID_RANDOM_LENGTH) -> str:
    return f"{prefix}_{random_base62(length)}"


def is_valid_id(value: object, prefix: str) -> bool:
    """True when `value` has the exact shape of an id with this prefix."""
    if not isinstance(value, str):
        return False
    head, sep, tail = value.partition("_")
    return sep == "_" and head == prefix and len(tail) == ID_RANDOM_LENGTH and all(c in BASE62 for c in tail)


class PrefixedIdField(models.CharField):
    """Primary key holding a prefixed random id, generated on instantiation."""

    def __init__(self, prefix: str, *args, **kwargs):
        self.prefix = prefix
        kwargs.setdefault("primary_key", True)
        kwargs.setdefault("editable", False)
        kwargs["max_length"] = len(prefix) + 1 + ID_RANDOM_LENGTH
        kwargs["default"] = self.new_id
        super().__init__(*args, **kwargs)

    def new_id(self) -> str:
        return generate_id(self.prefix)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("default", None)
        kwargs.pop("max_length", None)
        kwargs["prefix"] = self.prefix
        return name, path, args, kwargs
