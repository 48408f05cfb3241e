"""Error pages: 400, 403, 404, 429, 500 and the CSRF failure page.

They render the templates `400.html` … `500.html` and `403_csrf.html` (which extend
`base.html`) in the page's language, and show nothing about the failure itself: no exception
text, no path, no settings. They show the request id so that a visitor can quote it and
staff can find the matching log line. Under /api/ every answer is JSON
(`api.errors.api_error_response`), never one of these pages.
"""

import logging

from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.template import loader
from django.utils.html import escape
from django.views.decorators.csrf import requires_csrf_token

from .api.errors import api_error_response, is_api_request

logger = logging.getLogger("exchangeportal.infra.errors")

# Last resort when even the 500 template cannot be rendered (e.g. a broken base.html).
_PLAIN_500 = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    "<title>Server error</title></head><body><h1>Server error</h1>"
    "<p>Something went wrong on our side. Please try again later.</p>"
    "<p>Reference: {request_id}</p></body></html>"
)


def _host_is_allowed(request) -> bool:
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


def _render(request, template_name: str, status: int, context: dict | None = None):
    context = {"request_id": getattr(request, "request_id", ""), **(context or {})}
    # A request for a host not in ALLOWED_HOSTS (the commonest 400) cannot build absolute
    # URLs, which the layout's language links do: render it without the request then.
    content = loader.render_to_string(
        template_name, context, request=request if _host_is_allowed(request) else None
    )
    return HttpResponse(content, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    if is_api_request(request):
        return api_error_response(request, 400)
    return _render(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    if is_api_request(request):
        return api_error_response(request, 403)
    return _render(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request, exception=None):
    if is_api_request(request):
        return api_error_response(request, 404)
    return _render(request, "404.html", 404)


@requires_csrf_token
def server_error(request):
    if is_api_request(request):
        return api_error_response(request, 500)
    try:
        return _render(request, "500.html", 500)
    except Exception:
        logger.exception("The 500 page could not be rendered")
        return HttpResponse(
            _PLAIN_500.format(request_id=escape(getattr(request, "request_id", ""))), status=500
        )


def too_many_requests(request, *, retry_after: int):
    """The answer of a rate-limited view: 429 with `Retry-After`, in the page's language."""
    response = _render(request, "429.html", 429, {"retry_after": retry_after})
    response["Retry-After"] = str(retry_after)
    return response


def csrf_failure(request, reason=""):
    """`CSRF_FAILURE_VIEW`: a friendly page saying to reload and send the form again.

    `reason` (Django's technical explanation) is logged, never shown.
    """
    logger.warning("CSRF check failed: %s", reason)
    if is_api_request(request):
        return api_error_response(request, 403, csrf=True)
    return _render(request, "403_csrf.html", 403)
