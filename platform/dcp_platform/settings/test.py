"""Test settings: the same as every environment, with faster hashing and a separate database."""

import os

os.environ.setdefault("DCP_ENV", "test")
os.environ.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/dcp")
os.environ.setdefault("DCP_TENANT_BASE_SCHEMA", "tenant_template")
# Per process, so parallel test runs sharing one Redis never see each other's counters (e.g. API rate limits).
os.environ.setdefault("DCP_CACHE_PREFIX", f"dcp-test-{os.getpid()}")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

from dcp_platform.settings import *  # noqa: E402,F403
from dcp_platform.settings import VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S105 - speed in tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = str(VAR_DIR / "test-media")
DCP_WINDOW_CACHE_SECONDS = 0  # tests change windows with queryset updates, which send no signals
DCP_BANNER_CACHE_SECONDS = 0  # tests publish and end banners between requests
DCP_TENANT_CACHE_SECONDS = 0  # tests create and rename collections
