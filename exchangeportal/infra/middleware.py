"""Project-wide middleware: health checks, request ids with the access log, Permissions-Policy."""

import logging
import re
import time
import uuid

from django.conf import settings

from exchangeportal.infra import health
from exchangeportal.infra.logging import request_id_var

access_logger = logging.getLogger("exchangeportal.request")

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only if it is short and harmless in logs and headers.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


class HealthCheckMiddleware:
    """Answer /healthz and /readyz before anything else.

    First in the chain so that load-balancer probes are not redirected to HTTPS, not refused for
    a Host header that is an IP address, and not written to the access log every few seconds.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.routes = {"/healthz": health.healthz, "/readyz": health.readyz}

    def __call__(self, request):
        view = self.routes.get(request.path_info)
        if view is not None and request.method in {"GET", "HEAD"}:
            return view(request)
        return self.get_response(request)


class RequestIDMiddleware:
    """Give each request an id, echo it in `X-Request-ID`, and log one line when it is done.

    An incoming `X-Request-ID` (set by a proxy) is kept when sane, else a new one is made. The
    line carries method, path, status, duration in milliseconds and the id.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            access_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy` built from `settings.PERMISSIONS_POLICY` ({feature: [origins]})."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.setdefault("Permissions-Policy", self.header)
        return response
