"""Litso's one settings module: everything a deployment changes comes from the environment.

Variables (all optional; see README "Configuration"):
LITSO_DATA_DIR, DATABASE_URL, LITSO_SECRET_KEY / LITSO_SECRET_KEY_FILE, LITSO_DEBUG,
LITSO_ALLOWED_HOSTS, LITSO_SITE_URL, LITSO_EMAIL_URL, LITSO_DEFAULT_FROM_EMAIL,
LITSO_DB_POOL_SIZE, LITSO_DB_PREPARED_STATEMENTS, LITSO_TICKET_NUMBER_START,
LITSO_AUTO_CLOSE_DAYS, LITSO_TASK_MAX_ATTEMPTS, LITSO_TIME_ZONE, LITSO_TRIAGE_*, LITSO_LANGUAGES.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

from litso.config import env_bool, env_int, env_list, env_secret, load_or_create_secret_key

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("LITSO_DATA_DIR", Path.cwd() / "var")).resolve()

DEBUG = env_bool("LITSO_DEBUG", default=False)
SECRET_KEY = env_secret("LITSO_SECRET_KEY") or load_or_create_secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("LITSO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
SITE_URL = os.environ.get("LITSO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "litso.core",
    "litso.files",
    "litso.departments",
    "litso.staff",
    "litso.customers",
    "litso.tickets",
    "litso.audit",
    "litso.jobs",
    "litso.mail",
    "litso.sla",
    "litso.triage",
    "litso.search",
    "litso.workspace",
    "litso.transfer",
    "litso.demo",
    # Optional second factor at sign-in (TOTP apps); enrolment is in the admin for now.
    "django_otp",
    "django_otp.plugins.otp_totp",
]

# Django's model backend, reading the signed-in user with their agent profile in one query.
AUTHENTICATION_BACKENDS = ["litso.staff.backends.StaffBackend"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "litso.core.middleware.AgentLanguageMiddleware",
    "litso.workspace.middleware.AgentTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "litso.urls"
ASGI_APPLICATION = "litso.asgi.application"
WSGI_APPLICATION = "litso.wsgi.application"

_CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
]
TEMPLATES = [
    # The workspace's pages (each app's jinja2/ folder): compiled to Python, a fraction of
    # Django's engine's cost per tag. A name not found there falls through to Django's.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "litso.workspace.jinja.environment",
            "context_processors": [*_CONTEXT_PROCESSORS, "litso.workspace.jinja.csrf"],
        },
    },
    # The admin and the mail texts (render_to_string).
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": _CONTEXT_PROCESSORS},
    },
]


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        url = f"sqlite:///{DATA_DIR / 'litso.sqlite3'}"
    db: dict[str, Any] = dict(dj_database_url.parse(url))
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # Pages are served by a fixed pool of threads (litso.core.web), each keeping its
        # connection and with it SQLite's page cache; opening one costs a page about 1 ms.
        max_age = env_int("LITSO_DB_CONN_MAX_AGE", 600)
        db["CONN_MAX_AGE"] = 0 if db["NAME"] == ":memory:" else max_age
        db["OPTIONS"] = {
            # IMMEDIATE takes the write lock at BEGIN, so two writers never deadlock on
            # a lock upgrade; WAL lets readers go on while the worker writes. A connection's
            # first reads go through memory-mapped pages, not a cold page cache (the inbox
            # at a million tickets: 91 -> 58 ms of server CPU when every request connected).
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; "
                f"PRAGMA mmap_size={env_int('LITSO_SQLITE_MMAP_MB', 1024) * 2**20};"
            ),
        }
    elif db["ENGINE"] == "django.db.backends.postgresql" and env_int("LITSO_DB_POOL_SIZE", 20):
        # A pool per process (psycopg_pool): a request borrows a connection that is already
        # open, with PostgreSQL's catalog caches warm, instead of forking a new backend and
        # planning its first queries cold (a ticket page: 7 ms of planning -> under 1 ms).
        db["CONN_MAX_AGE"] = 0  # Django closes into the pool; persistent connections conflict
        db["OPTIONS"] = {
            **db.get("OPTIONS", {}),
            "pool": {"min_size": 1, "max_size": env_int("LITSO_DB_POOL_SIZE", 20), "timeout": 30},
        }
    else:
        db["CONN_MAX_AGE"] = env_int("LITSO_DB_CONN_MAX_AGE", 0)
    if db["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "LITSO_DB_PREPARED_STATEMENTS", True
    ):
        # Parameters sent apart from the SQL, and a statement a connection has run five times
        # prepared on the server (psycopg), so PostgreSQL stops planning it anew: the same
        # dozen statements serve every page, and planning cost more than running them (a
        # ticket page at a million tickets: 4.6-5.2 -> 2.2 ms of server CPU). Django leaves
        # preparing off by default; turn this off behind a pooler that cannot keep prepared
        # statements (PgBouncer in transaction mode before 1.21).
        db["OPTIONS"] = {
            **db.get("OPTIONS", {}),
            "server_side_binding": True,
            "prepare_threshold": 5,
        }
    db["TEST"] = {"NAME": os.environ.get("LITSO_TEST_DATABASE_NAME") or None}
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        # intake: parsing inbound mail; mail: sending; default: everything else.
        "QUEUES": ["default", "intake", "mail", "maintenance"],
    }
}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "workspace:login"
LOGIN_REDIRECT_URL = "workspace:inbox"
LOGOUT_REDIRECT_URL = "workspace:login"
# Failed sign-ins per user name and address before the pair is locked out, and for how long.
# Threads per web process serving pages (litso.core.web); each keeps a database connection.
LITSO_WEB_THREADS = env_int("LITSO_WEB_THREADS", 8)
LITSO_LOGIN_MAX_FAILURES = env_int("LITSO_LOGIN_MAX_FAILURES", 5)
LITSO_LOGIN_LOCK_MINUTES = env_int("LITSO_LOGIN_LOCK_MINUTES", 15)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("pl", "Polski")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("LITSO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves from the app folders (below) and warns when this one is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "files"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files straight from the apps, so `litso run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# LITSO_HTTPS: the desk is served over HTTPS (directly or behind a proxy), so cookies go only
# over HTTPS; it defaults to whether LITSO_SITE_URL is an https:// address.
HTTPS = env_bool("LITSO_HTTPS", default=SITE_URL.startswith("https://"))
# Django's database sessions, read through a query compiled once (core/sessions.py).
SESSION_ENGINE = "litso.core.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = HTTPS
# A working day and a half: an agent signs in once a shift, a stolen cookie does not last.
SESSION_COOKIE_AGE = env_int("LITSO_SESSION_HOURS", 36) * 3600


def _email() -> dict[str, Any]:
    """LITSO_EMAIL_URL: smtp://user:pass@host:port, smtp+tls://…, file:///dir, console:, memory:."""
    from urllib.parse import unquote, urlsplit

    raw = os.environ.get("LITSO_EMAIL_URL", f"file://{DATA_DIR / 'sent-mail'}")
    url = urlsplit(raw)
    if url.scheme in ("smtp", "smtp+tls", "smtps"):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": url.hostname or "localhost",
            "EMAIL_PORT": url.port or (465 if url.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(url.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(url.password or ""),
            "EMAIL_USE_TLS": url.scheme == "smtp+tls",
            "EMAIL_USE_SSL": url.scheme == "smtps",
            "EMAIL_TIMEOUT": 30,
        }
    if url.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": url.path,
        }
    if url.scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


globals().update(_email())
DEFAULT_FROM_EMAIL = os.environ.get("LITSO_DEFAULT_FROM_EMAIL", "Litso <support@litso.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LITSO_TICKET_NUMBER_START = env_int("LITSO_TICKET_NUMBER_START", 1001)
# A solved ticket the customer does not answer is closed after this many days (0 = never).
LITSO_AUTO_CLOSE_DAYS = env_int("LITSO_AUTO_CLOSE_DAYS", 4)
LITSO_TASK_MAX_ATTEMPTS = env_int("LITSO_TASK_MAX_ATTEMPTS", 8)
# A worker that has not beaten for this long is dead; its running task goes back to the queue.
LITSO_WORKER_DEAD_AFTER = env_int("LITSO_WORKER_DEAD_AFTER", 60)
LITSO_DEMO_PASSWORD = os.environ.get("LITSO_DEMO_PASSWORD", "")

# Mail: attachments above this size are not kept (the customer and the agent are told).
LITSO_MAIL_MAX_ATTACHMENT_BYTES = env_int("LITSO_MAIL_MAX_ATTACHMENT_BYTES", 25 * 1024 * 1024)
# A sender who writes more than this many mails in 10 minutes is held (a mail loop).
LITSO_MAIL_RATE_LIMIT = env_int("LITSO_MAIL_RATE_LIMIT", 30)
# A reply without any thread marker joins the customer's ticket with the same subject
# if that ticket was updated within this many days.
LITSO_MAIL_SUBJECT_THREAD_DAYS = env_int("LITSO_MAIL_SUBJECT_THREAD_DAYS", 14)
# A reply to a solved ticket reopens it; with this off it opens a linked follow-up.
LITSO_MAIL_REOPEN_SOLVED = env_bool("LITSO_MAIL_REOPEN_SOLVED", default=True)
# Mail to an address no department claims lands here (by name); empty = the first department.
LITSO_MAIL_DEFAULT_DEPARTMENT = os.environ.get("LITSO_MAIL_DEFAULT_DEPARTMENT", "")

# Triage. Confidences are percentages of the router's calibrated probability.
# At or above ROUTE a prediction is applied (request type, priority; department when the
# message was not addressed to one); below it the ticket waits for a person in the triage view.
LITSO_TRIAGE_ROUTE_CONFIDENCE = env_int("LITSO_TRIAGE_ROUTE_CONFIDENCE", 60)
# Mail written to department A but predicted for B at least this surely is forwarded to B.
LITSO_TRIAGE_FORWARD_CONFIDENCE = env_int("LITSO_TRIAGE_FORWARD_CONFIDENCE", 90)
# A new request from the same customer this similar (percent) to an open one within
# LITSO_TRIAGE_CHASE_DAYS is a chase of it.
LITSO_TRIAGE_CHASE_SIMILARITY = env_int("LITSO_TRIAGE_CHASE_SIMILARITY", 50)
LITSO_TRIAGE_CHASE_DAYS = env_int("LITSO_TRIAGE_CHASE_DAYS", 7)
# The languages the desk works in: detection chooses among these only.
LITSO_LANGUAGES = env_list("LITSO_LANGUAGES", default=["en", "ru", "pl"])
# Live updates: server-sent event streams one web process keeps open at most.
LITSO_LIVE_MAX_STREAMS = env_int("LITSO_LIVE_MAX_STREAMS", 200)
# With no router trained yet, train on the history at once instead of waiting for the night.
LITSO_TRIAGE_TRAIN_AT_ONCE = env_bool("LITSO_TRIAGE_TRAIN_AT_ONCE", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LITSO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per task run is noise at thousands of tasks; failures still log.
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
    },
}
