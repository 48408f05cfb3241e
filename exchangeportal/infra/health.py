"""Health checks for load balancers and orchestrators; JSON, no secrets, no language prefix.

- `/healthz`: the process is up and answers (no database, no cache).
- `/readyz`: the database and the cache answer; 503 naming what failed.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger("exchangeportal.infra.health")


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("unexpected answer")


def _check_cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    try:
        if cache.get(key) != "ok":
            raise RuntimeError("value not read back")
    finally:
        cache.delete(key)


CHECKS = {"database": _check_database, "cache": _check_cache}


def _no_store(response: JsonResponse) -> JsonResponse:
    response["Cache-Control"] = "no-store"
    return response


def healthz(request) -> JsonResponse:
    return _no_store(JsonResponse({"status": "ok"}))


def readyz(request) -> JsonResponse:
    """Run every check; the body says "ok" or "failed" per check, never the error's text."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            # The details go to the log only: they may name hosts or users.
            logger.exception("Readiness check %r failed", name)
            results[name] = "failed"
        else:
            results[name] = "ok"
    ready = all(result == "ok" for result in results.values())
    return _no_store(
        JsonResponse(
            {"status": "ok" if ready else "unavailable", "checks": results},
            status=200 if ready else 503,
        )
    )
