"""Anonymous page caching and conditional GET, keyed by the data version held in the database.

One change detector: the *data version* (`exchangeportal.models.DataVersion`, one row) moves
on with every write to what the public pages show, inside the writing transaction:

- a signal before every save, delete and many-to-many change of a shown model (connected in
  `exchangeportal.apps`);
- the project's bulk writers (`QuerySet.update()`, `bulk_create`, imports, the generator) call
  `data_version_bump()` themselves, in their transaction.

Every process reads the version from the database (one query per request), so no supported
setup — runserver, `make serve`'s several workers each with its own local-memory cache,
several servers sharing Redis — serves a page rendered before the last committed write.

Pages are stored in Django's cache under a key that holds the data version (with the address,
the language, today's date and the API's variant): after a write the keys are new, and the old
entries are never read again and expire. Each process also keeps its latest pages
(`local_pages`), so with Redis a hit costs the version query and nothing else.

ETag and Last-Modified come from the same data state, through Django's `condition` decorator
(and `get_conditional_response` for the API, after its throttles): a 304 when nothing changed.

How to apply it to a public page (see README, "Performance"):

- a function view: `@cache_page_for_anonymous` (or `@cache_page_for_anonymous(timeout=60)`);
- a class-based view: put `AnonymousPageCacheMixin` first in its bases;
- a DRF read-only view or viewset: `ApiPageCacheMixin` first in its bases.

Only anonymous GET/HEAD requests without a session or messages cookie are served from the
cache or answered 304; only 200 responses that set no cookie and did not use a CSRF token (a
page with a form) are stored. `X-Page-Cache: hit|miss|skip` says what happened.

A stored page keeps its Brotli and gzip variants beside the plain body (made once, when it is
stored: `exchangeportal.infra.compression`), so a hit answers in the encoding the client
accepts without compressing anything.
"""

import datetime
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from django.utils.translation import get_language
from django.views.decorators.http import condition

from ..models import DataVersion
from .compression import (
    ENCODINGS,
    accepted_encoding,
    apply_encoding,
    encode,
    holds_secret,
    is_compressible,
)

PAGE_KEY_PREFIX = "portal:page"
DEFAULT_TIMEOUT = 600
LOCAL_PAGES = 256  # pages each process keeps a copy of (see `_LocalPages`)
_KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Vary",
    "Allow",
    "Link",
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "Content-Disposition",
)


# --- The data version -------------------------------------------------------------------------


@dataclass(frozen=True)
class DataState:
    version: int
    changed_at: datetime.datetime


def _data_row() -> DataVersion:
    """The row, made when missing (a new database, or one flushed by a test): its first version
    comes from the clock, so it is newer than any version before it."""
    try:
        with transaction.atomic():
            row, _created = DataVersion.objects.get_or_create(pk=1)
    except IntegrityError:  # made at the same moment by another process
        row = DataVersion.objects.get(pk=1)
    return row


def _state_sql() -> str:
    quote = connection.ops.quote_name
    return f"SELECT version, changed_at FROM {quote(DataVersion._meta.db_table)} WHERE id = 1"


def _aware(value) -> datetime.datetime:
    """A datetime as the backend returns it (SQLite: text in UTC), made aware."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, datetime.UTC)


def data_state() -> DataState:
    """The current data version and the time of the last write: one primary-key query, on
    every request that may be answered from the cache — so written in SQL (a third of the
    ORM's cost: `make bench`)."""
    with connection.cursor() as cursor:
        cursor.execute(_state_sql())
        row = cursor.fetchone()
    if row is None:
        made = _data_row()
        return DataState(version=made.version, changed_at=made.changed_at)
    return DataState(version=row[0], changed_at=_aware(row[1]))


def data_version() -> int:
    return data_state().version


def data_version_bump(**_signal_kwargs) -> None:
    """Make every cached page stale, as part of the current transaction (a rollback undoes it).

    Accepts (and ignores) signal arguments: it is the receiver of the write signals.
    """
    moved = DataVersion.objects.filter(pk=1).update(
        version=F("version") + 1, changed_at=timezone.now()
    )
    if not moved:
        _data_row()


# --- Validators and keys ----------------------------------------------------------------------


def _page_identity(request, state: DataState, variant: str, *, dated: bool = True) -> str:
    """What a page depends on: the data version, today ("upcoming" becomes "past" at
    midnight; not for an undated page such as the sitemap), the language, the full address
    and the variant (the API's Accept header)."""
    today = timezone.localdate().isoformat() if dated else "-"
    return f"{state.version}|{today}|{get_language() or ''}|{request.get_full_path()}|{variant}"


def page_etag(request, state: DataState, *, variant: str = "", dated: bool = True) -> str:
    identity = _page_identity(request, state, variant, dated=dated)
    digest = hashlib.sha256(identity.encode()).hexdigest()
    return f'"{digest[:32]}"'


def page_last_modified(state: DataState, *, dated: bool = True) -> datetime.datetime:
    """The last write, but never earlier than the start of today (UTC) for a dated page: the
    day is part of it. An undated page was last modified by the last write."""
    if not dated:
        return state.changed_at
    start_of_day = datetime.datetime.combine(
        timezone.localdate(), datetime.time.min, tzinfo=datetime.UTC
    )
    return max(state.changed_at, start_of_day)


def page_cache_key(request, state: DataState, *, variant: str = "", dated: bool = True) -> str:
    identity = _page_identity(request, state, variant, dated=dated)
    digest = hashlib.sha256((request.build_absolute_uri() + "|" + identity).encode()).hexdigest()
    return f"{PAGE_KEY_PREFIX}:{state.version}:{digest}"


# --- Storage ----------------------------------------------------------------------------------


class _LocalPages:
    """This process's own copies of the pages it stored or fetched lately (least recently used
    first out). The key holds the data version, so a copy is never served after a write; it
    saves fetching and unpickling the whole page from Redis on every hit."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[str, tuple[float, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> dict | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            expires_at, entry = found
            if expires_at < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: dict, timeout: float) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + timeout, entry)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


local_pages = _LocalPages(size=LOCAL_PAGES)


def _cached_page(key: str) -> dict | None:
    entry = local_pages.get(key)
    if entry is None:
        entry = cache.get(key)
        if entry is not None:
            local_pages.put(key, entry, entry["timeout"])
    return entry


def _store_page(key: str, entry: dict, timeout: int) -> None:
    entry["timeout"] = timeout  # a copy taken later from the shared cache expires no later
    cache.set(key, entry, timeout)
    local_pages.put(key, entry, timeout)


# --- Responses --------------------------------------------------------------------------------


def _is_personal(request) -> bool:
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies


def _is_cacheable_request(request) -> bool:
    return request.method in ("GET", "HEAD") and not _is_personal(request)


def _is_storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page holds a CSRF token: it belongs to this visitor only
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


def _encode_for(request, response, encoded: dict[str, bytes], *, etag: str | None) -> None:
    """Give `response` the stored variant the client accepts (its ETag made weak)."""
    if etag and not response.has_header("ETag"):
        response["ETag"] = etag
    encoding = accepted_encoding(request)
    if encoding in encoded:
        apply_encoding(response, encoded[encoding], encoding)


def _hit(request, frozen: dict, *, etag: str | None = None) -> HttpResponse:
    response = HttpResponse(frozen["content"], status=frozen["status"])
    for name, value in frozen["headers"].items():
        response[name] = value
    _encode_for(request, response, frozen.get("encoded", {}), etag=etag)
    response["X-Page-Cache"] = "hit"
    return response


def _variants(request, response) -> dict[str, bytes]:
    """The page's Brotli and gzip bodies, when it is worth compressing (and smaller so)."""
    if not is_compressible(response) or holds_secret(request, response):
        return {}
    variants = {encoding: encode(response.content, encoding) for encoding in ENCODINGS}
    return {
        encoding: body for encoding, body in variants.items() if len(body) < len(response.content)
    }


def _stored(request, response, *, key: str, timeout: int | None, etag: str | None = None):
    """Store a freshly rendered page (when it may be) and mark the response."""
    if callable(getattr(response, "render", None)):
        response = response.render()
    if not _is_storable(request, response):
        response["X-Page-Cache"] = "skip"
        return response
    # Browsers may keep the page but must ask again: a 304 when nothing changed.
    patch_cache_control(response, no_cache=True)
    encoded = _variants(request, response)
    frozen = {
        "status": response.status_code,
        "content": response.content,
        "encoded": encoded,
        "headers": {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)},
    }
    _store_page(key, frozen, DEFAULT_TIMEOUT if timeout is None else timeout)
    _encode_for(request, response, encoded, etag=etag)
    response["X-Page-Cache"] = "miss"
    return response


def cache_page_for_anonymous(view=None, *, timeout: int | None = None, dated: bool = True):
    """Answer a view's anonymous GETs with 304 or from the cache until the next write (or
    `timeout`). `dated=False` for a page that does not change with the day (the sitemap):
    its Last-Modified is then the last write itself."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            if not _is_cacheable_request(request):
                return view_func(request, *args, **kwargs)
            state = data_state()
            key = page_cache_key(request, state, dated=dated)
            etag = page_etag(request, state, dated=dated)

            def cached_view(request, *args, **kwargs):
                frozen = _cached_page(key)
                if frozen is not None:
                    return _hit(request, frozen, etag=etag)
                response = view_func(request, *args, **kwargs)
                return _stored(request, response, key=key, timeout=timeout, etag=etag)

            conditional = condition(
                etag_func=lambda request, *args, **kwargs: etag,
                last_modified_func=lambda request, *args, **kwargs: page_last_modified(
                    state, dated=dated
                ),
            )(cached_view)
            return conditional(request, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


class AnonymousPageCacheMixin:
    """For class-based views: `cache_page_for_anonymous` on `as_view`."""

    page_cache_timeout: int | None = None

    @classmethod
    def as_view(cls, *args, **kwargs):
        view = super().as_view(*args, **kwargs)
        return cache_page_for_anonymous(view, timeout=cls.page_cache_timeout)


class _Answered(Exception):
    """Raised in `ApiPageCacheMixin.initial` to answer with a cached page or a 304."""

    def __init__(self, response):
        super().__init__()
        self.response = response


class ApiPageCacheMixin:
    """For DRF read-only views: conditional GET and the anonymous page cache, *after* DRF's
    authentication, permissions and throttles (a cached answer does not bypass the rate limit).

    The key holds the full address (query string, `?format=csv`) and the Accept header as sent
    (`Accept: text/csv`), so each variant is cached apart. Requests by a signed-in or token
    user are never cached.
    """

    page_cache_timeout: int | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._page_cache = None
        if not _is_cacheable_request(request) or request.user.is_authenticated:
            return
        state = data_state()
        variant = "accept:" + request.META.get("HTTP_ACCEPT", "")
        etag = page_etag(request, state, variant=variant)
        last_modified = int(page_last_modified(state).timestamp())
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            raise _Answered(not_modified)
        key = page_cache_key(request, state, variant=variant)
        frozen = _cached_page(key)
        if frozen is not None:
            raise _Answered(_hit(request, frozen, etag=etag))
        self._page_cache = (key, etag, last_modified)

    def handle_exception(self, exc):
        if isinstance(exc, _Answered):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        state = getattr(self, "_page_cache", None)
        if state is None or response.status_code != 200:
            return response
        key, etag, last_modified = state
        response.headers.setdefault("ETag", etag)
        response.headers.setdefault("Last-Modified", http_date(last_modified))
        return _stored(request, response, key=key, timeout=self.page_cache_timeout)
