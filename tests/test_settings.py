"""Production settings: `manage.py check --deploy` is clean, and a missing secret is refused.

Run as subprocesses with the production settings module (the suite itself uses tests.settings).
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# What tests/settings.py (and a developer's shell) may have set for the suite; production starts without them.
TEST_ONLY = {
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
}


def manage(*args, **env):
    clean = {name: value for name, value in os.environ.items() if name not in TEST_ONLY}
    clean.update(DJANGO_SETTINGS_MODULE="nodestash.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="api.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_missing_secret_key_is_refused_when_debug_is_off():
    result = manage("check", ALLOWED_HOSTS="api.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
