"""Every setting comes from an environment variable with a safe default.

Out of the box Broadsheet runs on SQLite (WAL mode) with in-process background work; setting
DATABASE_URL and REDIS_URL moves it to PostgreSQL, a shared Redis cache and Celery workers.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (for secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"{name}_FILE points at {file_path}, which cannot be read ({error.strerror})."
            ) from None
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = env(name, "")
    if value == "":
        return default
    return value.lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    value = env(name, "")
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("BROADSHEET_DATA_DIR", str(Path.cwd() / "var"))).resolve()
DEBUG = envbool("DEBUG", False)
# Production is the default: a development checkout opts out with BROADSHEET_DEV=1
# (make demo and the test suite do), so a forgotten variable never serves with a known key.
EXPLICIT_DEV_MODE = envbool("BROADSHEET_DEV", False)
DEV_MODE = EXPLICIT_DEV_MODE or DEBUG

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    # DEBUG alone is not enough: it is turned on to chase a problem on a real server too, and
    # must not then sign sessions and tokens with the published development key.
    if not EXPLICIT_DEV_MODE:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE) to a long random "
            "string, or set BROADSHEET_DEV=1 for a local development run."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEV_MODE else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "corsheaders",
    # Only for its static files: the API docs page then loads Swagger UI from this site, not
    # from a CDN the Content-Security-Policy would have to trust.
    "ninja",
    "broadsheet.core",
    "broadsheet.accounts",
    "broadsheet.articles",
    "broadsheet.comments",
    "broadsheet.moderation",
    "broadsheet.desk",
    "broadsheet.api",
    "broadsheet.integrations",
    "broadsheet.embed",
    "broadsheet.readers",
    "broadsheet.reading",
    "broadsheet.notifications",
    "broadsheet.demo",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "broadsheet.core.http.CSPHeaderMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "broadsheet.api.middleware.head_as_get",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "broadsheet.urls"
WSGI_APPLICATION = "broadsheet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "broadsheet.core.context_processors.site",
                "broadsheet.core.context_processors.csrf",
                "broadsheet.articles.context_processors.sections",
            ],
        },
    },
]

DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if "postgresql" in DATABASES["default"]["ENGINE"] and envbool(
        "BROADSHEET_DB_PREPARED_STATEMENTS", True
    ):
        # Parameters bound by the server, and psycopg preparing a statement once it has run
        # five times on a connection (Django turns preparing off unless asked), so an article
        # page's few queries skip PostgreSQL's parse and plan on every later request. Turn off
        # behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode).
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "broadsheet.core.sqlite",
            "NAME": str(DATA_DIR / "broadsheet.sqlite3"),
            # Kept open across requests: opening the file and running the PRAGMAs below cost
            # more than a whole cached page.
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # WAL lets readers go on while a comment is written; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue instead of failing with "database is locked".
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES: dict[str, dict[str, object]] = {
        "default": {
            "BACKEND": "broadsheet.core.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "broadsheet",
        }
    }
else:
    # Pages in each process's memory; allauth's rate-limit counts (sign-in codes, password
    # resets, sign-ups) in files under the data folder, so every server process counts
    # against one limit (broadsheet.core.cache). Broadsheet's own limits use the database.
    CACHES = {
        "default": {"BACKEND": "broadsheet.core.cache.LocalCacheSharingRateLimits"},
        "allauth-rate-limits": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "rate-limits"),
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
    }

# Background work: Celery on Redis when REDIS_URL is set, otherwise a thread in this process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
BROADSHEET_TASK_RUNNER = env("BROADSHEET_TASK_RUNNER", "celery" if CELERY_BROKER_URL else "thread")
# How long a comment may sit unscanned before the sweep queues it again.
BROADSHEET_SCAN_SWEEP_AFTER_SECONDS = envint("BROADSHEET_SCAN_SWEEP_AFTER_SECONDS", 120)
# How often the in-process runner sweeps (0 turns its sweep off; Celery beat has its own).
BROADSHEET_SWEEP_EVERY_SECONDS = envint("BROADSHEET_SWEEP_EVERY_SECONDS", 60)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
# Staff land on the desk after signing in, readers on their account page.
LOGIN_REDIRECT_URL = "/desk/"
BROADSHEET_READER_HOME_URL = "/accounts/"
LOGOUT_REDIRECT_URL = "/"

# Reader accounts (django-allauth; docs/accounts.md). Staff keep their usernames; readers sign
# up with an email address and sign in with it, a password, a code by email or the newsroom's
# OpenID Connect login. Sign-in stays open before the address is confirmed, but comments are
# accepted under an account only once it is (broadsheet.comments.access).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "broadsheet.accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "broadsheet.accounts.adapter.SocialAccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "broadsheet.accounts.forms.SignupDetailsForm"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CONFIRM_EMAIL_ON_GET = True
ACCOUNT_EMAIL_CONFIRMATION_AUTHENTICATED_REDIRECT_URL = BROADSHEET_READER_HOME_URL
ACCOUNT_EMAIL_CONFIRMATION_ANONYMOUS_REDIRECT_URL = LOGIN_URL
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = envint("BROADSHEET_LOGIN_CODE_SECONDS", 300)
# The sign-in email's link fills in its code (the magic link; docs/accounts.md).
ACCOUNT_FORMS = {"confirm_login_code": "broadsheet.accounts.login_code.LinkedLoginCodeForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if envbool("BROADSHEET_HTTPS", not DEV_MODE) else "http"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_LOGIN_ON_GET = False

# Sign-in with the newsroom's login (OpenID Connect), shown on the sign-in page when the issuer
# is set. The claims: "subscriber" (true) or "groups=subscribers" (a value in a list claim).
BROADSHEET_OIDC_ISSUER = env("BROADSHEET_OIDC_ISSUER").rstrip("/")
BROADSHEET_OIDC_CLIENT_ID = env("BROADSHEET_OIDC_CLIENT_ID")
BROADSHEET_OIDC_CLIENT_SECRET = env("BROADSHEET_OIDC_CLIENT_SECRET")
BROADSHEET_OIDC_NAME = env("BROADSHEET_OIDC_NAME", "the newsroom's login")
BROADSHEET_OIDC_SUBSCRIBER_CLAIM = env("BROADSHEET_OIDC_SUBSCRIBER_CLAIM", "subscriber")
BROADSHEET_OIDC_STAFF_CLAIM = env("BROADSHEET_OIDC_STAFF_CLAIM")
BROADSHEET_OIDC_SCOPES = envlist("BROADSHEET_OIDC_SCOPES", "openid,profile,email")
# The group staff from the newsroom's login join (the desk itself checks is_staff).
BROADSHEET_DESK_GROUP = env("BROADSHEET_DESK_GROUP", "Moderators")
OIDC_PROVIDER_ID = "newsroom"
SOCIALACCOUNT_PROVIDERS: dict = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": []}}
if BROADSHEET_OIDC_ISSUER:
    if not (BROADSHEET_OIDC_CLIENT_ID and BROADSHEET_OIDC_CLIENT_SECRET):
        raise ImproperlyConfigured(
            "BROADSHEET_OIDC_ISSUER is set, so BROADSHEET_OIDC_CLIENT_ID and "
            "BROADSHEET_OIDC_CLIENT_SECRET must be set too (docs/accounts.md)."
        )
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append({
        "provider_id": OIDC_PROVIDER_ID,
        "name": BROADSHEET_OIDC_NAME,
        "client_id": BROADSHEET_OIDC_CLIENT_ID,
        "secret": BROADSHEET_OIDC_CLIENT_SECRET,
        "settings": {"server_url": BROADSHEET_OIDC_ISSUER, "scope": BROADSHEET_OIDC_SCOPES},
    })

# Comments a reader may still edit after approval (it then goes back to moderation).
BROADSHEET_EDIT_MINUTES = envint("BROADSHEET_EDIT_MINUTES", 10)
# A deleted account's comments: "anonymise" (kept, without name or address) or "delete".
BROADSHEET_DELETED_ACCOUNT_COMMENTS = env("BROADSHEET_DELETED_ACCOUNT_COMMENTS", "anonymise")
if BROADSHEET_DELETED_ACCOUNT_COMMENTS not in ("anonymise", "delete"):
    raise ImproperlyConfigured(
        "BROADSHEET_DELETED_ACCOUNT_COMMENTS must be 'anonymise' or 'delete', not "
        f"{BROADSHEET_DELETED_ACCOUNT_COMMENTS!r}."
    )
# After this many days, the sweep forgets commenters' and reporters' client hashes and the
# text of rejected comments (0 keeps them).
BROADSHEET_RETENTION_DAYS = envint("BROADSHEET_RETENTION_DAYS", 0)

# The interface's languages, the first one the default, e.g. "en,ur". With more than one, a
# reader's browser language (Accept-Language) or a URL prefix (/ur/...) picks one; the default
# language keeps unprefixed URLs. English alone keeps Django's translation machinery off: the
# strings are written in English, so looking them up would cost every request for nothing.
_LANGUAGE_NAMES = {"en": "English", "ur": "اردو"}
BROADSHEET_LANGUAGES = envlist("BROADSHEET_LANGUAGES", "en")
for _code in BROADSHEET_LANGUAGES:
    if _code not in _LANGUAGE_NAMES:
        raise ImproperlyConfigured(
            f"BROADSHEET_LANGUAGES: {_code!r} is not one of {', '.join(_LANGUAGE_NAMES)}."
        )
if not BROADSHEET_LANGUAGES:
    raise ImproperlyConfigured("BROADSHEET_LANGUAGES must name at least one language.")
LANGUAGES = [(code, _LANGUAGE_NAMES[code]) for code in BROADSHEET_LANGUAGES]
LANGUAGE_CODE = BROADSHEET_LANGUAGES[0]
BROADSHEET_MULTILINGUAL = len(LANGUAGES) > 1
USE_I18N = BROADSHEET_MULTILINGUAL or LANGUAGE_CODE != "en"
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
if BROADSHEET_MULTILINGUAL:
    # After sessions (a signed-in reader's choice), before anything that renders text.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "broadsheet.core.languages.LanguageMiddleware",
    )
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
# Uploaded pictures: files under DATA_DIR/media, or an S3-compatible bucket when
# BROADSHEET_S3_BUCKET is set (needs the "s3" extra; docs/deployment.md).
MEDIA_ROOT = Path(env("BROADSHEET_MEDIA_ROOT", str(DATA_DIR / "media"))).resolve()
MEDIA_URL = env("BROADSHEET_MEDIA_URL", "/media/")
# The app serves MEDIA_URL itself in development, or when no proxy or bucket does.
SERVE_MEDIA = envbool("BROADSHEET_SERVE_MEDIA", DEV_MODE)
BROADSHEET_IMAGE_MAX_BYTES = envint("BROADSHEET_IMAGE_MAX_BYTES", 15_000_000)
BROADSHEET_IMAGE_MAX_PIXELS = envint("BROADSHEET_IMAGE_MAX_PIXELS", 40_000_000)
S3_BUCKET = env("BROADSHEET_S3_BUCKET")
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("BROADSHEET_S3_ENDPOINT_URL") or None,
            "region_name": env("BROADSHEET_S3_REGION") or None,
            "access_key": env("BROADSHEET_S3_ACCESS_KEY_ID") or None,
            "secret_key": env("BROADSHEET_S3_SECRET_ACCESS_KEY") or None,
            "custom_domain": env("BROADSHEET_S3_CUSTOM_DOMAIN") or None,
            "location": env("BROADSHEET_S3_PREFIX", "media"),
            # Pictures are public: plain URLs that pages and feeds can keep.
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": env("BROADSHEET_S3_ACL") or None,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEV_MODE
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEV_MODE
if DEV_MODE:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# The public API answers browsers on other sites only from origins the newsroom lists.
CORS_ALLOWED_ORIGINS = envlist("BROADSHEET_CORS_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
# The API never reads cookies, so browsers need not send them.
CORS_ALLOW_CREDENTIALS = False

# The reverse proxies (IP addresses or CIDR networks) whose X-Forwarded-For names the reader:
# rate limits count each reader behind them apart. Unset, X-Forwarded-For is ignored.
BROADSHEET_TRUSTED_PROXIES = envlist("BROADSHEET_TRUSTED_PROXIES")
for _proxy in BROADSHEET_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"BROADSHEET_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network "
            "(e.g. 10.0.0.5 or 10.0.0.0/24)."
        ) from None

# Sessions are kept on the server (database rows), so logging out or changing a password ends
# a session for good: a copied cookie then opens nothing. Signed-cookie sessions could not be
# revoked. Read through the cache only when it is shared (Redis): a per-process cache would
# keep serving a session that another process had ended. `broadsheet clearsessions` removes
# expired rows.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
# Flash messages ride in a signed cookie, so a reader who posts a comment ("awaiting
# moderation") is given no session row; a signed-in moderator's are in a cookie too.
MESSAGE_STORAGE = "broadsheet.core.http.SignedCookieStorage"
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
HTTPS = envbool("BROADSHEET_HTTPS", not DEV_MODE)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# For a site served only over TLS (docs/deployment.md): browsers are told to come back over
# HTTPS only (HSTS), and plain-HTTP requests that reach Django are redirected.
SECURE_HSTS_SECONDS = envint("BROADSHEET_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("BROADSHEET_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("BROADSHEET_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = envbool("BROADSHEET_SSL_REDIRECT", False)
# Asking browsers to preload HSTS is a commitment made with them, not a default: opt in with
# BROADSHEET_HSTS_PRELOAD=1, and check --deploy does not nag for it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Every page's scripts and styles come from this site: no inline script, no CDN. Inline
# style attributes stay allowed (the desk's bar charts set their widths with them); htmx's
# injected indicator styles are turned off in base.html.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
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
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Scan every new comment with the automatic first reader (moderation/pipeline/).
BROADSHEET_SCANNING = envbool("BROADSHEET_SCANNING", True)
# Auto mode's abuse hold threshold is the highest one that kept abusive comments at or under
# this share of those published on the abuse model's news-like dev data (a site setting or a
# section's policy may still set the threshold itself).
try:
    BROADSHEET_ABUSE_SLIP_TARGET = float(env("BROADSHEET_ABUSE_SLIP_TARGET", "0.01"))
except ValueError:
    raise ImproperlyConfigured(
        "BROADSHEET_ABUSE_SLIP_TARGET must be a share such as 0.01 (1 %)."
    ) from None
if not 0 < BROADSHEET_ABUSE_SLIP_TARGET < 1:
    raise ImproperlyConfigured("BROADSHEET_ABUSE_SLIP_TARGET must be between 0 and 1, e.g. 0.01.")
# Cache rendered comment threads (invalidated by every decision); off only to measure.
BROADSHEET_PAGE_CACHE = envbool("BROADSHEET_PAGE_CACHE", True)

# Email (notifications to commenters), with Django's own setting names. With no EMAIL_HOST
# every message is written as a file under DATA_DIR/mail/ instead of being sent, so a demo or
# a development checkout never mails anyone (docs/notifications.md).
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS (STARTTLS, usually port 587) and EMAIL_USE_SSL (implicit TLS, usually "
        "port 465) exclude each other; set only one."
    )
# A send waits this long for the mail server (sending never runs in a request).
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Broadsheet <comments@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_FILE_PATH = DATA_DIR / "mail"
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
# How many times a notification is tried before it is given up (each later than the last).
BROADSHEET_EMAIL_ATTEMPTS = envint("BROADSHEET_EMAIL_ATTEMPTS", 6)

# Webhooks: how long one delivery attempt may wait for the receiver (it never runs in a request).
BROADSHEET_WEBHOOK_TIMEOUT_SECONDS = envint("BROADSHEET_WEBHOOK_TIMEOUT_SECONDS", 5)
# Sites allowed to embed the comments (/embed.js), besides the admin's list. The dev default
# lets the demo page at http://localhost:8000/embed-demo/ embed a site served on 127.0.0.1.
BROADSHEET_EMBED_ORIGINS = envlist(
    "BROADSHEET_EMBED_ORIGINS", "http://localhost:8000" if DEV_MODE else ""
)
