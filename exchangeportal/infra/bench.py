"""The benchmark's framework ceiling: a view that does nothing but answer.

Routed only when the setting BENCH_CEILING_VIEW is on (the `make bench` harness
turns it on for its own server), so production never exposes it. It runs through
the whole middleware stack, which is what every page pays before its own work.
"""

from django.http import HttpResponse


def ceiling_view(request):
    return HttpResponse(b"ok", content_type="text/plain")
