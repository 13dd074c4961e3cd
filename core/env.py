"""Every setting read from the environment, in one place, with typed defaults.

The database and broker defaults are the private PostgreSQL (port 54320) and
Redis (port 63790) that `bin/serve` runs from Debian's packages, so a
`manage.py` command in the checkout talks to the local stack. Production sets
DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and DEBUG=false (docker-compose.yml
does; so does bin/serve, with a key of its own in var/secret_key).
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return default if value in (None, "") else float(value)


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "insecure-local-development-key-change-me" if DEBUG else "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
DATABASE_URL = env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:54320/desk")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "redis://127.0.0.1:63790/0")
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "servicedesk@localhost")
# The desk's public address, for links in e-mails (read outside the site).
SITE_URL = env_str("SITE_URL", "http://localhost:8000")
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "demo-pass-2026")
# The private IMAP server bin/serve runs: the demo's mailbox reads it (0: no demo mailbox).
DEMO_IMAP_PORT = env_int("DEMO_IMAP_PORT", 0)
DEMO_IMAP_PASSWORD = env_str("DEMO_IMAP_PASSWORD", "")
SLA_SWEEP_SECONDS = env_float("SLA_SWEEP_SECONDS", 2.0)
REOPEN_WINDOW_DAYS = env_int("REOPEN_WINDOW_DAYS", 7)
# Login throttling (django-axes, accounts/throttling.py) and API tokens (accounts/tokens.py).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 20)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
API_TOKEN_RATE = env_str("API_TOKEN_RATE", "30/minute")
TOKEN_TTL_DAYS = env_int("TOKEN_TTL_DAYS", 30)
TOKEN_LIMIT_PER_USER = env_int("TOKEN_LIMIT_PER_USER", 10)
# How many proxies in front of the app append to X-Forwarded-For; 0 = REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# HTTPS hardening. HTTPS says the site is reached over TLS (directly or through a
# proxy); it defaults to on whenever DEBUG is off, so a production deployment that
# forgets it is secure. bin/serve (plain http on 127.0.0.1) sets HTTPS=false.
HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Only behind a proxy that sets X-Forwarded-Proto itself (and strips the client's).
TRUST_X_FORWARDED_PROTO = env_bool("TRUST_X_FORWARDED_PROTO", False)

# Uploads (core/uploads.py): one policy for the portal, the desk, inspections and the API.
UPLOAD_MAX_FILE_MB = env_int("UPLOAD_MAX_FILE_MB", 20)
UPLOAD_MAX_REQUEST_MB = env_int("UPLOAD_MAX_REQUEST_MB", 50)
UPLOAD_MAX_FILES = env_int("UPLOAD_MAX_FILES", 10)
UPLOAD_MAX_IMAGE_PIXELS = env_int("UPLOAD_MAX_IMAGE_PIXELS", 50_000_000)
PDF_IMAGE_MAX_SIDE = env_int("PDF_IMAGE_MAX_SIDE", 1600)
