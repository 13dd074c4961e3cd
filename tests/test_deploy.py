"""Production settings: check --deploy on docker-compose.yml's environment, HTTPS, CSP."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _compose_web_environment() -> dict[str, str]:
    """The web service's environment as compose would pass it with an .env holding a key."""
    env = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"][
        "environment"
    ]
    given = {"SECRET_KEY": "k" * 20 + "-production-secret-from-dot-env-" + "x7Q2z" * 6}

    def interpolate(value) -> str:
        def one(match):
            name, op, default = match.group(1), match.group(2), match.group(3)
            if name in given:
                return given[name]
            assert op != ":?", f"{name} must be set"
            return default or ""

        return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", one, str(value))

    return {name: interpolate(value) for name, value in env.items()}


def _manage(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DEBUG", "HTTPS", "SECURE_", "TRUST_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **environment, "DJANGO_SETTINGS_MODULE": "servicedesk.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_the_compose_production_environment_prints_no_warning():
    result = _manage(_compose_web_environment(), "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output and "?: (security." not in output, output
    assert "System check identified no issues" in output


def test_the_compose_production_environment_is_https_throughout():
    env = _compose_web_environment()
    script = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
    )
    out = _manage(env, "shell", "-c", script).stdout.splitlines()[-1].split()
    assert out == ["True", "True", "True", "31536000", "None"]
    behind_proxy = _manage({**env, "TRUST_X_FORWARDED_PROTO": "true"}, "shell", "-c", script)
    assert "('HTTP_X_FORWARDED_PROTO', 'https')" in behind_proxy.stdout


def test_debug_off_is_secure_by_default_and_bin_serve_turns_https_off():
    script = "from django.conf import settings as s; "
    script += "print(s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    base = {"DEBUG": "false", "SECRET_KEY": "s" * 60}
    secure = _manage(base, "shell", "-c", script)
    assert secure.stdout.splitlines()[-1].split() == ["True", "True"]
    plain = _manage({**base, "HTTPS": "false"}, "shell", "-c", script)
    assert plain.stdout.splitlines()[-1].split() == ["False", "False"]
    assert 'export HTTPS="${HTTPS:-false}"' in (ROOT / "bin" / "serve").read_text()


@pytest.mark.django_db
def test_https_settings_redirect_http_mark_cookies_and_send_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    plain = client.get("/accounts/login/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/accounts/login/"
    # The health check asks over plain http on the container itself.
    assert client.get("/healthz").status_code != 301

    page = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert page.status_code == 200
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert page.cookies["csrftoken"]["secure"] is True


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_allowances(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


# Rendered to PDF by WeasyPrint (reports/pdf.py), never served as pages.
PDF_ONLY = {"reports/_document.html", "reports/inspection.html"}


def test_no_template_has_inline_script_style_attribute_or_event_handler():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if path.relative_to(ROOT / "templates").as_posix() in PDF_ONLY:
            continue
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=|<style", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_no_form_widget_sets_a_style_attribute():
    offenders = []
    for app in ["accounts", "contracts", "tickets", "inspections", "reports", "servicedesk"]:
        for path in (ROOT / app).rglob("*.py"):
            if re.search(r"""["']style["']\s*:""", path.read_text()):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
