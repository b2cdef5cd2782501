"""Settings for every environment, driven by environment variables.

There is one settings module (this one) plus `test` for the test run. Production differs only through
environment variables (DCP_ENV=production turns on the secure cookie and HTTPS settings), so nothing exists
only in production.
"""

from __future__ import annotations

import json
import os
from importlib.metadata import entry_points
from pathlib import Path
from urllib.parse import unquote, urlparse

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}")
    return value


def env_bool(name: str, default: bool) -> bool:
    return env(name, "true" if default else "false").lower() in {"1", "true", "yes", "on"}


REPO_DIR = Path(__file__).resolve().parents[3]
PACKAGE_DIR = Path(__file__).resolve().parents[1]
VAR_DIR = Path(env("DCP_VAR_DIR", str(REPO_DIR / "var")))

DCP_ENV = env("DCP_ENV", "development")  # development | test | production
PRODUCTION = DCP_ENV == "production"
DEBUG = env_bool("DCP_DEBUG", not PRODUCTION)

SECRET_KEY = env("DCP_SECRET_KEY", None if PRODUCTION else "dev-only-insecure-key-change-me-" + "x" * 32)

# Collections are served on sub-domains of the base domain: <collection slug>.<base>; the public site
# (sign-in, list of collections) on <base> itself. Sessions are shared through the parent cookie domain,
# which is what makes one sign-in work across collections. Browsers refuse cookies for a bare "localhost",
# so the development base domain has two labels.
BASE_DOMAIN = env("DCP_BASE_DOMAIN", "dcp.localhost")
PUBLIC_PORT = env("DCP_PUBLIC_PORT", "8000")  # only used to print and build absolute URLs in development
URL_SCHEME = env("DCP_URL_SCHEME", "https" if PRODUCTION else "http")
ALLOWED_HOSTS = [BASE_DOMAIN, f".{BASE_DOMAIN}"] + [h for h in env("DCP_EXTRA_HOSTS", "").split(",") if h]
SESSION_COOKIE_DOMAIN = f".{BASE_DOMAIN}"
CSRF_COOKIE_DOMAIN = f".{BASE_DOMAIN}"
CSRF_TRUSTED_ORIGINS = [f"{URL_SCHEME}://*.{BASE_DOMAIN}", f"{URL_SCHEME}://{BASE_DOMAIN}"]
if not PRODUCTION:
    CSRF_TRUSTED_ORIGINS += [f"{URL_SCHEME}://*.{BASE_DOMAIN}:*", f"{URL_SCHEME}://{BASE_DOMAIN}:*"]


def installed_collection_apps() -> list[str]:
    """Collection plugins are the installed distributions' `dcp.collections` entry points."""
    names = [ep.value for ep in entry_points(group="dcp.collections")]
    only = env("DCP_COLLECTIONS", "")
    if only:
        wanted = {slug.strip() for slug in only.split(",")}
        names = [ep.value for ep in entry_points(group="dcp.collections") if ep.name in wanted]
    return sorted(names)


COLLECTION_APPS = installed_collection_apps()

SHARED_APPS = [
    "django_tenants",
    "dcp_platform.tenancy",
    "dcp_platform.accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "formtools",
    "dcp_platform.theming",
    "dcp_platform.notifications",
    "dcp_platform.webform",
    "dcp_platform.registry",
    "dcp_platform.lookups",
    "dcp_admin_ui",
]

TENANT_APPS = [
    "dcp_platform.records",
    "dcp_platform.uploads",
    "dcp_api",
    "dcp_platform.cms",
    "dcp_platform.paper",
    "dcp_platform.playback",
    "dcp_platform.exports",
    "dcp_platform.quality",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    *COLLECTION_APPS,
]

INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenancy.Collection"
TENANT_DOMAIN_MODEL = "tenancy.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "dcp_platform.urls_public"
ROOT_URLCONF = "dcp_platform.urls_tenant"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
# New collection schemas are cloned from a template schema built by one real migrate: 10x faster.
TENANT_BASE_SCHEMA = env("DCP_TENANT_BASE_SCHEMA", "") or None
TENANT_CREATION_FAKES_MIGRATIONS = bool(TENANT_BASE_SCHEMA)
# One `SET search_path` per request instead of one per query. Safe: django-tenants forgets the path on
# set_tenant (every request), rollback, savepoint rollback and close, so it is set again before the next query.
TENANT_LIMIT_SET_CALLS = True
# Each process remembers which collection a host name serves, and each collection's window dates, for a few
# seconds instead of asking the database on every request (collections and windows change rarely).
DCP_TENANT_CACHE_SECONDS = float(env("DCP_TENANT_CACHE_SECONDS", "60"))
DCP_WINDOW_CACHE_SECONDS = float(env("DCP_WINDOW_CACHE_SECONDS", "30"))
DCP_BANNER_CACHE_SECONDS = float(env("DCP_BANNER_CACHE_SECONDS", "30"))
# Which service banners a person has hidden (their keys; no personal data), shared by every host.
DCP_BANNER_COOKIE_NAME = "dcp_hidden_banners"

MIDDLEWARE = [
    "dcp_platform.health.middleware.HealthMiddleware",  # probes: before host routing, sessions, the database
    "dcp_platform.tenancy.middleware.CollectionFromHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "dcp_platform.security_headers.SecurityHeadersMiddleware",  # CSP nonce; no-store for signed-in pages
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dcp_platform.accounts.middleware.RequireTwoFactorForSupportMiddleware",
    "dcp_platform.cms.access.CollectionAdminAccessMiddleware",  # /cms/: this collection's editors only
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dcp_platform.cms.middleware.CollectionRedirectMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dcp_platform.theming.context_processors.theme",
                "dcp_platform.notifications.context_processors.notifications",
                "dcp_platform.cms.context_processors.service_banners",
                "dcp_platform.playback.context_processors.dashboards",
                "dcp_platform.quality.context_processors.record_queries",
            ],
        },
    },
]

WSGI_APPLICATION = "dcp_platform.wsgi.application"

DATABASE_URL = env("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/dcp")


def database_from_url(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    return {
        "ENGINE": "django_tenants.postgresql_backend",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": int(env("DCP_DB_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
    }


DATABASES = {"default": database_from_url(DATABASE_URL)}
# During a database or Redis outage pages and the API answer 503 with this Retry-After.
DCP_RETRY_AFTER_SECONDS = int(env("DCP_RETRY_AFTER_SECONDS", "30"))
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": env("DCP_CACHE_PREFIX", "dcp"),
    },
    # Keys that mean the same on every host (sign-in failures of an account): no collection in the key.
    "shared": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("DCP_CACHE_PREFIX", "dcp") + "-shared",
    },
}

# Accounts and sign-in
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["dcp_platform.accounts.backends.EmailThrottledBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:signed-out"
# Failed sign-ins are counted per account (lock the account briefly) and per address with a much higher
# limit, so one council's shared address is never locked out by a few people mistyping.
SIGN_IN_MAX_FAILURES_PER_ACCOUNT = int(env("DCP_SIGN_IN_MAX_FAILURES_PER_ACCOUNT", "5"))
SIGN_IN_MAX_FAILURES_PER_ADDRESS = int(env("DCP_SIGN_IN_MAX_FAILURES_PER_ADDRESS", "100"))
SIGN_IN_LOCKOUT_SECONDS = int(env("DCP_SIGN_IN_LOCKOUT_SECONDS", "900"))

# Idle sessions expire: every request pushes the expiry forward.
SESSION_COOKIE_AGE = int(env("DCP_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("DCP_SSL_REDIRECT", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail marks its own preview views SAMEORIGIN

OTP_TOTP_ISSUER = env("DCP_OTP_ISSUER", "Data collection service")

# Email: a file backend locally (messages land in var/mail), SMTP in production.
EMAIL_BACKEND = env(
    "DCP_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env("DCP_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("DCP_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = env("DCP_FROM_EMAIL", "no-reply@" + BASE_DOMAIN)
# Every email goes through dcp_platform.email_adapter: "files" hands it to EMAIL_BACKEND above, "notify"
# to GOV.UK Notify's API (one Notify template whose subject is ((subject)) and body ((body)), unless
# DCP_NOTIFY_TEMPLATES maps a template name to a Notify template id: {"invitation": "<uuid>"}).
DCP_EMAIL_ADAPTER = env("DCP_EMAIL_ADAPTER", "files")
DCP_NOTIFY_API_KEY = env("DCP_NOTIFY_API_KEY", "")
DCP_NOTIFY_BASE_URL = env("DCP_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
DCP_NOTIFY_TEMPLATE_ID = env("DCP_NOTIFY_TEMPLATE_ID", "")
DCP_NOTIFY_TEMPLATES: dict[str, str] = json.loads(env("DCP_NOTIFY_TEMPLATES", "{}"))
DCP_NOTIFY_TIMEOUT_SECONDS = float(env("DCP_NOTIFY_TIMEOUT_SECONDS", "10"))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = str(VAR_DIR / "static")
STATICFILES_DIRS = [str(REPO_DIR / "themes" / "static")]
MEDIA_URL = "/media/"
MEDIA_ROOT = str(VAR_DIR / "media")
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "dcp_platform.theming.storage.ProductionStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Themes: folders under themes/ with a theme.json; each collection may pick another one in the admin.
THEMES_DIR = REPO_DIR / "themes"
DEFAULT_THEME = env("DCP_THEME", "govuk")

# Postcode -> local authority and address lookups (dcp_platform.lookups.adapters): "local" reads what
# `manage.py load_postcodes` / `load_addresses` loaded; a process notices a newer load within the recheck seconds.
DCP_POSTCODE_ADAPTER = env("DCP_POSTCODE_ADAPTER", "local")
DCP_ADDRESS_ADAPTER = env("DCP_ADDRESS_ADAPTER", "local")
DCP_LOOKUP_RECHECK_SECONDS = float(env("DCP_LOOKUP_RECHECK_SECONDS", "60"))

# Answers known about an organisation before a record is started (registry/answer_sources.py): dotted paths.
DCP_ANSWER_SOURCES = ["dcp_platform.accounts.selectors.organisation_own_answers"]
# Seconds a generated paper form (HTML and PDF) is kept; its key holds the definition's content hash, so a
# changed definition is never served from an older copy.
DCP_PAPER_CACHE_SECONDS = int(env("DCP_PAPER_CACHE_SECONDS", str(7 * 24 * 3600)))

# Wagtail (one site per collection schema)
WAGTAIL_SITE_NAME = env("DCP_SITE_NAME", "Data collection service")
WAGTAILADMIN_BASE_URL = f"{URL_SCHEME}://{BASE_DOMAIN}"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Celery: Redis broker; the schema travels with each task (tenant-schemas-celery).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ACKS_LATE = True  # a killed worker's task is redelivered, not lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("DCP_CELERY_QUEUE", "celery")
CELERY_TASK_ALWAYS_EAGER = env_bool("DCP_CELERY_EAGER", False)
# Periodic housekeeping: run `celery beat` once per deployment (bin/run starts it inside its worker).
CELERY_BEAT_SCHEDULE = {
    "api-forget-old-idempotent-requests": {"task": "api.forget_old_idempotent_requests", "schedule": 3600.0},
    # Dashboards' figures: at most a minute behind the records (playback/services.py).
    "playback-refresh-changed-figures": {"task": "playback.refresh_changed_figures", "schedule": 60.0},
    # The analysts' feed (exports/feed.py): each collection year's CSV and Parquet, once a night.
    "exports-write-feeds": {"task": "exports.write_feeds", "schedule": crontab(hour=2, minute=30)},
    # Deleted records are restorable by support for DCP_DELETED_RECORDS_KEPT_DAYS, then purged (records/lifecycle.py).
    "records-purge-deleted": {"task": "records.purge_deleted_records", "schedule": crontab(hour=3, minute=15)},
}
DCP_DELETED_RECORDS_KEPT_DAYS = int(env("DCP_DELETED_RECORDS_KEPT_DAYS", "30"))
# Where the feed is written: a name in STORAGES, and the folder inside it.
DCP_EXPORT_FEED_STORAGE = env("DCP_EXPORT_FEED_STORAGE", "default")
DCP_EXPORT_FEED_PREFIX = env("DCP_EXPORT_FEED_PREFIX", "feeds")
# Downloads of more records than this are made in the background, fetched by a link that works this many days.
DCP_EXPORT_BACKGROUND_ROWS = int(env("DCP_EXPORT_BACKGROUND_ROWS", "50000"))
DCP_EXPORT_LINK_DAYS = int(env("DCP_EXPORT_LINK_DAYS", "7"))
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(env("DCP_CELERY_VISIBILITY_TIMEOUT", "3600"))}

REST_FRAMEWORK: dict[str, object] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}
# Requests per API key (every web process shares the counter in Redis).
DCP_API_RATE_LIMIT = env("DCP_API_RATE_LIMIT", "1200/minute")
# How long a create sent with an Idempotency-Key can be retried and get its first response back.
DCP_API_IDEMPOTENCY_HOURS = float(env("DCP_API_IDEMPOTENCY_HOURS", "24"))

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DCP_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Static files are collected here for production; in development WhiteNoise serves them from the finders,
# but expects the folder to exist.
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
