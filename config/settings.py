"""Serialdesk settings, read from the environment.

Development is the default (`DJANGO_DEBUG` unset means debug on, SQLite in the
project folder). Production sets `DJANGO_DEBUG=0`, which switches on the
hardening below and makes `DJANGO_SECRET_KEY` mandatory.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "django-insecure-development-only-never-use-this-key-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "bootstrap",
    "lib",
    "catalog",
    "inventory",
    "sales",
    "reports",
    "api",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "roles",
    # Background jobs. The database backend's tables exist whichever backend
    # runs; django-rq (its rqworker command) only with the RQ backend, below.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Static files are answered here, so nothing below sees them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.sessions.SessionEndMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.RefuseNulCharactersMiddleware",
    # A view that cannot reach the database answers 503 with Retry-After.
    "config.middleware.DatabaseOutageMiddleware",
    "config.middleware.NoStoreForSignedInUsersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Persistent connections in production: opening a PostgreSQL connection per
# request capped the look-up at ~70 requests/s on two cores, ~210 with them. The
# health check replaces a connection the server dropped. Off in debug, where the
# development server's thread per request would leave each one open.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the development server read while another request writes, and
    # IMMEDIATE transactions take the write lock up front instead of failing
    # half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username or address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): after this many failed log-ins for one
# username, or from one address (each counted on its own), log-ins are refused
# until the cool-off has passed since the last attempt. A successful log-in
# resets no count, so an attacker with an account of their own cannot clear
# the count of an address they share.
AXES_FAILURE_LIMIT = env_int("SERIALDESK_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SERIALDESK_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "config.login_throttle.locked_out"
AXES_CLIENT_IP_CALLABLE = "config.login_throttle.client_ip"
AXES_VERBOSE = False  # no start-up banner on every manage.py command
# Behind a proxy every request comes from the proxy's address; set this to the
# number of proxies that append to X-Forwarded-For so each client counts alone.
SERIALDESK_PROXY_COUNT = env_int("SERIALDESK_PROXY_COUNT", 0)

# A session ends after this long without a request: its end moves on with the
# requests, written when it has fallen five minutes behind (config/sessions.py).
SESSION_COOKIE_AGE = env_int("SERIALDESK_SESSION_IDLE_HOURS", 12) * 60 * 60
SESSION_ENGINE = "config.sessions"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The shop's locale: date, time and number formats on every page come from it.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en-gb")
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Uploads: a pasted batch of 10,000 serials is about 200 KB; a CSV import of
# 100,000 rows a few MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024


def _product_url(product) -> str:
    from django.urls import reverse

    return reverse("product_detail", args=[product.pk])


def _serial_url(serial) -> str:
    from django.urls import reverse

    return reverse("serial_detail", args=[serial.pk])


# The product page shows stock and serials, so it is an inventory view, and the
# serial page shows the unit's sale, so it is a sales view; an app names no URL
# of an app built on it, and this wires its records to those pages.
ABSOLUTE_URL_OVERRIDES = {"catalog.product": _product_url, "inventory.serialrecord": _serial_url}

MESSAGE_TAGS = {40: "danger"}  # messages.ERROR as Bootstrap's alert-danger

# The shop's currency (ISO 4217 code), for prices shown in LANGUAGE_CODE's format.
SERIALDESK_CURRENCY = os.environ.get("SERIALDESK_CURRENCY", "GBP")

# No inline script or style anywhere (templates/base.html tells htmx to add
# none and to evaluate nothing), so the policy needs no 'unsafe-inline'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for Bootstrap's inline SVG icons (select arrows, the menu button).
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Powerful browser features the back office does not use. A camera barcode
# scanner would need "camera": ["self"].
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}

# Serialdesk setting: list and export page size.
SERIALDESK_PAGE_SIZE = env_int("SERIALDESK_PAGE_SIZE", 50)

# The Dashboard's units sold per week and age of stock are worked out by a
# background task (docs/decisions.md, Reports); a page showing figures older than
# this asks for new ones.
SERIALDESK_DASHBOARD_REFRESH_SECONDS = env_int("SERIALDESK_DASHBOARD_REFRESH_SECONDS", 300)

# Import CSV: the largest file accepted, checked before it is read (10 MB is
# about 400,000 rows).
SERIALDESK_IMPORT_MAX_BYTES = env_int("SERIALDESK_IMPORT_MAX_BYTES", 10 * 1024 * 1024)

# Add Serial numbers: the most entries one submission may hold; bigger batches
# go through Import CSV.
SERIALDESK_MAX_SERIALS_PER_SUBMISSION = env_int("SERIALDESK_MAX_SERIALS_PER_SUBMISSION", 20_000)

# Background jobs (Django's tasks API through the django-tasks backport).
# "database" (the default) keeps the queue in our own database: no other server;
# `manage.py db_worker` runs the jobs. "rq" keeps it in Redis at REDIS_URL for
# shops with workers on more machines; `manage.py rqworker --job-class
# django_tasks_rq.Job default` runs them. The job code is the same for both.
SERIALDESK_TASKS_BACKEND = os.environ.get("SERIALDESK_TASKS_BACKEND", "database")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL}}
TASKS: dict[str, dict[str, object]]
if SERIALDESK_TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif SERIALDESK_TASKS_BACKEND == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    # django-rq's admin dashboard is not installed (its URLs are not included).
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
else:
    raise ImproperlyConfigured(
        f"SERIALDESK_TASKS_BACKEND must be database or rq, not {SERIALDESK_TASKS_BACKEND!r}"
    )

# Files the application writes: background jobs' exports and problem lists
# (MEDIA_ROOT/jobs/). Never served as static files: each download checks its owner.
MEDIA_ROOT = Path(os.environ.get("SERIALDESK_MEDIA_ROOT") or BASE_DIR / "media")

# A running job whose worker has not reported for this long is shown as Stopped
# and may be resumed. A chunk of 10,000 rows takes about a second; checking all
# rows of a 1,000,000-row file first takes under a minute.
SERIALDESK_JOB_STALE_SECONDS = env_int("SERIALDESK_JOB_STALE_SECONDS", 300)
# A transfer still not received this many days after it was sent is shown as
# overdue (Dashboard, Stock control).
SERIALDESK_TRANSFER_OVERDUE_DAYS = env_int("SERIALDESK_TRANSFER_OVERDUE_DAYS", 3)
# A job no worker has taken for this long says so on its page: is a worker running?
SERIALDESK_JOB_UNCLAIMED_SECONDS = env_int("SERIALDESK_JOB_UNCLAIMED_SECONDS", 120)

# Import CSV: a file with more rows than this, or bigger than
# SERIALDESK_IMPORT_MAX_BYTES, runs as a background job, which accepts files
# up to SERIALDESK_IMPORT_JOB_MAX_BYTES (200 MB holds 1,000,000 rows with room).
SERIALDESK_IMPORT_JOB_ROWS = env_int("SERIALDESK_IMPORT_JOB_ROWS", 20_000)
SERIALDESK_IMPORT_JOB_MAX_BYTES = env_int("SERIALDESK_IMPORT_JOB_MAX_BYTES", 200 * 1024 * 1024)
# Export CSV of a list longer than this runs as a background job with progress,
# so a big file never meets the web server's request timeout.
SERIALDESK_EXPORT_JOB_ROWS = env_int("SERIALDESK_EXPORT_JOB_ROWS", 100_000)

# The REST API (api/, /api/v1/). Tills and scripts send a token; the browsable
# API and the docs page use the browser's session. Errors are JSON with a
# stable code (api/errors.py). SERIALDESK_API_RATE limits calls per token
# ("600/minute": DRF's rate syntax, per second, minute, hour or day).
SERIALDESK_API_RATE = os.environ.get("SERIALDESK_API_RATE", "600/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so an anonymous call is answered 401 with WWW-Authenticate: Token.
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ActionPermissions"],
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.NulRefusingJSONParser",
        # The browsable API's HTML forms (config.middleware refuses a NUL in them).
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["api.filters.backend.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.IdCursorPagination",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": SERIALDESK_API_RATE},
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Serialdesk API",
    "DESCRIPTION": "Serial numbers, sales, returns and warranty claims for tills, web shops "
    "and scripts. Send `Authorization: Token <key>`; Managers make keys on the API tokens page.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The role the data needs (Staff or Managers): api/permissions.py.
    "SERVE_PERMISSIONS": ["api.permissions.ReadsTheApi"],
    "COMPONENT_SPLIT_REQUEST": True,
    # A serial's and a claim's statuses are both fields named `status`: named
    # here, each set of choices is one enum in the schema whatever its field.
    "ENUM_NAME_OVERRIDES": {
        "SerialStatusEnum": "inventory.models.SerialStatus",
        "ClaimStatusEnum": "sales.models.ClaimStatus",
        # A supplier return's reason and outcome beside a customer return's (whose
        # names stay as they were).
        "ReasonEnum": "sales.models.ReturnReason",
        "OutcomeEnum": "sales.models.ReturnOutcome",
        "SupplierReturnReasonEnum": "inventory.models.SupplierReturnReason",
        "SupplierReturnOutcomeEnum": "inventory.models.SupplierReturnOutcome",
    },
    # Swagger UI from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# The cache counts API calls for throttling. The default keeps counts in each
# process; several app servers share one count through Redis (DJANGO_CACHE_URL,
# e.g. redis://127.0.0.1:6379/1).
if os.environ.get("DJANGO_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["DJANGO_CACHE_URL"],
        }
    }

if not DEBUG:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (nginx, a load
    # balancer). Without such a proxy, leave DJANGO_SECURE_SSL_REDIRECT on and
    # serve TLS in front of gunicorn.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
