"""A small fixed-window rate limit on Django's cache (local memory unless configured)."""

import time

from django.core.cache import cache


def parse_rate(rate: str) -> tuple[int, int]:
    """`"5/3600"` → (5, 3600): at most 5 hits per 3600 seconds."""
    count, _slash, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def rate_limit_exceeded(*, scope: str, key: str, rate: str) -> bool:
    """Count one hit for `key` in `scope`; True when the limit of `rate` is already used up.

    A hit that is refused is not counted, so a blocked client is free again when the
    window ends.
    """
    limit, window = parse_rate(rate)
    bucket = int(time.time() // window)
    cache_key = f"ratelimit:{scope}:{key}:{bucket}"
    current = cache.get(cache_key, 0)
    if current >= limit:
        return True
    if not cache.add(cache_key, 1, timeout=window):
        try:
            cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=window)
    return False


def client_ip(request) -> str:
    """The client's address as the server sees it (put a proxy's real-IP handling in front)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"
