"""A small, cache-based rate limit for public forms and endpoints.

Fixed windows counted in the cache (`CACHE_URL`: Redis in production, so every app server
shares the counts). Limits are written "5/m", "20/h", "100/d", "3/10m" or "5/3600" (count /
period; a bare number is seconds).

Use it as a decorator on a view::

    @ratelimit(scope="proposal-submit", rate="5/m")            # per client IP
    @ratelimit(scope="login", rate="10/h", key=lambda request: request.POST.get("username", ""))

or call `ratelimit_hit` from a view or form when the key is known only later. A limited request
gets the 429 page (`templates/429.html`) with a `Retry-After` header. Only the methods in
`methods` count (POST by default: reading a form is free, sending it is counted).

Settings: `RATELIMIT_ENABLED` (env `DJANGO_RATELIMIT_ENABLED`, default on), `RATELIMITS` (an
optional {scope: rate} dict overriding the rate written in the code, so operators can tune a
limit without a release) and `TRUSTED_PROXY_COUNT` (env `DJANGO_TRUSTED_PROXY_COUNT`: how
many proxies in front of the app append to `X-Forwarded-For`; 0 means use REMOTE_ADDR).
"""

import functools
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from exchangeportal.infra.errors import too_many_requests

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the current window ends


def parse_rate(rate: str) -> tuple[int, int]:
    """Parse "5/m" → (5, 60), "3/10m" → (3, 600), "5/3600" (seconds) → (5, 3600).

    Raises ValueError on anything else.
    """
    match = _RATE.match(rate)
    if not match or not (match.group(2) or match.group(3)):
        raise ValueError(
            f"Invalid rate {rate!r}: write it like '5/m', '20/h', '3/10m' or '5/3600' (seconds)."
        )
    count, multiplier, unit = match.groups()
    period = int(multiplier or 1) * _UNIT_SECONDS[unit or "s"]
    if int(count) < 1 or period < 1:
        raise ValueError(f"Invalid rate {rate!r}: count and period must be positive.")
    return int(count), period


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the address the trusted proxies saw.

    With N trusted proxies, the N-th address from the right of X-Forwarded-For is the one the
    outermost trusted proxy received the request from; anything left of it is client-supplied.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) >= proxies:
        return forwarded[-proxies]
    return forwarded[0] if forwarded else remote


def ratelimit_hit(*, scope: str, key: str, rate: str, now: float | None = None) -> RateLimitResult:
    """Count one hit for `key` in `scope` and say whether it is within `rate`.

    The key is hashed (no addresses or names in cache keys). Counting uses `cache.add` then
    `cache.incr`, which are atomic on Redis, so concurrent hits are not lost.
    """
    rate = getattr(settings, "RATELIMITS", {}).get(scope, rate)
    limit, period = parse_rate(rate)
    now = time.time() if now is None else now
    window = int(now // period)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{period}:{window}:{digest}"
    cache.add(cache_key, 0, timeout=period + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the entry expired between add() and incr()
        cache.set(cache_key, 1, timeout=period + 1)
        count = 1
    retry_after = max(1, int((window + 1) * period - now))
    return RateLimitResult(
        allowed=count <= limit, count=count, limit=limit, retry_after=retry_after
    )


def rate_limit_exceeded(*, scope: str, key: str, rate: str) -> bool:
    """Count one hit; True when it is over the limit (the boolean form of `ratelimit_hit`).
    Always False with `RATELIMIT_ENABLED` off."""
    if not getattr(settings, "RATELIMIT_ENABLED", True):
        return False
    return not ratelimit_hit(scope=scope, key=key, rate=rate).allowed


def ratelimit(
    *,
    scope: str,
    rate: str,
    key: Callable | None = None,
    methods: tuple[str, ...] = ("POST",),
):
    """View decorator: answer 429 once `rate` is exceeded for this client (or `key(request)`).

    The limit is counted per IP address always, and additionally per `key(request)` when a key
    function is given (e.g. the username on a login form), so rotating either one does not help.
    """
    parse_rate(rate)  # fail at import time on a typo

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if getattr(settings, "RATELIMIT_ENABLED", True) and request.method in methods:
                keys = [f"ip:{client_ip(request)}"]
                if key is not None:
                    keys.append(f"key:{key(request)}")
                for hit_key in keys:
                    result = ratelimit_hit(scope=scope, key=hit_key, rate=rate)
                    if not result.allowed:
                        return too_many_requests(request, retry_after=result.retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
