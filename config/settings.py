"""One settings module, driven by environment variables (see README, "Settings")."""

import re
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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "mrv",
    "registry",
    "deadlines",
    "signin",
    "disclosure",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mrv.ui.middleware.ChosenLanguageMiddleware",  # LocaleMiddleware without Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mrv.security.sessions.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "signin.middleware.SecondFactorMiddleware",
    "signin.middleware.DeniedObjectMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "mrv.ui.middleware.RefuseNulCharactersMiddleware",  # 400 with a message, not a database error
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mrv.refusals.RefusalMiddleware",  # a refusal no view caught: a message, not a 500
    "mrv.ui.middleware.YearNotSupportedMiddleware",
    "mrv.security.headers.NoStoreForSignedInMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lock-out into the lock-out page
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
# The application works as this PostgreSQL role (SET ROLE on each connection), which may only INSERT and
# SELECT the append-only records; `migrate` runs as the login (owner) role and grants it (mrv/security/db_roles.py).
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="")
if DATABASE_APP_ROLE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    import re

    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", DATABASE_APP_ROLE):
        raise ImproperlyConfigured(
            f"DATABASE_APP_ROLE must be a plain PostgreSQL role name, not {DATABASE_APP_ROLE!r}."
        )
    DATABASES["default"]["ENGINE"] = "mrv.security.pg"
    DATABASES["default"].setdefault("OPTIONS", {})["assume_role"] = DATABASE_APP_ROLE
elif DATABASE_APP_ROLE:
    DATABASE_APP_ROLE = ""  # SQLite (the demo) has no roles
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
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or source before the password
    "django.contrib.auth.backends.ModelBackend",
]
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
# Chinese figures grouped by thousands as in Chinese statistical tables (config/formats/zh_Hans).
FORMAT_MODULE_PATH = ["config.formats"]
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
# A spreadsheet larger than this is read by a worker (a background job with a progress page), not by the
# web request; the CPU seconds a parse may spend in a request and in a worker (mrv.uploads.ParseBudget).
UPLOAD_INLINE_MAX_BYTES = _int("UPLOAD_INLINE_MAX_BYTES", 256 * 1024)
UPLOAD_PARSE_CPU_SECONDS = _int("UPLOAD_PARSE_CPU_SECONDS", 5)
UPLOAD_JOB_CPU_SECONDS = _int("UPLOAD_JOB_CPU_SECONDS", 60)
# A trade file of more rows than this is checked and recorded by a worker (each trade is a ledger movement).
TRADE_IMPORT_INLINE_ROWS = _int("TRADE_IMPORT_INLINE_ROWS", 200)
# A background job is stopped (soft limit: it records the failure) after this many seconds of wall time.
JOB_SOFT_TIME_LIMIT = _int("JOB_SOFT_TIME_LIMIT", 1800)

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
# Registry brakes (in the manner of EU Reg. 2019/1122 art. 35 and the UK ETS registry): transfers to an account
# not on the paying account's trusted list execute this many hours after approval and can be cancelled
# meanwhile; an addition to a trusted list takes effect this many hours after its approval; caps on what
# leaves a holding account per transfer and per day (0: no cap), overridable per account.
REGISTRY_TRANSFER_DELAY_HOURS = _int("REGISTRY_TRANSFER_DELAY_HOURS", 26)
REGISTRY_TRUSTED_LIST_DELAY_HOURS = _int("REGISTRY_TRUSTED_LIST_DELAY_HOURS", 168)
REGISTRY_TRANSFER_MAX_T = _int("REGISTRY_TRANSFER_MAX_T", 1_000_000)
REGISTRY_TRANSFER_MAX_PER_DAY_T = _int("REGISTRY_TRANSFER_MAX_PER_DAY_T", 2_000_000)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# The public disclosure pages are cached and anonymous clients are rate-limited through this cache; with
# several server processes it must be shared (Redis). Default: CACHE_URL, else the Celery broker's Redis.
CACHE_URL = env.str("CACHE_URL", default=env.str("CELERY_BROKER_URL", default=""))
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "mrv"}
        if CACHE_URL.startswith(("redis://", "rediss://"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Requests per client address for anonymous visitors of the public pages and the public API.
DISCLOSURE_ANON_RATES = {
    "public_pages": env.str("PUBLIC_PAGES_RATE", default="120/min"),
    "public_api": env.str("PUBLIC_API_RATE", default="60/min"),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "signin.tokens.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "signin.tokens.TokenScopePermission",
    ],
    # per token owner and source (signin.ratelimit) and per API token (mrv.api.conventions): 429 + Retry-After
    "DEFAULT_THROTTLE_CLASSES": ["signin.ratelimit.ApiThrottle", "mrv.api.conventions.TokenThrottle"],
    "DEFAULT_PAGINATION_CLASS": "mrv.api.conventions.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "mrv.api.conventions.api_exception_handler",
    # rate limits count per client address: REMOTE_ADDR, or X-Forwarded-For behind PROXY_COUNT trusted proxies
    "NUM_PROXIES": _int("PROXY_COUNT", 0),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Carbon MRV API",
    "DESCRIPTION": "For covered firms' own IT systems: reports, activity data, submissions. "
    "Authenticate with `Authorization: Token <key>` (each user issues named, expiring read or write tokens "
    "on the API tokens page; a write token is needed for POST, PUT, PATCH and DELETE).",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "mrv.api.conventions.add_common_problems",
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AllocationMethodEnum": "mrv.models.markets.MarketSector.AllocationMethod",
        "ParameterSourceEnum": "mrv.models.plans.PlanParameter.Source",
        "UnitTypeEnum": "registry.models.UNIT_TYPES",
    },
}

# Sessions: signed out after 30 min without a request (the expiry moves with the requests, saved at most
# once a minute) and 12 h after sign-in whatever the activity (mrv/security/sessions.py).
SESSION_IDLE_TIMEOUT_SECONDS = _int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_ABSOLUTE_LIFETIME_SECONDS = _int("SESSION_ABSOLUTE_LIFETIME_SECONDS", 12 * 60 * 60)
if SESSION_IDLE_TIMEOUT_SECONDS < 60 or SESSION_ABSOLUTE_LIFETIME_SECONDS < SESSION_IDLE_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        "SESSION_IDLE_TIMEOUT_SECONDS must be at least 60 and SESSION_ABSOLUTE_LIFETIME_SECONDS at least as long."
    )
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_SECONDS
SESSION_COOKIE_HTTPONLY = True

# --- Sign-in: second factor, step-up, lock-out, tokens, security events, rate limits (README "Security") ---
# The second factor (TOTP with recovery codes) is required for the roles below and for every admin-site
# sign-in; the one-command demo turns it off so that its logins work with the password alone.
MFA_REQUIRED = _bool("MFA_REQUIRED", True)
MFA_ROLES = ["national_admin", "regulator_officer", "regulator_head", "lead_verifier", "firm_approver"]
OTP_TOTP_ISSUER = "Carbon MRV"
# Approving a transfer, surrendering, issuing allocation, approving a determination or deciding a penalty
# needs a re-authentication no older than this.
STEP_UP_MINUTES = _int("STEP_UP_MINUTES", 5)
# django-axes: an account, and separately a source address, is locked after this many failed sign-ins, until the cool-off has passed or a
# regulator / the national administrator unlocks it (`manage.py unlock_signin <username>`).
AXES_FAILURE_LIMIT = _int("SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = _int("SIGNIN_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: the account, and the source
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "signin/locked_out.html"
AXES_IPWARE_PROXY_COUNT = _int("PROXY_COUNT", 0) or None
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "mrv.inputs.bounded_login_username"  # a 5,000-character name is refused, not a 500
API_TOKEN_DAYS = _int("API_TOKEN_DAYS", 90)
API_TOKEN_MAX_DAYS = _int("API_TOKEN_MAX_DAYS", 365)
# A warning goes to the national administrators when one source fails this many sign-ins within the window.
SIGNIN_BURST_FAILURES = _int("SIGNIN_BURST_FAILURES", 20)
SIGNIN_BURST_MINUTES = _int("SIGNIN_BURST_MINUTES", 5)


def _rates(name: str, default: str) -> tuple[str, str]:
    """`RATE_LIMIT_<NAME>="per user,per source"`, each as count/period (s, m, h, d), e.g. "30/m,120/m"."""
    raw = env.str(f"RATE_LIMIT_{name.upper()}", default=default)
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) != 2 or not all(re.fullmatch(r"[1-9][0-9]*/[smhd]", p) for p in parts):
        raise ImproperlyConfigured(f"RATE_LIMIT_{name.upper()} must be like '30/m,120/m', not {raw!r}.")
    return parts[0], parts[1]


RATE_LIMITS = {
    "signin": _rates("signin", "10/m,30/m"),
    "upload": _rates("upload", "20/m,60/m"),
    "submit": _rates("submit", "20/m,60/m"),
    "transfer": _rates("transfer", "20/m,60/m"),
    "api": _rates("api", "600/m,1200/m"),
}
# Each API token on its own, whoever owns it (RATE_LIMIT_API_TOKEN="600/m").
API_TOKEN_RATE = env.str("RATE_LIMIT_API_TOKEN", default="600/m")
if not re.fullmatch(r"[1-9][0-9]*/[smhd]", API_TOKEN_RATE):
    raise ImproperlyConfigured(f"RATE_LIMIT_API_TOKEN must be like '600/m', not {API_TOKEN_RATE!r}.")
# API lists count exactly up to this many rows, then say "more than" (count_is_exact: false).
API_COUNT_CAP = _int("API_COUNT_CAP", 10_000)
# An Idempotency-Key is remembered this long after its first use.
IDEMPOTENCY_KEY_TTL_HOURS = _int("IDEMPOTENCY_KEY_TTL_HOURS", 24)
# Counters live in the cache (Redis in production); tests give each test its own prefix.
RATE_LIMIT_PREFIX = "rl"

_redis_url = env.str("REDIS_URL", default="") or (CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url, "KEY_PREFIX": "mrv-cache"}
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

SESSION_COOKIE_SECURE = not DEBUG and _bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HTTPS in production (README, "Production"): redirect plain HTTP, and tell browsers to use HTTPS only.
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's probe speaks plain HTTP
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", False)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
if _bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (django-csp): scripts and styles only from our own static files, no inline
# code; htmx is told not to inject its indicator style (templates/base.html), the CSS has it instead.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

MRV_NAME = _("Carbon MRV")
