from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# `make bench` only: the framework ceiling (see exchangeportal/bench.py).
if settings.BENCH_CEILING_VIEW:
    from .bench import ceiling_view

    urlpatterns += [path("bench/ceiling/", ceiling_view, name="bench_ceiling")]
