"""The API's error answers: JSON with a clear message, never HTML, never 500 for bad input."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error


def api_exception_handler(exc, context):
    """DRF's handler, plus: Django's ValidationError (what services raise) answers 400,
    Django's PermissionDenied 403.

    The body is always JSON (even when CSV was asked for): `{"detail": "…"}` for one
    message (a refused transition …) or field errors `{"field": ["…"]}`.
    """
    # Imported here: rest_framework.views reads the throttle classes defined in this module.
    from rest_framework.views import exception_handler  # noqa: PLC0415 — reason above

    if isinstance(exc, DjangoValidationError) and not hasattr(exc, "error_dict"):
        response = Response({"detail": " ".join(exc.messages)}, status=400)
        _answer_in_json(context)
        return response
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is not None:
        _answer_in_json(context)
    return response


def _answer_in_json(context) -> None:
    request = context.get("request")
    if request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type


API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    """Whether the request is for an address under /api/, whose every answer is JSON."""
    return request.path_info.startswith(API_PREFIX)


def _not_found_message() -> str:
    return _("There is no API endpoint at this address. See /api/docs/.")


def api_error_response(request, status: int, *, csrf: bool = False) -> JsonResponse:
    """The JSON answer of Django's error handlers (400, 403, 404, 500) under /api/:
    `{"detail": "…"}`, and the request id on a 500 so that it can be quoted."""
    if status == 400:
        body = {"detail": _("The request could not be read: its address, headers or body.")}
    elif status == 403 and csrf:
        body = {
            "detail": _(
                "CSRF check failed: send the CSRF token with a signed-in request, or "
                "authenticate with “Authorization: Token <key>”."
            )
        }
    elif status == 403:
        body = {"detail": _("You are not allowed to do this.")}
    elif status == 404:
        body = {"detail": _not_found_message()}
    else:
        body = {
            "detail": pgettext(
                "error page",
                "Something went wrong on our side. It has been logged; please try again later.",
            ),
            "request_id": getattr(request, "request_id", ""),
        }
    return JsonResponse(body, status=status)


@csrf_exempt  # answers every method with a JSON 404, never Django's HTML CSRF page
def api_not_found(request, path=""):
    """Any other address under /api/: a JSON 404 (or a redirect to the address with its slash)."""
    if request.method in ("GET", "HEAD") and path and not path.endswith("/"):
        try:
            match = resolve(f"{request.path}/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not_found":
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                f"{request.path}/" + (f"?{query}" if query else "")
            )
    return JsonResponse({"detail": _not_found_message()}, status=404)
