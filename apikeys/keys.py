"""API key material: generation, hashing, and the hint shown in place of the secret.

Keys are 43 random base62 characters behind `nds_live_`/`nds_test_`: ~256 bits, so a fast
hash (SHA-256, or HMAC-SHA256 with the optional server-side pepper) is the right choice;
a slow password hasher would cost hundreds of milliseconds on every request.
"""

import hashlib
import hmac
import re

from django.conf import settings

from nodestash.ids import random_base62

KEY_SECRET_LENGTH = 43
KEY_PATTERN = re.compile(r"^nds_(live|test)_[0-9A-Za-z]{32,128}$")


def generate_key(environment: str) -> str:
    return f"nds_{environment}_{random_base62(KEY_SECRET_LENGTH)}"


def looks_like_key(value: str) -> bool:
    return bool(KEY_PATTERN.match(value))


def hash_key(key: str) -> str:
    pepper = settings.API_KEY_PEPPER
    if pepper:
        return hmac.new(pepper.encode(), key.encode(), hashlib.sha256).hexdigest()
    return hashlib.sha256(key.encode()).hexdigest()


def key_hint(key: str) -> str:
    environment_prefix = key[: key.index("_", 4) + 1]
    return f"{environment_prefix}…{key[-4:]}"
