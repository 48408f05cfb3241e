"""Log-in protection with django-axes: who is counted, when an address is locked, the answer.

- **The client address** is the one the portal's rate limiter uses (`ratelimit.client_ip`,
  `DJANGO_TRUSTED_PROXY_COUNT`), never the proxy's: behind nginx every request comes from the
  proxy, so keying on `REMOTE_ADDR` let anyone lock any account out for everyone.
- **A user name on one address** is locked after `AXES_FAILURE_LIMIT` failures (axes itself).
- **An address** is locked, whatever user names it tries, after `LOGIN_ADDRESS_FAILURE_LIMIT`
  failures within the cool-off (`PortalAxesHandler`): password spraying (one password tried on
  many user names) is limited too. `axes_reset` lifts both.
- **The answer** to a locked log-in is 429 with `Retry-After` (the cool-off in seconds).

Django's log-in form does not limit the length of the user name it passes to `authenticate`,
and axes stores that name in a 255-character column: a very long name (found by the fuzz tests)
made PostgreSQL refuse the insert and the log-in page answer 500. No account has a name longer
than the user model allows, so the name is cut there; the attempt is still counted.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from exchangeportal.infra.ratelimit import client_ip


def axes_username(request, credentials=None) -> str | None:
    """`AXES_USERNAME_CALLABLE`: the submitted user name, cut to the user model's maximum."""
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    source = credentials or getattr(request, "POST", {})
    username = source.get(field)
    if username is None:
        return None
    limit = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD).max_length
    return str(username)[:limit]


def axes_client_ip(request) -> str:
    """`AXES_CLIENT_IP_CALLABLE`: the same client address as the portal's rate limits."""
    return client_ip(request)


def address_failures(ip_address: str) -> int:
    """Failed log-ins from one address within the cool-off, summed over every user name."""
    attempts = AccessAttempt.objects.filter(ip_address=ip_address)
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class PortalAxesHandler(AxesDatabaseHandler):
    """axes' database handler, plus a limit per address across user names."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        ip_address = getattr(request, "axes_ip_address", None) or client_ip(request)
        if address_failures(ip_address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            # The address is locked: answer as if this user name had reached its own limit.
            return max(failures, get_failure_limit(request, credentials))
        return failures


def retry_after_seconds() -> int:
    """Seconds until a lockout recorded now ends (each refused attempt starts the cool-off
    again, `AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT`)."""
    cool_off = get_cool_off()
    return max(1, int(cool_off.total_seconds())) if cool_off else 3600


def lockout_response(request, original_response=None, credentials=None):
    """`AXES_LOCKOUT_CALLABLE`: the styled lockout page (`AXES_LOCKOUT_TEMPLATE`), 429, with
    `Retry-After`."""
    response = render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {"failure_limit": get_failure_limit(request, credentials)},
        status=429,
    )
    response["Retry-After"] = str(retry_after_seconds())
    return response
