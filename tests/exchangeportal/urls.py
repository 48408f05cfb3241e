"""The project's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpResponse
from django.urls import path

from exchangeportal import urls as project_urls
from exchangeportal.infra.ratelimit import ratelimit


def explode(request):
    raise RuntimeError("secret-detail-42 in /etc/exchangeportal")


def forbidden(request):
    raise PermissionDenied("secret-detail-42")


def suspicious(request):
    raise SuspiciousOperation("secret-detail-42")


@ratelimit(scope="test-form", rate="2/h")
def limited_form(request):
    return HttpResponse("sent")


@ratelimit(scope="test-login", rate="3/h", key=lambda request: request.POST.get("username", ""))
def limited_login(request):
    return HttpResponse("logged in")


urlpatterns = [
    *project_urls.urlpatterns,
    path("explode/", explode),
    path("forbidden/", forbidden),
    path("suspicious/", suspicious),
    path("limited/", limited_form),
    path("limited-login/", limited_login),
]

handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
