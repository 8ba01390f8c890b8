"""Settings for the helpdesk, read from the environment.

Embedded default: SQLite in the project folder, no Redis, so a fresh machine runs everything.
Production: DATABASE_URL (PostgreSQL) and REDIS_URL (channel layer, cache, django-q2 broker).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import warnings
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HELPDESK_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _persistent_secret_key() -> str:
    """A random key kept in var/ so sessions survive restarts of the embedded default."""
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    return key


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or _persistent_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

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
    "template_partials",
    "channels",
    "django_q",
    "axes",
    "helpdesk",
    "escalation",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "helpdesk.locale.CustomerLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a locked-out sign-in into the lockout page (helpdesk/abuse/lockout.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "helpdesk.context_processors.workspace",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
# Persistent connections: django-q2's ORM broker and the web process otherwise reconnect per
# request/enqueue, which measured 2-4x slower here (docs/MEASURED.md).
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE transactions let the web and the worker process write without
    # "database is locked": writers queue on the busy timeout instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if env_bool("SQLITE_NO_PERSIST", False) else 60
DATABASES["default"].setdefault("TEST", {})
if env_str("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"]["NAME"] = env_str("TEST_DATABASE_NAME")
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
if IS_POSTGRES:
    # The ticket pages and the API join a ticket to six small tables by primary key. Searching every
    # order of eight relations made PostgreSQL plan for ~3 ms to run for 0.3 ms; the written order
    # is right for such lookups. Reports raise the limit again (analytics/db.py).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c join_collapse_limit=4"
    # Parameters bound by the server let psycopg prepare a statement the second time a connection runs
    # it, so the hot paths (intake, routing, queues) stop paying PostgreSQL's planning on every request.
    DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=2)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Threads per web process for HTTP requests (config/asgi.py); each keeps one database connection.
WEB_THREADS = env_int("WEB_THREADS", 8)

# --- Redis: cache, channel layer, task broker ------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# Returning customers kept per e-mail for intake (helpdesk.services.customers); only with a cache that
# all processes share, which sees every process's changes.
CUSTOMER_CACHE_SECONDS = 600 if REDIS_URL else 0
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # The default capacity of 100 drops messages in bursts; replay covers the rest.
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 5000, "expiry": 30},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "helpdesk.live.layers.LocalChannelLayer", "CONFIG": {"capacity": 5000}}
    }

Q_CLUSTER = {
    "name": env_str("Q_CLUSTER_NAME", "helpdesk"),
    "workers": env_int("Q_WORKERS", 2),
    "recycle": 500,
    "timeout": 120,
    "retry": 180,
    "max_attempts": 3,
    # Successful tasks are not kept: each new ticket runs two or three (routing, its SLA clock and
    # acknowledgement, e-mail), and keeping each cost three statements. Failures are kept (admin: Failed
    # tasks) and retried.
    "save_limit": -1,
    "catch_up": False,
    "label": "Background tasks",
    "sync": env_bool("Q_SYNC", False),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 0.1

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
# Customers sign in with their e-mail (any case); staff may keep using their username.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-ins while locked out; must come first
    "django.contrib.auth.backends.ModelBackend",
    "helpdesk.auth.EmailBackend",
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link works for one day
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)  # how long an invitation link works
# Password reset and self sign-up: requests per client address and per e-mail address per hour.
ACCOUNT_REQUESTS_PER_HOUR = env_int("ACCOUNT_REQUESTS_PER_HOUR", 10)
# Article suggestions while typing: requests per client address per minute.
SUGGEST_REQUESTS_PER_MINUTE = env_int("SUGGEST_REQUESTS_PER_MINUTE", 120)
LOGIN_URL = "/accounts/login/"

# --- Abuse limits (helpdesk/abuse/) -----------------------------------------------------------------
# Sign-in lockout (django-axes) for customers and staff alike, at /accounts/login/ and /admin/login/:
# after LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, that pair waits
# LOGIN_LOCKOUT_MINUTES. Counted in the cache (shared through Redis with REDIS_URL).
AXES_ENABLED = env_bool("LOGIN_LOCKOUT", True)
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "helpdesk.abuse.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "helpdesk.abuse.clients.client_ip"
AXES_VERBOSE = False
SILENCED_SYSTEM_CHECKS = []
if not REDIS_URL:
    # Without Redis the counters live in each process's memory: exact with one web process (the
    # embedded default); with several, each counts on its own (set REDIS_URL to share them).
    SILENCED_SYSTEM_CHECKS.append("axes.W001")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The covering index on an account's tickets (INCLUDE escalation_count) is a PostgreSQL
    # optimization; SQLite builds the same index without the extra column, which is all it needs.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
# New tickets a customer may open per hour, portal and API together (0: no limit).
HELPDESK_TICKETS_PER_HOUR = env_int("HELPDESK_TICKETS_PER_HOUR", 20)
# Live sockets (/ws/queue/) one user may hold open at once (0: no limit).
HELPDESK_SOCKETS_PER_USER = env_int("HELPDESK_SOCKETS_PER_USER", 10)
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first, so an unauthenticated request gets 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "helpdesk.abuse.api.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies are bounded in size and depth, and their text must be encodable (helpdesk/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "helpdesk.api.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "helpdesk.api.pagination.TicketPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "helpdesk.api.schema.HelpdeskAutoSchema",
    "EXCEPTION_HANDLER": "helpdesk.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Rates per account or address, counted in the cache (helpdesk/abuse/api.py); 429 + Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["helpdesk.abuse.api.ApiRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/minute"),
        "user": env_str("API_THROTTLE_USER", "300/minute"),
        "staff": env_str("API_THROTTLE_STAFF", "3000/minute"),
        "bad_token": env_str("API_THROTTLE_BAD_TOKEN", "20/minute"),
    },
    # Proxies in front that append to X-Forwarded-For (0: the client is REMOTE_ADDR; uvicorn already
    # takes the client from a proxy on 127.0.0.1).
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Helpdesk API",
    "DESCRIPTION": "Tickets, routing decisions, escalations and analytics.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "helpdesk.models.Status",
        "AgentStatusEnum": "helpdesk.models.AgentStatus",
        # A ticket's channel and a message's are different choice sets (a message may also come from the web).
        "TicketChannelEnum": "helpdesk.models.tickets.Channel",
        "MessageChannelEnum": "helpdesk.models.tickets.MessageChannel",
        "OutcomeKindEnum": "escalation.models.accounts.OutcomeKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "helpdesk.api.schema.close_customer_shapes",
    ],
    # Swagger UI at /api/docs/ from the drf-spectacular-sidecar package: nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
# Only needed for `collectstatic` in production; the default run serves from the source folders.
STATIC_ROOT = env_str("STATIC_ROOT") or None
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the app and project folders: no collectstatic step in the two-command run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# WhiteNoise streams files with sync iterators; under ASGI Django warns about it for every static file.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")

# --- Security headers -----------------------------------------------------------------------
# Strict CSP from day one: no inline scripts, no inline handlers, nothing from the internet.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True

# HTTPS: HSTS, the redirect to HTTPS and Secure cookies are on by default whenever DEBUG is off, each
# settable by its environment variable. The one exception is the embedded demo: `manage.py start` bound
# to a loopback address marks its processes with HELPDESK_LOCAL_HTTP, and with ALLOWED_HOSTS local only
# (the default) they serve plain HTTP on 127.0.0.1. Behind a proxy that terminates TLS, uvicorn takes
# the scheme from X-Forwarded-Proto when the proxy is in FORWARDED_ALLOW_IPS (default 127.0.0.1); set
# SECURE_PROXY_SSL_HEADER=true to trust that header from any proxy instead.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1", "testserver"}
SERVES_ONLY_LOCALHOST = all(host in LOCAL_HOSTS for host in ALLOWED_HOSTS)
LOCAL_HTTP = env_bool("HELPDESK_LOCAL_HTTP", False) and SERVES_ONLY_LOCALHOST
HTTPS_BY_DEFAULT = not DEBUG and not LOCAL_HTTP
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS_BY_DEFAULT)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers check health over plain HTTP
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS_BY_DEFAULT)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS_BY_DEFAULT)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS_BY_DEFAULT else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- E-mail ---------------------------------------------------------------------------------


def _email_settings(url: str) -> dict[str, object]:
    """Translate EMAIL_URL (smtp://user:pass@host:587?tls=1, console://, locmem://) into settings."""
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parsed = urlparse(url)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
    }
    if parsed.scheme not in backends:
        raise ValueError(f"EMAIL_URL scheme must be one of {sorted(backends)}, got {parsed.scheme!r}")
    options = {k: v[0] for k, v in parse_qs(parsed.query).items()}
    return {
        "EMAIL_BACKEND": backends[parsed.scheme],
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
        "EMAIL_USE_TLS": options.get("tls", "") in {"1", "true"},
    }


globals().update(_email_settings(env_str("EMAIL_URL")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "helpdesk@localhost")

# --- Locale ---------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
# The portal and customer e-mails speak these; a customer's profile language picks one (helpdesk.locale).
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # django-q2 logs every enqueue at INFO: noise at intake rates.
        "django-q": {"level": env_str("Q_LOG_LEVEL", "WARNING")},
        # django-axes logs every sign-in and sign-out at INFO; failures and lockouts are warnings.
        "axes": {"level": "WARNING"},
    },
}

# --- Helpdesk domain limits -----------------------------------------------------------------
TICKET_SUBJECT_MAX = 200
TICKET_BODY_MAX = 20_000
# The router's synchronous first look at a new ticket (SLA due times; triage waits for routing): a
# dotted path, so helpdesk never imports the escalation app. Empty string disables it.
HELPDESK_INTAKE_HOOK = env_str("HELPDESK_INTAKE_HOOK", "escalation.sla.intake.prepare_new_ticket")

# --- Attachments ----------------------------------------------------------------------------
# Files go through Django's storage API: local files under MEDIA_ROOT by default; any
# django-storages backend by setting STORAGES["default"] in a settings module of your own.
MEDIA_ROOT = env_str("MEDIA_ROOT") or str(VAR_DIR / "media")
MEDIA_URL = "/media/"  # never served directly: downloads go through the permission-checked view
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_MAX_PER_MESSAGE = env_int("ATTACHMENT_MAX_PER_MESSAGE", 10)
# Accepted by extension; the content type we store and serve is derived from it, never from the sender.
ATTACHMENT_EXTENSIONS = env_list(
    "ATTACHMENT_EXTENSIONS",
    "png,jpg,jpeg,gif,webp,pdf,txt,log,csv,json,xml,zip,gz,doc,docx,xls,xlsx,ppt,pptx,odt,ods,odp,rtf,eml,ics,har",
)
# After a ticket changes, its account's health is recomputed at most this often (one delayed refresh waits).
ACCOUNT_HEALTH_DEBOUNCE_SECONDS = env_int("ACCOUNT_HEALTH_DEBOUNCE_SECONDS", 60)


def _own_hosts() -> str:
    """The site's own host names: HELPDESK_BASE_URL's host, else the concrete ALLOWED_HOSTS."""
    base_host = urlparse(env_str("HELPDESK_BASE_URL")).hostname
    if base_host:
        return base_host
    return ",".join(h.lstrip(".") for h in ALLOWED_HOSTS if h not in {"*", "testserver"} and "[" not in h)


# Domains that links in automatic answers may point to (their subdomains included); an article linking
# anywhere else goes to an agent for review instead of to the customer (escalation/autonomy/answer_links.py).
HELPDESK_ANSWER_LINK_DOMAINS = env_list("HELPDESK_ANSWER_LINK_DOMAINS", _own_hosts())

# --- E-mail channel ---------------------------------------------------------------------------
# Absolute links in e-mails (ticket pages, rating links, invitations, password resets) start with this,
# e.g. https://help.example.com.
HELPDESK_BASE_URL = env_str("HELPDESK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Sender and Reply-To of e-mails to customers when the ticket's team has no address of its own.
HELPDESK_FROM_EMAIL = env_str("HELPDESK_FROM_EMAIL", DEFAULT_FROM_EMAIL)
# Customers hear back by e-mail (acknowledgement, replies, notices, rating request); off: in-app only.
HELPDESK_CUSTOMER_EMAILS = env_bool("HELPDESK_CUSTOMER_EMAILS", True)
# Languages the text of a new ticket may be detected as (ISO 639-1; escalation/triage/language.py).
HELPDESK_DETECT_LANGUAGES = env_list("HELPDESK_DETECT_LANGUAGES", "en,de,fr,es,it,pt,nl,pl,sv,da,ja")
# One sender may open or add to tickets at most this often; beyond it their mail is kept but ignored.
MAIL_SENDER_LIMIT = env_int("MAIL_SENDER_LIMIT", 30)
MAIL_SENDER_WINDOW = env_int("MAIL_SENDER_WINDOW", 600)
# Largest e-mail accepted whole (bytes); larger ones are refused by the webhook and the pipe.
MAIL_MAX_BYTES = env_int("MAIL_MAX_BYTES", 40 * 1024 * 1024)
# Failed sends are tried again this many times in all, a few minutes apart, before the ticket shows them failed.
MAIL_SEND_ATTEMPTS = env_int("MAIL_SEND_ATTEMPTS", 5)
# Rating links in e-mails stay valid this many days.
CSAT_LINK_DAYS = env_int("CSAT_LINK_DAYS", 30)
# Seconds between two passes of `fetch_mail` without --once (the worker's schedule runs every minute).
MAIL_FETCH_INTERVAL = env_int("MAIL_FETCH_INTERVAL", 30)
# Seconds the admin-edited routing and SLA tables stay cached per process (escalation/process_cache.py);
# a save in this process drops them at once, other processes see it within this time.
ESCALATION_POLICY_TTL = 5.0
# How long live events stay in the outbox for browsers that reconnect (helpdesk.live.tasks).
LIVE_OUTBOX_RETENTION = dt.timedelta(hours=24)

# --- Background schedules (django-q2) ---------------------------------------------------------
# Every periodic task, in this one place. `helpdesk.schedules.ensure_schedules` creates the missing ones
# after every `migrate` and leaves existing ones (and an admin's edits to them) alone.
# schedule_type: "I" every `minutes`, "H" hourly, "W" weekly (django_q.models.Schedule).
SCHEDULES = {
    "routing: re-check waiting tickets": {  # relaxed skills, overflow and shift starts take effect
        "func": "escalation.tasks.recheck_waiting_tickets",
        "schedule_type": "I",
        "minutes": 1,
    },
    "escalation.sla_sweep": {"func": "escalation.tasks.sweep_sla", "schedule_type": "I", "minutes": 1},
    "escalation.settle_automations": {  # automatic answers nobody replied to
        "func": "escalation.tasks.settle_automations",
        "schedule_type": "I",
        "minutes": 15,
    },
    "escalation.train_router": {  # the triage models learn from the week's resolved tickets
        "func": "escalation.tasks.train_router",
        "schedule_type": "W",
    },
    "live: prune outbox": {"func": "helpdesk.live.tasks.live_outbox_prune", "schedule_type": "H"},
    "escalation.account_health": {  # every account's health, besides the refreshes when its tickets change
        "func": "escalation.accounts.tasks.refresh_all_accounts",
        "schedule_type": "H",
    },
    "mail: read mailboxes, retry sends": {  # IMAP mailboxes, and customer e-mails that failed to send
        "func": "helpdesk.mail.tasks.mail_schedule",
        "schedule_type": "I",
        "minutes": 1,
    },
    "analytics: refresh day facts": {  # reports then find at most a minute of changes to read in
        "func": "analytics.facts.tasks.facts_refresh",
        "schedule_type": "I",
        "minutes": 1,
    },
}
