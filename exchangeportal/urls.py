from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import path

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Error pages in the page's language that leak nothing (exchangeportal/errors.py).
handler400 = "exchangeportal.errors.bad_request"
handler403 = "exchangeportal.errors.permission_denied"
handler404 = "exchangeportal.errors.page_not_found"
handler500 = "exchangeportal.errors.server_error"
