"""gunicorn settings for the portal: `gunicorn -c gunicorn.conf.py` (see `make serve`).

Every value can be changed through the environment (GUNICORN_BIND, GUNICORN_WORKERS, …).
Django writes the access log itself (one JSON line per request, with the request id), so
gunicorn's own access log is off; its error log goes to standard error.
"""

import multiprocessing
import os

wsgi_app = "exchangeportal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Requests slower than this are killed and logged (the worker is restarted).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Restart workers now and then so that a slow leak can never take a server down — rarely: a
# restart empties the worker's caches and stalls the requests queued on it. At a few hundred
# requests a second a low limit (gunicorn guides often say 1,000) restarts every worker every
# few seconds; 20,000 still did every ~45 s under `make bench`, often both workers at once
# (p99 spikes of 250 ms). A wide jitter keeps the workers' restarts apart.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "50000"))
# Load Django once in the master: a new or restarted worker is a fork, ready in milliseconds
# instead of a second of imports. (Nothing opens a database or cache connection at import.)
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip().lower() in {"1", "true", "yes", "on"}
# Only the proxy in front may say the request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Limit request line and header sizes (defence against oversized requests).
limit_request_line = 8190
limit_request_fields = 100

# gunicorn's own messages (start, worker timeouts) as JSON lines too, like Django's, unless
# DJANGO_LOG_FORMAT=text (the default with DJANGO_DEBUG on).
_debug = os.environ.get("DJANGO_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
if os.environ.get("DJANGO_LOG_FORMAT", "text" if _debug else "json") == "json":
    # Replaces gunicorn's default logging dict as a whole (its handlers and loggers too).
    _json_stderr = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "stream": "ext://sys.stderr",
    }
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": "INFO", "handlers": ["console"]},
        "formatters": {"json": {"()": "exchangeportal.infra.logging.JSONFormatter"}},
        "handlers": {"console": _json_stderr, "error_console": _json_stderr},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            # Django logs each request (with its id); gunicorn's access lines would repeat it.
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        },
    }
