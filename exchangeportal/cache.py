"""Anonymous page caching, invalidated on every write by a data version.

Every cached page is stored with the *data version* it was rendered under, and
served only while that is still the current version (read together with the
page: one cache round trip). Any write bumps the version (`data_version_bump`),
so every page cached before it is never served again — no time-out has to
expire and no list of keys has to be known. The version is bumped:

- by a signal on every save, delete and many-to-many change of a model of the
  portal's own apps (connected in `exchangeportal.apps`);
- by the services that write in bulk without signals (`ties_import`,
  `generate_synthetic`): call `data_version_bump()` after a bulk write or a
  `QuerySet.update()` of your own.

How to apply it to a public page (see README, "Performance"):

- a function view: `@cache_page_for_anonymous` (or
  `@cache_page_for_anonymous(timeout=60)`);
- a class-based view or a DRF view/viewset: put `AnonymousPageCacheMixin` first
  in its bases.

Only anonymous GET/HEAD requests without a session or messages cookie are
served from the cache; only 200 responses that set no cookie and did not use a
CSRF token (a page with a form) are stored. Each cached response carries an
ETag; a request whose `If-None-Match` matches gets a 304 without a body.
`X-Page-Cache: hit|miss|skip` says what happened.

With more than one server process, use a shared cache (`CACHE_URL=redis://…`):
the local-memory default is per process, so a write seen by one process would
not reach the pages cached by another.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import parse_http_date_safe
from django.utils.translation import get_language

DATA_VERSION_KEY = "portal:data-version"
DATA_CHANGED_KEY = "portal:data-changed-at"
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


def data_version() -> int:
    """The current data version; started from the clock so a lost key never repeats one."""
    return data_state()[0]


def data_version_bump(**_signal_kwargs) -> None:
    """Make every cached page stale. Accepts (and ignores) signal arguments."""
    try:
        cache.incr(DATA_VERSION_KEY)
    except ValueError:  # no version yet, or evicted: start one that is newer than any before
        cache.set(DATA_VERSION_KEY, time.time_ns() // 1000, timeout=None)
    cache.set(DATA_CHANGED_KEY, time.time(), timeout=None)


def data_state() -> tuple[int, float]:
    """(data version, Unix time of the last change) for conditional GET: one cache read.

    When the cache has lost them (a restart of a local-memory cache, an eviction),
    both start again from now: a newer version and a later time than any before,
    so a client's old validators never match by mistake.
    """
    found = cache.get_many([DATA_VERSION_KEY, DATA_CHANGED_KEY])
    if len(found) < 2:
        now_us = time.time_ns() // 1000
        cache.add(DATA_VERSION_KEY, now_us, timeout=None)
        cache.add(DATA_CHANGED_KEY, now_us / 1_000_000, timeout=None)
        found = cache.get_many([DATA_VERSION_KEY, DATA_CHANGED_KEY])
        if len(found) < 2:  # a cache that keeps nothing (dummy://): never the same twice
            return now_us, now_us / 1_000_000
    return found[DATA_VERSION_KEY], found[DATA_CHANGED_KEY]


def page_cache_key(request, *, variant: str = "") -> str:
    """The page's key: its address (with the query string) and language, and the `variant`
    (the API's negotiated media type). The data version is checked in the entry."""
    address = request.build_absolute_uri() + (f"|{variant}" if variant else "")
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"{PAGE_KEY_PREFIX}:{get_language() or ''}:{digest}"


class _LocalPages:
    """This process's own copies of the pages it served lately (least recently used first out).

    A copy is served only under the current data version, read from the shared cache on
    every request (a few bytes), so it is never staler than the shared cache's entry;
    it saves fetching and unpickling the whole page from Redis on every hit.
    """

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[str, tuple[float, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def get(self, key: str, version: int) -> dict | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            expires_at, entry = found
            if entry["version"] != version or expires_at < time.monotonic():
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


def _cached_page(key: str) -> tuple[int, dict | None]:
    """(current data version, the entry when it was stored under that version).

    One read of the shared cache: the version alone when this process holds a copy of
    the page (`local_pages`), else the version and the page together.
    """
    version = cache.get(DATA_VERSION_KEY) if key in local_pages else None
    if version is not None:
        entry = local_pages.get(key, version)
        if entry is not None:
            return version, entry
    found = cache.get_many([DATA_VERSION_KEY, key])
    version = found.get(DATA_VERSION_KEY)
    if version is None:
        return data_version(), None
    entry = found.get(key)
    if entry is None or entry["version"] != version:
        return version, None
    local_pages.put(key, entry, entry.get("timeout", DEFAULT_TIMEOUT))
    return version, entry


def _store_page(key: str, entry: dict, timeout: int) -> None:
    entry["timeout"] = timeout  # a copy taken later from the shared cache expires no later
    cache.set(key, entry, timeout)
    local_pages.put(key, entry, timeout)


def _is_personal(request) -> bool:
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies


def _is_storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page holds a CSRF token: it belongs to this visitor only
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


def _frozen(response, version: int) -> dict:
    return {
        "version": version,
        "status": response.status_code,
        "content": response.content,
        "headers": {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)},
    }


def _thawed(frozen: dict) -> HttpResponse:
    response = HttpResponse(frozen["content"], status=frozen["status"])
    for name, value in frozen["headers"].items():
        response[name] = value
    return response


def _hit(frozen: dict) -> HttpResponse:
    response = _thawed(frozen)
    response["X-Page-Cache"] = "hit"
    return response


def _stored(request, response, *, key: str, version: int, timeout: int | None):
    """Store a freshly rendered page (when it may be) and mark the response."""
    if callable(getattr(response, "render", None)):
        response = response.render()
    if not _is_storable(request, response):
        response["X-Page-Cache"] = "skip"
        return response
    if not response.has_header("ETag"):  # keep the view's own validator if any
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    # Browsers may keep the page but must ask again: a 304 when nothing changed.
    patch_cache_control(response, no_cache=True)
    _store_page(key, _frozen(response, version), DEFAULT_TIMEOUT if timeout is None else timeout)
    response["X-Page-Cache"] = "miss"
    return response


def _conditional(request, response):
    """A 304 when the request's validators match the page, else the page."""
    return get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )


def cache_page_for_anonymous(view=None, *, timeout: int | None = None):
    """Serve a view's anonymous GETs from the cache until the next write (or `timeout`)."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD") or _is_personal(request):
                return view_func(request, *args, **kwargs)
            key = page_cache_key(request)
            version, frozen = _cached_page(key)
            if frozen is not None:
                return _conditional(request, _hit(frozen))
            response = view_func(request, *args, **kwargs)
            response = _stored(request, response, key=key, version=version, timeout=timeout)
            if response["X-Page-Cache"] == "skip":
                return response
            return _conditional(request, response)

        return wrapped

    return decorator(view) if view is not None else decorator


class AnonymousPageCacheMixin:
    """For class-based views and DRF views/viewsets: `cache_page_for_anonymous` on `as_view`."""

    page_cache_timeout: int | None = None

    @classmethod
    def as_view(cls, *args, **kwargs):
        view = super().as_view(*args, **kwargs)
        return cache_page_for_anonymous(view, timeout=cls.page_cache_timeout)


def _api_page_key(request) -> str:
    """An API page's key: the address (query string, `?format=`) and the Accept header as
    sent (the same header always negotiates the same media type)."""
    return page_cache_key(request, variant="accept:" + request.META.get("HTTP_ACCEPT", ""))


def _api_answer_from_cache(request, throttle_classes) -> HttpResponse | None:
    """The cached answer to a request that is anonymous on its face (no session or messages
    cookie, no Authorization header), before DRF builds its request: the throttles still
    run first, and count the request once (`request.portal_throttle_counted`)."""
    if (
        request.method not in ("GET", "HEAD")
        or _is_personal(request)
        or "HTTP_AUTHORIZATION" in request.META
    ):
        return None
    for throttle_class in throttle_classes:
        if not throttle_class().allow_request(request, None):
            return None  # DRF's own check answers 429 with Retry-After
    request.portal_throttle_counted = True
    key = _api_page_key(request)
    version, frozen = _cached_page(key)
    if frozen is None:
        request.portal_page_cache_miss = (key, version)  # `initial` need not look again
        return None
    return _conditional(request, _hit(frozen))


class ApiPageCacheMixin:
    """For DRF read-only views: the anonymous page cache, *after* the API's throttles.

    A request that is anonymous on its face is answered from the cache before DRF builds
    its request (`_api_answer_from_cache`): only the throttles run first (a cached answer
    does not bypass the rate limit). Any other anonymous GET/HEAD is looked up after
    DRF's authentication, permissions and throttling (`initial`). The key holds the full
    address (query string, `?format=csv`) and the Accept header (`Accept: text/csv`), so
    each variant is cached apart. Requests by a signed-in or token user are never cached.
    """

    page_cache_timeout: int | None = None

    @classmethod
    def as_view(cls, *args, **kwargs):
        view = super().as_view(*args, **kwargs)
        throttle_classes = cls.throttle_classes

        @wraps(view)  # keeps what DRF's router and schema read (cls, actions, csrf_exempt)
        def cache_first(request, *view_args, **view_kwargs):
            cached = _api_answer_from_cache(request, throttle_classes)
            return cached if cached is not None else view(request, *view_args, **view_kwargs)

        return cache_first

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        self._page_cache = None
        if (
            request.method not in ("GET", "HEAD")
            or _is_personal(request)
            or request.user.is_authenticated
        ):
            return
        looked_up = getattr(request, "portal_page_cache_miss", None)
        if looked_up is not None:
            (key, version), frozen = looked_up, None
        else:
            key = _api_page_key(request)
            version, frozen = _cached_page(key)
        self._page_cache = (key, version, frozen is not None)
        if frozen is not None:
            response = _hit(frozen)
            # The handler DRF calls next answers with the cached page.
            setattr(self, request.method.lower(), lambda *_args, **_kwargs: response)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        state = getattr(self, "_page_cache", None)
        if state is None:
            return response
        key, version, hit = state
        if not hit:
            response = _stored(
                request, response, key=key, version=version, timeout=self.page_cache_timeout
            )
            if response["X-Page-Cache"] == "skip":
                return response
        return _conditional(request, response)
