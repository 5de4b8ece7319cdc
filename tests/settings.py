"""Settings for the test suite: the production settings, with test-friendly environment defaults.

The suite runs on PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, on SQLite and
in-process counters otherwise.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Always this process's own prefix: pytest-xdist workers inherit the controller's environment,
# so a `setdefault` would give every worker the controller's prefix, and one worker's cleanup
# would wipe another's counters mid-test.
os.environ["CACHE_KEY_PREFIX"] = f"nodestash-test-{os.getpid()}"

from nodestash.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
