"""Production settings: `check --deploy` is clean, HTTPS protections are on by default when DEBUG is off,
each is settable by environment, and only the embedded demo on 127.0.0.1 serves plain HTTP."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys

import pytest

from tests.e2e.conftest import ROOT

PRODUCTION = {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50)}
HTTPS_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
]
PROBE = (
    f"import json, config.settings as s; print(json.dumps({{n: getattr(s, n) for n in {HTTPS_SETTINGS!r}}}))"
)
CHECK_ID = re.compile(r"\((?P<id>[\w.]+\.[WE]\d+)\)")


def _env(**extra: str) -> dict[str, str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "SESSION_", "CSRF_")) and k not in ("DEBUG", "ALLOWED_HOSTS")
    }
    clean.pop("HELPDESK_LOCAL_HTTP", None)
    return {**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **extra}


def settings_with(**env: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=_env(**env), capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def check_deploy(**env: str) -> list[str]:
    """The warnings and errors `manage.py check --deploy` reports (the API schema's own are its tests')."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=_env(**env),
        capture_output=True,
        text=True,
    )
    found = [line for line in (result.stdout + result.stderr).splitlines() if CHECK_ID.search(line)]
    return [line for line in found if not CHECK_ID.search(line)["id"].startswith("drf_spectacular.")]


@pytest.mark.parametrize("hosts", [None, "helpdesk.example.com"], ids=["default hosts", "a public host name"])
def test_check_deploy_with_production_settings_reports_nothing(hosts):
    env = {**PRODUCTION, **({"ALLOWED_HOSTS": hosts} if hosts else {})}
    assert check_deploy(**env) == []


def test_without_the_production_defaults_check_deploy_complains():
    """The check above can fail: turning the protections off by environment brings the warnings back."""
    found = check_deploy(**PRODUCTION, SECURE_SSL_REDIRECT="false", SESSION_COOKIE_SECURE="false")
    assert any("security.W008" in line for line in found)
    assert any("security.W012" in line for line in found)


def test_https_protections_are_on_when_debug_is_off():
    assert settings_with(**PRODUCTION, ALLOWED_HOSTS="helpdesk.example.com") == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
    }


def test_each_protection_is_set_by_its_environment_variable():
    values = settings_with(
        **PRODUCTION,
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_PRELOAD="false",
        CSRF_COOKIE_SECURE="false",
    )
    assert values["SECURE_SSL_REDIRECT"] is False and values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SECURE_HSTS_PRELOAD"] is False and values["CSRF_COOKIE_SECURE"] is False
    assert values["SESSION_COOKIE_SECURE"] is True


def test_only_the_embedded_demo_on_localhost_serves_plain_http():
    demo = settings_with(**PRODUCTION, HELPDESK_LOCAL_HTTP="true")
    assert not demo["SECURE_SSL_REDIRECT"] and not demo["SESSION_COOKIE_SECURE"]
    assert demo["SECURE_HSTS_SECONDS"] == 0
    # The same mark with a public host name (e.g. behind a proxy) does not turn HTTPS off.
    public = settings_with(**PRODUCTION, HELPDESK_LOCAL_HTTP="true", ALLOWED_HOSTS="helpdesk.example.com")
    assert public["SECURE_SSL_REDIRECT"] and public["SESSION_COOKIE_SECURE"]
    assert settings_with(DEBUG="true")["SECURE_SSL_REDIRECT"] is False


@pytest.mark.django_db
def test_the_health_check_answers_over_plain_http_when_everything_else_redirects(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/portal/").status_code == 301
    assert client.get("/portal/")["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200
