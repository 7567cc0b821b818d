"""One settings module, driven by environment variables (see README, "Settings")."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


def _bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=str(default))
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def _int(name: str, default: int) -> int:
    raw = env.str(name, default=str(default))
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


DEBUG = _bool("DEBUG", False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off (set DEBUG=true for a local demo).")
    SECRET_KEY = "insecure-local-development-key-only"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "mrv",
    "registry",
    "deadlines",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mrv.ui.middleware.ChosenLanguageMiddleware",  # LocaleMiddleware without Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mrv.refusals.RefusalMiddleware",  # a refusal no view caught: a message, not a 500
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mrv.ui.navigation.navigation",
                "deadlines.context_processors.notifications",
            ],
        },
    },
]

_db_url = env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'mrv.sqlite3'}")
if _db_url.startswith("sqlite:///") and str(VAR_DIR) in _db_url:
    VAR_DIR.mkdir(exist_ok=True)  # the demo's database lives in var/, which a fresh clone lacks
if _db_url.split(":", 1)[0] not in environ.Env.DB_SCHEMES:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a valid database URL: unknown scheme in {_db_url.split(':', 1)[0]!r} "
        "(use postgres://, sqlite:///, …)."
    )
try:
    DATABASES = {"default": env.db_url_config(_db_url)}
except (environ.ImproperlyConfigured, ValueError, KeyError) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: opening a PostgreSQL connection per request costs more than most pages.
# In production put pgbouncer (transaction pooling) in front of PostgreSQL (README, "Scaling out").
DATABASES["default"].setdefault("CONN_MAX_AGE", _int("CONN_MAX_AGE", 60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
_replica_url = env.str("DATABASE_REPLICA_URL", default="")
if _replica_url:
    try:
        DATABASES["replica"] = env.db_url_config(_replica_url)
    except (environ.ImproperlyConfigured, ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL is not a valid database URL: {exc}") from None
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["mrv.replicas.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "mrv.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves hashed, compressed files collected by `collectstatic`; tests and the demo serve
# them straight from the source folders.
STATIC_MANIFEST = _bool("STATIC_MANIFEST", not DEBUG)
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
# Stored files (evidence, uploads, plan attachments) go through Django's storage API only, so the web
# tier keeps no state: the local file system for the demo, S3-compatible object storage in production.
FILE_STORAGE = env.str("FILE_STORAGE", default="local")
if FILE_STORAGE not in {"local", "s3"}:
    raise ImproperlyConfigured(f"FILE_STORAGE must be local or s3, not {FILE_STORAGE!r}.")
_S3_OPTIONS = {
    "bucket_name": env.str("S3_BUCKET", default="carbon-mrv"),
    "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
    "region_name": env.str("S3_REGION", default="") or None,
    "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
    "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
    "default_acl": None,
    "querystring_auth": True,
    "file_overwrite": False,
}
STORAGES = {
    "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _S3_OPTIONS}
    if FILE_STORAGE == "s3"
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads (evidence, activity-data files) live outside the web root and are served only by views
# that check access.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "uploads"))
MEDIA_URL = None
UPLOAD_MAX_BYTES = _int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024

# Email: a file backend by default, so that the demo shows what would have been sent.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = _int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = _bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Carbon MRV <noreply@carbon-mrv.local>")

# Celery: without a broker, tasks run eagerly in-process (the one-command demo).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": _int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request never waits for the broker: connecting fails fast, publishing is not retried (the
# outbox keeps the row and `mrv.publish_outbox` sends it later).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS.update({"socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 0})
CELERY_TASK_PUBLISH_RETRY = False

# Deadlines: reminders this many days before each due date (Asia/Shanghai dates).
try:
    REMINDER_OFFSETS_DAYS = sorted({int(d) for d in env.list("REMINDER_OFFSETS_DAYS", default=["30", "7", "1"])})
except ValueError:
    raise ImproperlyConfigured("REMINDER_OFFSETS_DAYS must be whole numbers of days, e.g. 30,7,1.") from None
if not REMINDER_OFFSETS_DAYS or REMINDER_OFFSETS_DAYS[0] < 1:
    raise ImproperlyConfigured("REMINDER_OFFSETS_DAYS must be whole numbers of days of at least 1, e.g. 30,7,1.")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "mrv.refusals.api_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Carbon MRV API",
    "DESCRIPTION": "For covered firms' own IT systems: reports, activity data, submissions. "
    "Authenticate with `Authorization: Token <key>` (a token per user, issued in the admin).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"AllocationMethodEnum": "mrv.models.markets.MarketSector.AllocationMethod"},
}

SESSION_COOKIE_SECURE = not DEBUG and _bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

MRV_NAME = _("Carbon MRV")
