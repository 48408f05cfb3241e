"""Conditional GET for the public pages and feeds: ETag and Last-Modified from the data shown."""

import datetime
import hashlib

from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language

from cities.selectors import portal_data_version


def page_validators(request) -> tuple[str, datetime.datetime]:
    """(ETag, Last-Modified) of the page at this URL, in this language, with today's data.

    Last-Modified is the latest change to what the portal shows, but never
    earlier than the start of today (UTC): "upcoming" becomes "past" at midnight.
    """
    today = timezone.localdate()
    last_modified, digest = portal_data_version(today=today)
    start_of_day = datetime.datetime.combine(today, datetime.time.min, tzinfo=datetime.UTC)
    last_modified = max(last_modified, start_of_day) if last_modified else start_of_day
    key = f"{digest}|{get_language()}|{request.get_full_path()}"
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
