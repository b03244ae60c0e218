"""Settings shared by every environment. Configuration comes from environment variables only."""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications -----------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "allauth",
    "allauth.account",
    "rest_framework",
    "knox",  # API tokens, stored hashed (accounts.ApiToken; accounts/tokens.py)
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "phonenumber_field",
    # ours
    "accounts",
    "notices",
    "bookings",
    "loyalty",
    "packages",
    "segments",
    "referrals",
    "reports",
    "onboarding",
    "languages",
    "payments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the database: in a GET/HEAD a read whose connection died is run
    # once more on a new connection instead of answering 500 (salonbook/db_retry.py).
    "salonbook.db_retry.DatabaseReadRetryMiddleware",
    # Before anything reads the body: /api/ answers an oversized one with a JSON 413.
    "salonbook.api_middleware.ApiRequestTooLargeMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "languages.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "salonbook.urls"
WSGI_APPLICATION = "salonbook.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # `{{ amount|money:currency }}` everywhere (languages/templatetags/money.py).
            "builtins": ["languages.templatetags.money"],
        },
    },
]

# --- Data -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'salonbook.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# Persistent connections (seconds; 0 closes after each request), checked before reuse so a
# connection killed by the server or a failover is replaced instead of failing a request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction pooling mode: no server-side cursors (they live across
# transactions). Statements are bound client-side (Django's psycopg default), so no prepared
# statements either; README "Performance" describes the set-up.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DISABLE_SERVER_SIDE_CURSORS", default=False
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serializes writers; wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "salonbook.cache.ResilientRedisCache",  # fails open when Redis is down
            "LOCATION": REDIS_URL,
        }
    }
else:
    # Shared by the web and the worker processes without any server.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# The public availability, cached per salon version (bookings/availability_cache.py): seconds
# an entry lives (a lapsed payment hold stays hidden at most this long); 0 turns it off.
# PostgreSQL only (the version triggers); SQLite always computes.
AVAILABILITY_CACHE_SECONDS = env.int("AVAILABILITY_CACHE_SECONDS", default=30)
AVAILABILITY_CACHE_ALIAS = "default"

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses an account locked by too many failed logins (accounts/login_limits.py).
    "accounts.backends.LoginLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# Failed logins per account (normalised email) from all addresses, on every way to log in
# (allauth, /admin/login/, the API token endpoint); past the limit even the right password is
# refused until the window (from the first failure) ends. accounts/login_limits.py.
LOGIN_MAX_FAILURES_PER_ACCOUNT = env.int("LOGIN_MAX_FAILURES_PER_ACCOUNT", default=10)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
# allauth's own limits (per client IP as salonbook/net.py reads it, and per email).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": env("ACCOUNT_LOGIN_FAILED_RATE", default="10/m/ip,5/300s/key"),
}

# --- Internationalization ---------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("et", _("Estonian")),
    ("da", _("Danish")),
    ("ro", _("Romanian")),
    ("fi", _("Finnish")),
    ("de", _("German")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Our English starts weeks on Monday; every other format is Django's per language.
FORMAT_MODULE_PATH = ["salonbook.formats"]
TIME_ZONE = "UTC"
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = env("PHONENUMBER_DEFAULT_REGION", default="EE")

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security ---------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Behind a reverse proxy: the request.META key of the header the proxy sets to the client's
# address (e.g. HTTP_X_FORWARDED_FOR); its last entry is used. Unset: REMOTE_ADDR, and
# forwarded headers are ignored. Every throttle reads the client IP through salonbook/net.py.
# PASSCODE_TRUSTED_PROXY_HEADER is the old name, still read.
TRUSTED_PROXY_HEADER = env(
    "TRUSTED_PROXY_HEADER", default=env("PASSCODE_TRUSTED_PROXY_HEADER", default="")
)

# Absolute links in notices (manage a booking, add it to a calendar) start with this; by
# default the port actually served (`PORT=8001 make run`).
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}").rstrip("/")

# Booking passcodes (bookings/passcodes.py), per window: wrong codes per client IP before that
# address is refused until the window ends; wrong codes per location or staff member from all
# IPs before every attempt on it waits a growing delay (1 s, 2 s, 4 s … at most the max
# delay; never a lockout) and the salon's owners are e-mailed.
PASSCODE_MAX_FAILURES_PER_IP = env.int("PASSCODE_MAX_FAILURES_PER_IP", default=5)
PASSCODE_MAX_FAILURES_PER_TARGET = env.int("PASSCODE_MAX_FAILURES_PER_TARGET", default=20)
PASSCODE_TARGET_MAX_DELAY_SECONDS = env.int("PASSCODE_TARGET_MAX_DELAY_SECONDS", default=60)
PASSCODE_WINDOW_SECONDS = env.int("PASSCODE_WINDOW_SECONDS", default=15 * 60)

# Online bookings (public site checkout and public API) per client IP and per salon within a
# window (bookings/booking_limits.py).
PUBLIC_BOOKING_MAX_PER_IP = env.int("PUBLIC_BOOKING_MAX_PER_IP", default=20)
PUBLIC_BOOKING_MAX_PER_SALON = env.int("PUBLIC_BOOKING_MAX_PER_SALON", default=300)
PUBLIC_BOOKING_WINDOW_SECONDS = env.int("PUBLIC_BOOKING_WINDOW_SECONDS", default=3600)

# --- Email and SMS ----------------------------------------------------------------------
# Notices of one kind to one address (all salons together) per hour; more are recorded as
# failed with the reason, not sent (notices/services.py). 0 switches the limit off.
NOTICE_MAX_PER_RECIPIENT_PER_HOUR = env.int("NOTICE_MAX_PER_RECIPIENT_PER_HOUR", default=5)
# Time-outs of one delivery attempt (seconds); the claim lease (NOTICE_LEASE_SECONDS) must be
# longer, so a send still in progress is never claimed again.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
SMS_TIMEOUT = env.int("SMS_TIMEOUT", default=10)
NOTICE_LEASE_SECONDS = env.int("NOTICE_LEASE_SECONDS", default=45)
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="SalonBook <no-reply@salonbook.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMS_BACKEND = env("SMS_BACKEND", default="notices.sms.ConsoleSmsBackend")
SMS_FILE_PATH = env("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
# Excel exports written in the background (reports/jobs/): a folder per salon, files named by
# an unguessable token, deleted after REPORTS_EXPORT_TTL_HOURS; never served as static/media.
REPORTS_EXPORT_DIR = env("REPORTS_EXPORT_DIR", default=str(VAR_DIR / "exports"))
REPORTS_EXPORT_TTL_HOURS = env.int("REPORTS_EXPORT_TTL_HOURS", default=24)
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")

# Online card payments (payments/providers/stripe.py): empty = Stripe not configured (the
# online method is not offered; pay at the salon works as before).
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")

# --- Celery -----------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    # A broker that needs no server, so scheduled work really runs in the demo.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        # kombu's default is ./control (the exchange tables of the worker's remote control):
        # keep everything the broker writes under var/.
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
    }
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=CELERY_BROKER_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    # Expired Excel exports deleted, lost export jobs published again (reports/jobs/services.py).
    "reports-export-jobs-sweep": {
        "task": "reports.tasks.export_jobs_sweep",
        "schedule": 300.0,
    },
    "bookings-send-reminders": {
        "task": "bookings.tasks.appointments_send_reminders",
        "schedule": 300.0,
    },
    "bookings-complete-ended": {
        "task": "bookings.tasks.appointments_complete_ended",
        "schedule": 600.0,
    },
    # Pending orders past their expiry cancelled (holds released); failed refunds retried
    # (payments/tasks.py).
    "payments-sweep": {
        "task": "payments.tasks.payments_sweep",
        "schedule": 60.0,
    },
    # Times held for an online payment that was not made are freed (bookings/services/holds.py;
    # a booking over an expired hold frees it at once anyway).
    "bookings-holds-release-expired": {
        "task": "bookings.tasks.holds_release_expired",
        "schedule": 60.0,
    },
    # Points for visits that ended the salon's delay ago (loyalty/services/award.py); every
    # 2 minutes, so "3 hours after the visit" is 3 hours and at most 2 minutes.
    "loyalty-award-due": {
        "task": "loyalty.tasks.points_award_due",
        "schedule": 120.0,
    },
    # Safety net behind the referral booking-event handlers (referrals/tasks.py).
    "referrals-reconcile": {
        "task": "referrals.tasks.referrals_reconcile",
        "schedule": 600.0,
    },
    # Notices lost by a dead worker or broker go out again within a minute
    # (NOTICE_LEASE_SECONDS 45 s + this interval; notices/services.py).
    "notices-retry-stuck": {
        "task": "notices.tasks.notices_requeue_stale",
        "schedule": 15.0,
    },
}
CELERY_TIMEZONE = "UTC"

# --- Loyalty ----------------------------------------------------------------------------
# Visits older than this are not credited automatically (loyalty/services/award.py).
LOYALTY_AWARD_LOOKBACK_DAYS = env.int("LOYALTY_AWARD_LOOKBACK_DAYS", default=30)
# Gift card code guessing (loyalty/codes.py): wrong codes per IP and per salon in the window.
GIFT_CARD_MAX_FAILURES_PER_IP = env.int("GIFT_CARD_MAX_FAILURES_PER_IP", default=10)
GIFT_CARD_MAX_FAILURES_PER_SALON = env.int("GIFT_CARD_MAX_FAILURES_PER_SALON", default=200)
GIFT_CARD_WINDOW_SECONDS = env.int("GIFT_CARD_WINDOW_SECONDS", default=900)

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "salonbook.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    # Public endpoints throttle anonymous callers per IP (see bookings/api/public.py).
    "DEFAULT_THROTTLE_RATES": {"anon": env("API_ANON_RATE", default="600/minute")},
    "EXCEPTION_HANDLER": "salonbook.api.exception_handler",
}
# API tokens (django-rest-knox): `Authorization: Token <token>`; only a digest is stored, each
# expires after API_TOKEN_TTL_DAYS and can be revoked by its user (accounts/tokens.py).
KNOX_TOKEN_MODEL = "accounts.ApiToken"
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=30)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
API_TOKEN_MAX_PER_USER = env.int("API_TOKEN_MAX_PER_USER", default=20)
# knox's own AuthToken is swapped out for accounts.ApiToken; without this its migrations would
# still create an unused table (whose foreign key to the users blocks TRUNCATE in tests).
MIGRATION_MODULES = {"knox": None}
SPECTACULAR_SETTINGS = {
    "TITLE": "SalonBook API",
    "DESCRIPTION": "Owner and public endpoints of SalonBook.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for every field whose choices are our languages (a salon's default language, a
    # client's preferred one…), instead of a warning that they share a choice set.
    "ENUM_NAME_OVERRIDES": {"LanguageEnum": LANGUAGES},
}

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
