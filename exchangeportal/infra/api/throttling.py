"""Rate limits of the API: anonymous clients per address, users per account."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from ..ratelimit import client_ip


def rate_from_settings(scope: str) -> str | None:
    """The rate of `scope` in DEFAULT_THROTTLE_RATES; "off" (or "none") turns that throttle off,
    for a deployment whose proxy already limits rates, and for `make bench`."""
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    return None if (rate or "").strip().lower() in {"off", "none"} else rate


class _ClientAddress:
    """A client is identified by the portal's one client-address function
    (`DJANGO_TRUSTED_PROXY_COUNT`), not by DRF's reading of the whole `X-Forwarded-For` header,
    which a client can vary."""

    def get_ident(self, request):
        return client_ip(request)


class AnonThrottle(_ClientAddress, AnonRateThrottle):
    """Anonymous clients, per IP address: `API_THROTTLE_ANON` (default 120/minute)."""

    def get_rate(self):
        return rate_from_settings(self.scope)


class UserThrottle(_ClientAddress, UserRateThrottle):
    """Signed-in clients (session or token), per user: `API_THROTTLE_USER` (default 600/minute).

    Anonymous clients are left to `AnonThrottle` alone (DRF's own class would count them a
    second time, by IP, against the signed-in rate).
    """

    def get_rate(self):
        return rate_from_settings(self.scope)

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)
