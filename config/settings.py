"""One settings module, read from the environment once (see README's configuration table).

Every value has a working local default; a malformed value stops start-up with a clear message.
"""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config import log_redaction
from config.env import Env, load_or_create_secret_key, parse_database_url, parse_redis_url

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()

# Local state that is never committed: SQLite file, dev secret key, embedded broker, uploads.
VAR_DIR = env.path("VAR_DIR", BASE_DIR / "var")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (generate one of 50+ random characters)."
        )
    SECRET_KEY = load_or_create_secret_key(VAR_DIR / "secret_key")
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY is too short: with DEBUG off it needs 50 or more random characters."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])
PORT = env.int("PORT", 8000, minimum=1, maximum=65535)
SITE_URL = env.str("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")

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
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Project apps. `accounts` holds the one user model every actor shares.
    "accounts",
    "workdays",
    "districts",
    "certification",
    "experts",
    "cadres",
    "listings",
    "audits",
    "notifications",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.uploads.ClientFileNameMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.FormTextMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.otp.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.portal",
                "notifications.context_processors.inbox",
            ],
        },
    },
]

# --- Data stores -----------------------------------------------------------------------------
DATABASES = {
    "default": parse_database_url(
        env.str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env.int("DB_CONN_MAX_AGE", 60, minimum=0),
    )
}
if env.str("TEST_DATABASE_NAME"):
    # Lets two test runs on one server (two developers, CI beside a session) keep out of each other's way.
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The embedded default serves gunicorn's workers and the Celery worker at once. BEGIN IMMEDIATE
    # takes SQLite's single write lock when a transaction starts, so concurrent writers queue (up to
    # `timeout` seconds) instead of failing with "database is locked" on their first write; the same
    # lock is what serialises the draws and every other "one at a time" section that PostgreSQL
    # guards with row or advisory locks. WAL lets readers go on beside the writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL")
if REDIS_URL:
    parse_redis_url(REDIS_URL)
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared by the web process and the worker on one machine, unlike a per-process memory cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery ----------------------------------------------------------------------------------
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # Embedded broker: kombu's filesystem transport needs no server (local development only).
    _broker_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "results", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # kombu's default is ./control
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{_broker_dir / 'results'}"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Every clock (publicity end, the daily missing-report flags, reminders …) is a Deadline row that
# notifications.sweep finds by its indexed due_at; the digest goes out at 08:00 Beijing time.
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {"task": "accounts.tasks.clear_expired_sessions", "schedule": 3600.0},
    "sweep-deadlines": {"task": "notifications.tasks.sweep", "schedule": 60.0},
    "send-digests": {"task": "notifications.tasks.send_digests", "schedule": crontab(hour=8, minute=0)},
}

# --- Auth ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PortalBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 3600

# Idle timeout 30 minutes (a signed-in request renews the session and its cookie when the last
# renewal is a minute old: accounts.middleware.SessionLimitsMiddleware); absolute limit 12 hours.
SESSION_COOKIE_AGE = 30 * 60
SESSION_RENEW_SECONDS = 60
# An API token lives this long from its creation (accounts.tokens); then a new one is requested.
API_TOKEN_LIFETIME = env.int("API_TOKEN_LIFETIME", 12 * 3600, minimum=60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ABSOLUTE_SECONDS = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: five failures for one username from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The client's address, not the proxy's: the same rule as the rate limits (config.throttling).
AXES_CLIENT_IP_CALLABLE = "config.throttling.client_address"
# The API's token request gets its lockout as JSON, the sign-in page as the lockout page.
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"

# Two-factor sign-in (TOTP + recovery codes): officials, experts, the office; off only for local DEBUG runs.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=not DEBUG)
if not DEBUG and not OTP_REQUIRED and not env.bool("ALLOW_INSECURE_TEST_SETTINGS", False):
    raise ImproperlyConfigured(
        "OTP_REQUIRED=false is allowed only with DEBUG=true: two-factor sign-in is mandatory in production."
    )
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows TOTP secrets
OTP_TOTP_ISSUER = "天津市高新技术企业认定"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", VAR_DIR / "staticfiles")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
# Uploads are private: there is no MEDIA_URL route; files leave only through permission-checked views.
MEDIA_ROOT = env.path("MEDIA_ROOT", VAR_DIR / "media")
# A prefix no route answers: uploaded files are never reachable by URL.
MEDIA_URL = "/private-media/"
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_MB", 20, minimum=1, maximum=500) * 1024 * 1024
# Per application: how many materials, and how much together (certification.applications.services._require_quota).
UPLOAD_MAX_FILES = env.int("UPLOAD_MAX_FILES", 40, minimum=1, maximum=1000)
UPLOAD_MAX_TOTAL_BYTES = env.int("UPLOAD_MAX_TOTAL_MB", 200, minimum=1, maximum=10000) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

STORAGE_BACKEND = env.str("STORAGE_BACKEND", "filesystem")
if STORAGE_BACKEND == "s3":
    # Several web hosts: uploads go to S3-compatible object storage (MinIO, Ceph, OSS …).
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID"),
            "secret_key": env.str("S3_SECRET_ACCESS_KEY"),
            "region_name": env.str("S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if not _default_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs S3_BUCKET.")
elif STORAGE_BACKEND == "filesystem":
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND={STORAGE_BACKEND!r}: use filesystem or s3.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "config.storage.StaticStorage"},
}

# --- Email -----------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true.")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "天津市高新技术企业认定 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Domain errors → 400/409/403 in one place; API views do not catch them.
    "EXCEPTION_HANDLER": "certification.api.exceptions.exception_handler",
}
# Text the database or an email could not take (lone surrogates, control characters) and bodies
# nested too deep are a 400 at the parser, before any view (config.parsers).
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "config.parsers.StrictJSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]
SPECTACULAR_SETTINGS = {
    "TITLE": "天津市市级高新技术企业认定 API",
    "DESCRIPTION": "Public API v1 of the Tianjin municipal high-tech enterprise certification portal.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc are served from the portal's own static files (sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "certification.models.ApplicationStatus",
        "DocumentKindEnum": "certification.models.DocumentKind",
        "IPKindEnum": "certification.models.IPKind",
        "AcquisitionEnum": "certification.models.Acquisition",
        "RoleEnum": "accounts.models.Role",
        "ListingStageEnum": "listings.models.Stage",
        "ListingListKindEnum": "listings.models.ListKind",
        "ListingActivityKindEnum": "listings.models.ActivityKind",
        "ExpertKindEnum": "experts.models.ExpertKind",
        "ChangeKindEnum": "certification.models.ChangeKind",
        "MajorChangeKindEnum": "certification.models.MajorChangeKind",
        "ChangeStatusEnum": "certification.models.ChangeStatus",
        "NoticeKindEnum": "certification.models.NoticeKind",
        "NoticeStatusEnum": "certification.models.NoticeStatus",
        "CadreHalfEnum": "cadres.models.Half",
        "AssessmentStatusEnum": "cadres.models.AssessmentStatus",
        "HelpAssignmentKindEnum": "cadres.models.AssignmentKind",
        "LedgerDecisionEnum": "cadres.api.serializers.LedgerDecision",
    },
}

# --- Security --------------------------------------------------------------------------------
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # How many trusted proxies append to X-Forwarded-For in front of the portal (config.throttling).
    PROXY_COUNT = env.int("PROXY_COUNT", 1, minimum=1, maximum=5)
# Health checks come over plain HTTP from inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Passwords, tokens, OTP codes, session ids, identity and phone numbers are masked
    # (config/log_redaction.py); install() below masks every record before any handler sees it.
    "filters": {"redact": {"()": "config.log_redaction.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
log_redaction.install()
