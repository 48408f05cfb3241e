import datetime
import gzip
import socket

import brotli
import pytest
from django.core.cache import cache, caches
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.test import RequestFactory
from django.utils.http import http_date
from django.views.generic import View

from exchangeportal.infra.cache import (
    AnonymousPageCacheMixin,
    DataState,
    cache_page_for_anonymous,
    data_state,
    data_version,
    data_version_bump,
    local_pages,
)
from exchangeportal.models import DataVersion
from exchangeportal.settings import parse_cache_url
from tests.factories import CityFactory, FriendshipLinkFactory

# Every page reads the data version from the database.
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


class CountingView:
    """A view that says how many times it really ran."""

    def __init__(self):
        self.calls = 0

    def __call__(self, request):
        self.calls += 1
        return HttpResponse(f"page {self.calls}")


def get(path="/en/places/", **headers):
    return RequestFactory().get(path, headers=headers)


def test_cache_page_for_anonymous_serves_a_second_visit_from_the_cache():
    view = CountingView()
    page = cache_page_for_anonymous(view)

    first, second = page(get()), page(get())

    assert (first.content, second.content, view.calls) == (b"page 1", b"page 1", 1)
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second["ETag"] == first["ETag"]
    assert second["Cache-Control"] == "no-cache"


def test_cache_page_for_anonymous_keys_on_the_address():
    view = CountingView()
    page = cache_page_for_anonymous(view)

    contents = [page(get(path)).content for path in ("/en/places/", "/en/places/?page=2")]

    assert (contents, view.calls) == ([b"page 1", b"page 2"], 2)


def test_cache_page_for_anonymous_is_stale_after_any_write():
    view = CountingView()
    page = cache_page_for_anonymous(view)
    page(get())

    CityFactory()
    after_save = page(get())
    FriendshipLinkFactory().sources.clear()
    after_tie = page(get())

    assert (after_save.content, after_save["X-Page-Cache"]) == (b"page 2", "miss")
    assert (after_tie.content, view.calls) == (b"page 3", 3)


def test_data_version_bump_makes_a_new_version():
    before = data_version()

    data_version_bump()

    assert data_version() == before + 1


def test_the_data_version_is_kept_in_the_database_not_the_cache():
    before = data_version()
    cache.clear()
    local_pages.clear()

    assert data_version() == before


def test_data_state_moves_on_with_every_write(monkeypatch):
    state = data_state()
    later = datetime.datetime(2027, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    monkeypatch.setattr("exchangeportal.infra.cache.timezone.now", lambda: later)

    CityFactory()

    assert data_state() == DataState(version=state.version + 1, changed_at=later)


def test_a_lost_version_row_starts_again_newer_than_before():
    before = data_version()
    DataVersion.objects.all().delete()

    again = data_version()

    assert again > before
    assert DataVersion.objects.get().version == again


def test_a_rolled_back_write_leaves_the_version_as_it_was():
    before = data_version()

    with pytest.raises(RuntimeError), transaction.atomic():
        CityFactory()
        raise RuntimeError("the curator's save failed")

    assert data_version() == before


def test_a_write_bumps_the_version_in_its_transaction_once_per_change():
    before = data_version()

    with transaction.atomic():
        city = CityFactory()
        inside = data_version()
        city.delete()

    assert (inside, data_version()) == (before + 1, before + 2)


def test_redis_cache_reuses_one_client_per_pool(settings):
    settings.CACHES = {"default": parse_cache_url("redis://127.0.0.1:6379/15")}
    redis_cache = caches.create_connection("default")

    try:
        assert redis_cache._cache.get_client("a") is redis_cache._cache.get_client("b")
    finally:
        for pool in redis_cache._cache._pools.values():
            pool.disconnect()


def test_a_process_serves_its_own_copy_without_reading_the_shared_cache(monkeypatch):
    view = cache_page_for_anonymous(CountingView())
    view(get())  # stored in the shared cache and in this process's copies
    fetched = []
    monkeypatch.setattr(
        "exchangeportal.infra.cache.cache.get",
        lambda key, _get=cache.get: fetched.append(key) or _get(key),
    )

    hit = view(get())
    data_version_bump()
    after_write = view(get())

    assert (hit.content, hit["X-Page-Cache"]) == (b"page 1", "hit")
    assert (after_write.content, after_write["X-Page-Cache"]) == (b"page 2", "miss")
    assert len(fetched) == 1  # only after the write, for the new version's key


def test_a_page_another_process_stored_is_served_from_the_shared_cache():
    view = CountingView()
    page = cache_page_for_anonymous(view)
    page(get())
    local_pages.clear()  # as if this were another process sharing the cache

    hit = page(get())

    assert (hit.content, hit["X-Page-Cache"], view.calls) == (b"page 1", "hit", 1)


def test_local_copies_are_bounded_and_dropped_least_recently_used_first():
    from exchangeportal.infra.cache import _LocalPages

    pages = _LocalPages(size=2)
    for name in ["a", "b", "c"]:
        pages.put(name, {"name": name}, timeout=60)
    pages.get("b")
    pages.put("d", {"name": "d"}, timeout=60)

    assert [name for name in "abcd" if pages.get(name)] == ["b", "d"]


def test_local_copies_expire_with_their_timeout():
    from exchangeportal.infra.cache import _LocalPages

    pages = _LocalPages(size=2)
    pages.put("gone", {"name": "gone"}, timeout=-1)

    assert pages.get("gone") is None


def test_cache_page_for_anonymous_answers_304_to_a_matching_etag():
    page = cache_page_for_anonymous(CountingView())
    etag = page(get())["ETag"]

    response = page(get(If_None_Match=etag))

    assert (response.status_code, response.content, response["ETag"]) == (304, b"", etag)


def test_cache_page_for_anonymous_bypasses_visitors_with_a_session():
    view = CountingView()
    page = cache_page_for_anonymous(view)
    request = get()
    request.COOKIES["sessionid"] = "abc"

    responses = [page(request), page(request)]

    assert [r.content for r in responses] == [b"page 1", b"page 2"]
    assert [r.has_header("X-Page-Cache") for r in responses] == [False, False]


def test_cache_page_for_anonymous_does_not_store_a_page_with_a_csrf_token():
    calls = []

    def form_page(request):
        calls.append(get_token(request))
        return HttpResponse("form")

    page = cache_page_for_anonymous(form_page)

    responses = [page(get()), page(get())]

    assert [r["X-Page-Cache"] for r in responses] == ["skip", "skip"]
    assert len(calls) == 2


def test_cache_page_for_anonymous_does_not_store_errors_or_posts():
    view = CountingView()

    def missing(request):
        view(request)
        return HttpResponse("gone", status=404)

    page = cache_page_for_anonymous(missing)
    page(get())
    page(get())
    post = cache_page_for_anonymous(CountingView())
    first_post = post(RequestFactory().post("/en/places/"))
    second_post = post(RequestFactory().post("/en/places/"))

    assert view.calls == 2
    assert (first_post.content, second_post.content) == (b"page 1", b"page 2")


def test_anonymous_page_cache_mixin_caches_a_class_based_view():
    calls = []

    class PlacesView(AnonymousPageCacheMixin, View):
        def get(self, request):
            calls.append(1)
            return HttpResponse("places")

    view = PlacesView.as_view()

    responses = [view(get()), view(get())]

    assert [r["X-Page-Cache"] for r in responses] == ["miss", "hit"]
    assert len(calls) == 1


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_the_redis_cache_url_works(settings):
    settings.CACHES = {
        "default": parse_cache_url("redis://127.0.0.1:6379/15"),
    }
    redis_cache = caches.create_connection("default")
    redis_cache.set("portal:test", {"ok": 1}, 5)

    try:
        assert redis_cache.get("portal:test") == {"ok": 1}
    finally:
        redis_cache.delete("portal:test")
        for pool in redis_cache._cache._pools.values():  # close the sockets
            pool.disconnect()


def test_templates_are_compiled_once_by_the_cached_loader():
    loaders = engines["django"].engine.template_loaders

    assert [type(loader).__module__ for loader in loaders] == ["django.template.loaders.cached"]


def test_portal_pages_are_served_from_the_cache_until_a_write(client, django_assert_num_queries):
    CityFactory(name_en="Nara", slug="nara")
    first = client.get("/en/cities/?activity=all")

    with django_assert_num_queries(1):  # the data version
        second = client.get("/en/cities/?activity=all")
    CityFactory(name_en="Yangzhou", slug="yangzhou")
    third = client.get("/en/cities/?activity=all")

    assert [r["X-Page-Cache"] for r in (first, second, third)] == ["miss", "hit", "miss"]
    assert second.content == first.content
    assert (b"Yangzhou" in first.content, b"Yangzhou" in third.content) == (False, True)


def test_portal_pages_are_not_cached_for_logged_in_staff(admin_client):
    responses = [admin_client.get("/en/cities/"), admin_client.get("/en/cities/")]

    assert [r.status_code for r in responses] == [200, 200]
    assert [r.has_header("X-Page-Cache") for r in responses] == [False, False]


@pytest.mark.parametrize(
    "path",
    [
        "/en/network/",
        "/en/network/triads/",
        "/en/network/anniversaries/",
        "/en/statistics/",
        "/en/good-practices/",
    ],
)
def test_network_pages_are_served_from_the_cache_until_a_write(client, path):
    first = client.get(path)
    second = client.get(path)
    CityFactory()
    third = client.get(path)

    assert [r.status_code for r in (first, second, third)] == [200, 200, 200]
    assert [r["X-Page-Cache"] for r in (first, second, third)] == ["miss", "hit", "miss"]
    assert second.content == first.content


def test_api_lists_are_served_from_the_cache_until_a_write(client, django_assert_num_queries):
    CityFactory(name_en="Nara", slug="nara")
    first = client.get("/api/v1/cities/")

    with django_assert_num_queries(1):  # the data version
        second = client.get("/api/v1/cities/")
    CityFactory(name_en="Yangzhou", slug="yangzhou")
    third = client.get("/api/v1/cities/")

    assert [r["X-Page-Cache"] for r in (first, second, third)] == ["miss", "hit", "miss"]
    assert second.content == first.content
    assert [place["slug"] for place in third.json()["results"]] == ["nara", "yangzhou"]


def test_api_cache_keeps_formats_and_query_strings_apart(client):
    CityFactory(name_en="Nara", slug="nara", country="JP")
    CityFactory(name_en="Yangzhou", slug="yangzhou", country="CN")
    as_json = client.get("/api/v1/cities/")
    as_csv = client.get("/api/v1/cities/?format=csv")
    by_accept = client.get("/api/v1/cities/", headers={"accept": "text/csv"})
    by_accept_again = client.get("/api/v1/cities/", headers={"accept": "text/csv"})
    filtered = client.get("/api/v1/cities/?country=JP")

    # CSV is streamed, so never stored; the JSON entry is never served for it.
    assert [r["X-Page-Cache"] for r in (as_json, as_csv, by_accept, by_accept_again)] == [
        "miss",
        "skip",
        "skip",
        "skip",
    ]
    assert as_json["Content-Type"] == "application/json"
    assert by_accept_again["Content-Type"].startswith("text/csv")
    assert by_accept_again["Content-Disposition"] == as_csv["Content-Disposition"]
    assert filtered["X-Page-Cache"] == "miss"
    assert [place["slug"] for place in filtered.json()["results"]] == ["nara"]


def test_api_detail_and_geojson_are_stale_after_a_write(client):
    nara = CityFactory(name_en="Nara", slug="nara")
    FriendshipLinkFactory(city_a=nara)
    detail = [client.get("/api/v1/cities/nara/"), client.get("/api/v1/cities/nara/")]
    geojson = [client.get("/api/v1/ties.geojson"), client.get("/api/v1/ties.geojson")]
    FriendshipLinkFactory(city_a=nara)
    after = client.get("/api/v1/ties.geojson")

    assert [r["X-Page-Cache"] for r in detail] == ["miss", "hit"]
    assert [r["X-Page-Cache"] for r in geojson] == ["miss", "hit"]
    assert (geojson[1].json()["total"], after.json()["total"]) == (1, 2)


def test_api_cache_is_not_used_for_token_users(client):
    from rest_framework.authtoken.models import Token

    from tests.factories import UserFactory

    token = Token.objects.create(user=UserFactory())
    responses = [
        client.get("/api/v1/cities/", headers={"authorization": f"Token {token.key}"})
        for _ in range(2)
    ]

    assert [r.status_code for r in responses] == [200, 200]
    assert [r.has_header("X-Page-Cache") for r in responses] == [False, False]


# --- Compressed variants (issue #16) ------------------------------------------------------------


class LongView(CountingView):
    def __call__(self, request):
        self.calls += 1
        return HttpResponse(f"<p>page {self.calls}</p>" + "<p>扬州 奈良 양저우</p>" * 100)


def _stored_entry():
    [(_key, (_expires_at, entry))] = list(local_pages._entries.items())
    return entry


def test_a_stored_page_keeps_its_brotli_and_gzip_variants():
    page = cache_page_for_anonymous(LongView())

    first = page(get(**{"accept-encoding": "br"}))
    entry = _stored_entry()

    assert sorted(entry["encoded"]) == ["br", "gzip"]
    assert brotli.decompress(entry["encoded"]["br"]) == entry["content"]
    assert gzip.decompress(entry["encoded"]["gzip"]) == entry["content"]
    assert (first["Content-Encoding"], first.content) == ("br", entry["encoded"]["br"])
    assert first["ETag"].startswith('W/"')


def test_a_hit_sends_the_stored_variant_without_compressing_again():
    view = LongView()
    page = cache_page_for_anonymous(view)
    page(get())
    entry = _stored_entry()
    # What the cache holds is what a hit sends: marked bytes prove nothing was compressed.
    entry["encoded"]["gzip"] = b"stored gzip bytes"

    hit = page(get(**{"accept-encoding": "gzip"}))
    plain = page(get())

    assert (hit["X-Page-Cache"], hit["Content-Encoding"], hit.content) == (
        "hit",
        "gzip",
        b"stored gzip bytes",
    )
    assert hit["Content-Length"] == str(len(b"stored gzip bytes"))
    assert ("Content-Encoding" in plain, plain.content, view.calls) == (
        False,
        entry["content"],
        1,
    )


def test_a_304_answers_the_weak_etag_of_an_encoded_variant():
    page = cache_page_for_anonymous(LongView())
    first = page(get(**{"accept-encoding": "br"}))

    again = page(get(**{"accept-encoding": "br", "if-none-match": first["ETag"]}))

    assert again.status_code == 304


def test_an_undated_page_was_last_modified_by_the_last_write():
    CityFactory()
    state = data_state()
    page = cache_page_for_anonymous(CountingView(), dated=False)

    response = page(get())

    assert response["Last-Modified"] == http_date(state.changed_at.timestamp())
