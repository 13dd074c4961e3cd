"""Django settings. Values that vary by deployment come from core.env."""

from datetime import timedelta

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from core import env

BASE_DIR = env.BASE_DIR
DEBUG = env.DEBUG
SECRET_KEY = env.SECRET_KEY
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env.ALLOWED_HOSTS
CSRF_TRUSTED_ORIGINS = env.CSRF_TRUSTED_ORIGINS

# HTTPS: secure by default when DEBUG is off (core.env; README, settings table).
SESSION_COOKIE_SECURE = env.SESSION_COOKIE_SECURE
CSRF_COOKIE_SECURE = env.CSRF_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.SECURE_SSL_REDIRECT
# The container health check and bin/serve's probe ask over plain http on the host itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.SECURE_HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.SECURE_HSTS_INCLUDE_SUBDOMAINS
SECURE_HSTS_PRELOAD = env.SECURE_HSTS_PRELOAD
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.TRUST_X_FORWARDED_PROTO else None
)

INSTALLED_APPS = [
    "servicedesk.admin_site.ServiceDeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # pg_trgm lookups and indexes (the knowledge base's search).
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "csp",
    "accounts",
    "contracts",
    "tickets",
    "inspections",
    "spares",
    "deductions",
    "maintenance",
    "training",
    "duty",
    "knowledge",
    "mail_intake",
    "item_history",
    "reports",
    # The project itself, for its management commands (demo_data): above every app.
    "servicedesk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves /static/ in production too: customers run this on intranets, often without nginx.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body: see core.uploads.
    "core.uploads.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a login refused by django-axes into accounts.throttling.lockout_response.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): only our own scripts, styles and images.
# No inline script or style attribute anywhere; desk.js is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "servicedesk.urls"
WSGI_APPLICATION = "servicedesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "servicedesk.context.navigation",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.parse(env.DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with faster reading of timestamps and writing of bulk inserts.
    DATABASES["default"]["ENGINE"] = "core.postgresql"
    # Parameters bound by the server, and a statement run twice on a connection prepared:
    # PostgreSQL then plans it once per connection instead of on every request. Planning
    # was most of the SQL time of the pages (7 ms of the ticket page's 12, for its one
    # ten-table join), whose statements repeat request after request.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The axes backend first: it refuses a locked-out username or address before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "accounts.throttling.LoginAttemptHandler"
AXES_FAILURE_LIMIT = env.LOGIN_FAILURE_LIMIT
AXES_IP_FAILURE_LIMIT = env.LOGIN_IP_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=env.LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_address"
API_TOKEN_RATE = env.API_TOKEN_RATE
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env.LANGUAGE_CODE
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.TIME_ZONE
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.STATIC_ROOT
# WhiteNoise warns about a missing root before the first collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = env.MEDIA_ROOT

EMAIL_BACKEND = env.EMAIL_BACKEND
EMAIL_HOST = env.EMAIL_HOST
EMAIL_PORT = env.EMAIL_PORT
EMAIL_HOST_USER = env.EMAIL_HOST_USER
EMAIL_HOST_PASSWORD = env.EMAIL_HOST_PASSWORD
EMAIL_USE_TLS = env.EMAIL_USE_TLS
DEFAULT_FROM_EMAIL = env.DEFAULT_FROM_EMAIL
SITE_URL = env.SITE_URL

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated API call gets 401 with WWW-Authenticate.
        "accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # The same client address as the login lockout (accounts.throttling.client_address).
    "NUM_PROXIES": env.TRUSTED_PROXY_COUNT,
}
# API tokens (accounts/tokens.py): knox keeps a SHA-512 digest, never the key.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.TOKEN_TTL_DAYS),
    # A token lives TOKEN_TTL from its login; using it does not extend it.
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": env.TOKEN_LIMIT_PER_USER,
    # What clients already send: "Authorization: Token <key>".
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Service desk API",
    "DESCRIPTION": "Contracts, tickets, SLA clocks and escalations.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files: intranets have no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api_errors.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "TicketKindEnum": "tickets.models.tickets.Kind",
        "EventKindEnum": "tickets.models.records.TicketEvent.Kind",
        "EscalationKindEnum": "tickets.models.escalations.EscalationRule.Kind",
        "ClockKindEnum": "tickets.models.clocks.SlaClock.Kind",
        "ItemKindEnum": "contracts.models.customers.CoveredItem.Kind",
        "PartUseStateEnum": "spares.models.PartUse.State",
        "DowntimeStateEnum": "maintenance.models.DowntimeWindow.State",
        "TrainingKindEnum": "training.models.TrainingSession.Kind",
        "TrainingStateEnum": "training.models.TrainingSession.State",
        "DutyKindEnum": "accounts.models.DutyShift.Kind",
        "DutyModeEnum": "accounts.models.DutyShift.Mode",
        "DutyGapKindEnum": "duty.selectors.GapKind",
        "ArticleStateEnum": "knowledge.models.Article.State",
        "MailOutcomeEnum": "mail_intake.models.InboundMail.Outcome",
        "ChatRobotKindEnum": "tickets.models.chat.ChatRobot.Kind",
        "ClockOutcomeEnum": "tickets.models.clocks.Outcome",
        "StateEnum": "tickets.models.tickets.State",
    },
}

CELERY_BROKER_URL = env.CELERY_BROKER_URL
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A worker or beat started while Redis is (re)starting waits for it instead of exiting.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

SLA_SWEEP_SECONDS = env.SLA_SWEEP_SECONDS
# Periodic tasks, declared in one place; django-celery-beat copies them into its tables.
CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {
        "task": "tickets.tasks.sla_sweep",
        "schedule": SLA_SWEEP_SECONDS,
        # A sweep that waited longer than this is pointless: the next one catches up.
        "options": {"expires": max(SLA_SWEEP_SECONDS * 2, 10)},
    },
    # Proves a worker takes tasks off the queue (/healthz "worker"); stale copies are dropped.
    "worker-heartbeat": {
        "task": "tickets.tasks.worker_heartbeat",
        "schedule": 10,
        "options": {"expires": 10},
    },
    # Report jobs that waited or rendered too long go back on the queue (reports.rendering).
    "report-jobs-requeue": {
        "task": "reports.tasks.report_jobs_requeue",
        "schedule": 30,
        "options": {"expires": 30},
    },
    "inspections-generate": {"task": "inspections.tasks.inspections_generate", "schedule": 3600},
    "inspections-alert": {"task": "inspections.tasks.inspections_alert", "schedule": 300},
    "surveys-send-due": {"task": "reports.tasks.surveys_send_due", "schedule": 3600},
    # Each breach's penalty into its contract's deduction ledger (idempotent).
    "penalties-record": {"task": "deductions.tasks.penalties_record", "schedule": 60},
    # The customer's people reminded before planned downtime (once per window version).
    "downtime-remind": {"task": "maintenance.tasks.downtime_remind", "schedule": 300},
    # Escalations posted to the chat groups, and their retries (tickets/chat.py).
    "deliver-chat": {
        "task": "tickets.tasks.deliver_chat",
        "schedule": 15,
        "options": {"expires": 30},
    },
    # The desk's mailboxes read: new mail becomes tickets, replies comments (mail_intake).
    "mail-poll": {"task": "mail_intake.tasks.mail_poll", "schedule": 60},
    # From 1 November: managers are told once when next year's holidays are not confirmed.
    "holiday-years-remind": {"task": "tickets.tasks.holiday_years_remind", "schedule": 3600},
    # Managers told once per holiday or event in the next 14 days with nobody on duty.
    "duty-gaps-remind": {"task": "duty.tasks.duty_gaps_remind", "schedule": 24 * 3600},
}
REOPEN_WINDOW_DAYS = env.REOPEN_WINDOW_DAYS
DEMO_PASSWORD = env.DEMO_PASSWORD
DEMO_IMAP_PORT = env.DEMO_IMAP_PORT
DEMO_IMAP_PASSWORD = env.DEMO_IMAP_PASSWORD

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "filters": {"no_traceback": {"()": "core.error_views.DropTraceback"}},
    # WeasyPrint logs every step of every PDF at INFO: the worker's log is for events.
    # Django logs a too-large form post (413) with a traceback at ERROR: one line will do.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "django.security.RequestDataTooBig": {
            "handlers": ["console"],
            "level": "WARNING",
            "filters": ["no_traceback"],
            "propagate": False,
        },
    },
}
