"""Conditional GET for the public pages and feeds: ETag and Last-Modified from the data version.

The validators come from the cache's data version (`exchangeportal.cache`), which
every write to what the public pages show moves on: one cache read, no query,
whatever the size of the data.
"""

import datetime
import hashlib

from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language

from .cache import data_state


def page_validators(request) -> tuple[str, datetime.datetime]:
    """(ETag, Last-Modified) of the page at this URL, in this language, with today's data.

    Last-Modified is the latest change to what the portal shows, but never
    earlier than the start of today (UTC): "upcoming" becomes "past" at midnight,
    which is also why today's date is part of the ETag.
    """
    today = timezone.localdate()
    version, changed_at = data_state()
    start_of_day = datetime.datetime.combine(today, datetime.time.min, tzinfo=datetime.UTC)
    last_modified = max(datetime.datetime.fromtimestamp(changed_at, datetime.UTC), start_of_day)
    key = f"{version}|{today.isoformat()}|{get_language()}|{request.get_full_path()}"
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    return etag, last_modified


class ConditionalGetMixin:
    """For class-based views: answer 304 when unchanged; send ETag and Last-Modified on 200."""

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return super().dispatch(request, *args, **kwargs)
        etag, last_modified = page_validators(request)
        timestamp = int(last_modified.timestamp())
        response = get_conditional_response(request, etag=etag, last_modified=timestamp)
        if response is not None:
            return response
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == 200:
            response.headers.setdefault("ETag", etag)
            response.headers.setdefault("Last-Modified", http_date(timestamp))
        return response
