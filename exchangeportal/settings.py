"""Settings for the CJK City Exchange Portal.

One module, driven by environment variables (see `.env.example`). Nothing secret
is committed: with DEBUG off the secret key must come from the environment.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(the Makefile's dev targets set both for you)."
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    "exchangeportal.apps.PortalAdminConfig",  # django.contrib.admin, with the portal's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "csp",
    "exchangeportal",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "cities",
    "events",
    "axes",
]

MIDDLEWARE = [
    "exchangeportal.infra.middleware.HealthCheckMiddleware",
    "exchangeportal.infra.middleware.RequestIDMiddleware",
    # HEAD answers lose their body (outermost, so its Content-Length is that of the encoded
    # body); then Brotli/gzip for what holds no secret (exchangeportal/infra/compression.py).
    "exchangeportal.infra.compression.HeadResponseMiddleware",
    "exchangeportal.infra.compression.CompressionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "exchangeportal.infra.middleware.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: locks out repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "exchangeportal.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "exchangeportal.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: English is the bridge, the portal's readers are Chinese, Japanese and Korean.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["exchangeportal.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # stored in UTC; events are shown in their host place's time zone

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGIN_URL = "admin:login"

REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "exchangeportal.infra.api.paging.ApiPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous call then answers 401 with `WWW-Authenticate: Token`.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "exchangeportal.infra.api.formats.ApiContentNegotiation",
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_THROTTLE_CLASSES": [
        "exchangeportal.infra.api.throttling.AnonThrottle",
        "exchangeportal.infra.api.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON") or "120/minute",
        "user": os.environ.get("API_THROTTLE_USER") or "600/minute",
    },
    "EXCEPTION_HANDLER": "exchangeportal.infra.api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# --- Logging: one JSON line per request and per error, each with the request id ----------
# DJANGO_LOG_FORMAT=json (default with DEBUG off) or text (default with DEBUG on).
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "text" if DEBUG else "json")
# The open API's documentation (OpenAPI 3 at /api/schema/, Swagger UI and ReDoc from static/).
SPECTACULAR_SETTINGS = {
    "TITLE": "CJK City Exchange Portal API",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TieKindEnum": "cities.models.TieKind",
        "TieStatusEnum": "cities.models.TieStatus",
        "MilestoneKindEnum": "cities.models.MilestoneKind",
        "DatePrecisionEnum": "cities.dates.DatePrecision",
        "DesignationStatusEnum": "cities.models.DesignationStatus",
        "EventStatusEnum": "events.models.EventStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "exchangeportal.infra.api.schema.postprocess_error_responses",
        "exchangeportal.infra.api.schema.postprocess_text_patterns",
    ],
}

# CORS: any origin may read the API anonymously (GET); nothing else is allowed cross-origin.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = ["accept", "accept-language"]

# Where the open-data dump (dump.zip) is kept between data changes, under MEDIA_ROOT.
OPEN_DATA_DIR = "opendata"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "exchangeportal.infra.logging.RequestIDFilter"}},
    "formatters": {
        "json": {"()": "exchangeportal.infra.logging.JSONFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT if LOG_FORMAT in {"json", "text"} else "json",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # pypdf's lenient parse of a sloppy uploaded PDF warns about each flaw it repairs.
    "loggers": {"pypdf": {"level": "ERROR"}},
}
OPEN_DATA_LICENCE = os.environ.get("OPEN_DATA_LICENCE") or (
    "Creative Commons Attribution 4.0 International (CC BY 4.0), "
    "https://creativecommons.org/licenses/by/4.0/ — credit: CJK City Exchange Portal. "
    "Coordinates contain data from GeoNames, licensed under CC BY 4.0. Each row names its "
    "sources; the facts remain those of their publishers."
)


# --- Production profile (issue #9) -------------------------------------------------------
# Everything below comes from the environment; README "Deploying" lists each variable.


# Cache (CACHE_URL): redis://host:port/db or rediss://… uses Django's Redis backend (with one
# client per connection pool: exchangeportal/infra/cache_backends.py);
# locmem:// (the default) is per process, dummy:// caches nothing. Kept in this one block so
# other CACHE_URL parsing can be folded in here.
def parse_cache_url(url: str) -> dict:
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "exchangeportal.infra.cache_backends.PortalRedisCache", "LOCATION": url}
    if scheme == "locmem":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": url.split("://", 1)[1] or "exchangeportal",
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL must start with redis://, rediss://, locmem:// or dummy:// (got {scheme!r})."
    )


CACHES = {"default": parse_cache_url(os.environ.get("CACHE_URL") or "locmem://")}

# HTTPS is terminated at the proxy / load balancer, which must set X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe the health checks over plain HTTP: never redirect them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=True)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
CSRF_COOKIE_HTTPONLY = True  # scripts read the token from the form, never the cookie
CSRF_FAILURE_VIEW = "exchangeportal.infra.errors.csrf_failure"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Client addresses for rate limits: how many proxies in front append to X-Forwarded-For.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
# Set to 0 to switch every rate limit off (e.g. for a load test).
RATELIMIT_ENABLED = env_bool("DJANGO_RATELIMIT_ENABLED", default=True)

# The admin under a path of your choosing ("staff-desk/"); always ends with one slash.
ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin/").strip().strip("/") + "/"
if ADMIN_PATH == "/":
    raise ImproperlyConfigured("DJANGO_ADMIN_PATH must not be empty.")

# Permissions-Policy: browser features the portal never uses are switched off.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
# Seconds a request waits for the mail server after commit (mail is queued in the database
# first, so a slow or dead server only delays the message: manage.py retry_mail sends it).
MAIL_SEND_TIMEOUT = float(os.environ.get("MAIL_SEND_TIMEOUT", "5"))
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Media: the local folder MEDIA_ROOT by default; S3-compatible object storage (django-storages)
# when AWS_STORAGE_BUCKET_NAME is set. Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
# in the environment (read by boto3 itself, never stored in settings).
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", default=True),
            "file_overwrite": False,
            "default_acl": None,
        },
    }
    MEDIA_ORIGIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or os.environ.get(
        "AWS_S3_ENDPOINT_URL", ""
    )
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    MEDIA_ORIGIN = ""

# Static files: whitenoise serves them. In production, compressed files with content hashes in
# their names (run collectstatic first; `make serve` does). With DEBUG on, or
# DJANGO_STATIC_MANIFEST=0, plain storage: no collectstatic needed (the tests use it too).
STATIC_MANIFEST = env_bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_AUTOREFRESH = DEBUG
# collectstatic writes a .br (the `brotli` package is installed) and a .gz beside each file;
# whitenoise serves the one the client accepts. GeoJSON is not in its list of types.
WHITENOISE_MIMETYPES = {".geojson": "application/geo+json"}
WHITENOISE_USE_FINDERS = DEBUG or not STATIC_MANIFEST

# Content-Security-Policy (django-csp): everything from this site; no inline script or style.
_MEDIA_SOURCES = [MEDIA_ORIGIN.rstrip("/")] if MEDIA_ORIGIN else []
if _MEDIA_SOURCES and "://" not in _MEDIA_SOURCES[0]:
    _MEDIA_SOURCES = [f"https://{_MEDIA_SOURCES[0]}"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_MEDIA_SOURCES],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Partners and proposals -------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses logins while a username/IP pair is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "partners/locked_out.html"
# The client address as the rate limits see it (DJANGO_TRUSTED_PROXY_COUNT), never the proxy's;
# an address locked across user names too; lockouts answer 429 with Retry-After.
AXES_CLIENT_IP_CALLABLE = "exchangeportal.infra.login_protection.axes_client_ip"
AXES_HANDLER = "exchangeportal.infra.login_protection.PortalAxesHandler"
AXES_LOCKOUT_CALLABLE = "exchangeportal.infra.login_protection.lockout_response"
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "10"))

# Proposal files (images, PDFs) are private: stored outside MEDIA_ROOT, served by a
# permission-checked view only.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))

# Abuse limits: "count/seconds".
PARTNER_SIGNUP_RATE = os.environ.get("PARTNER_SIGNUP_RATE", "5/3600")  # per IP
PROPOSAL_SUBMIT_RATE_PARTNER = os.environ.get("PROPOSAL_SUBMIT_RATE_PARTNER", "10/3600")
PROPOSAL_SUBMIT_RATE_IP = os.environ.get("PROPOSAL_SUBMIT_RATE_IP", "20/3600")
PROPOSAL_OPEN_LIMIT = int(os.environ.get("PROPOSAL_OPEN_LIMIT", "20"))
# The review time the portal's reviewers aim for, stated on the partner programme page.
PROPOSAL_REVIEW_DAYS = int(os.environ.get("PROPOSAL_REVIEW_DAYS", "14"))
# Days an e-mail verification link stays valid.
PARTNER_EMAIL_VERIFICATION_DAYS = int(os.environ.get("PARTNER_EMAIL_VERIFICATION_DAYS", "3"))
AXES_VERBOSE = False
# Cut over-long submitted user names before axes stores them (a 500 on PostgreSQL otherwise).
AXES_USERNAME_CALLABLE = "exchangeportal.infra.login_protection.axes_username"
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The key that signs backup manifests (`manage.py backup`/`restore`); empty: derived from the
# secret key. A dedicated key lets the secret key be rotated without orphaning backups.
BACKUP_KEY = os.environ.get("DJANGO_BACKUP_KEY", "")
# Private proposal files are part of every backup (see `manage.py backup`).
STORAGES["private"] = {"BACKEND": "events.storage.PrivateStorage"}

# Network map: an optional tile layer over the bundled East Asia outline. Empty (the
# default) means no tile server is contacted; e.g. "https://tiles.example.org/{z}/{x}/{y}.png".
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")

# --- Performance: templates and the benchmark view (issue #8) ---------------------------
# Compiled templates are kept in memory in production (Django does it by default; explicit
# here so that nobody turns it off by adding `loaders`).
if not DEBUG:
    TEMPLATES[0]["APP_DIRS"] = False
    TEMPLATES[0]["OPTIONS"]["loaders"] = [
        (
            "django.template.loaders.cached.Loader",
            [
                "django.template.loaders.filesystem.Loader",
                "django.template.loaders.app_directories.Loader",
            ],
        )
    ]

# A view that does nothing but answer, for `make bench` to measure the framework's ceiling.
BENCH_CEILING_VIEW = env_bool("BENCH_CEILING_VIEW", default=False)

# The gazetteer the tie import resolves unknown names with (GeoNames, see
# cities/data/gazetteer/README.md); the test suite points it at a small slice.
CITIES_GAZETTEER = BASE_DIR / "cities" / "data" / "gazetteer" / "places.tsv"
