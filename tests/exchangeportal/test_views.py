import datetime
import re

import pytest
from django.utils import timezone

from tests import factories
from tests.portal_helpers import card_links, html_lang

# --- Languages and layout ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "location"),
    [("ko-KR,ko;q=0.9", "/ko/"), ("zh-CN,zh;q=0.9", "/zh-hans/"), ("ja", "/ja/"), ("fr", "/en/")],
)
def test_root_redirects_by_accept_language(client, accept, location):
    response = client.get("/", headers={"accept-language": accept})

    assert response.status_code == 302
    assert response["Location"] == location


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "zh-hans", "ja", "ko"])
def test_home_html_lang_follows_prefix(client, lang):
    response = client.get(f"/{lang}/")

    assert response.status_code == 200
    assert html_lang(response) == lang


@pytest.mark.django_db
def test_pages_link_their_four_language_versions(client):
    factories.CityFactory(slug="nara")

    html = client.get("/ja/cities/nara/?events_page=1").content.decode()

    alternates = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)
    assert alternates == [
        ("en", "http://testserver/en/cities/nara/?events_page=1"),
        ("zh-hans", "http://testserver/zh-hans/cities/nara/?events_page=1"),
        ("ja", "http://testserver/ja/cities/nara/?events_page=1"),
        ("ko", "http://testserver/ko/cities/nara/?events_page=1"),
        ("x-default", "http://testserver/cities/nara/?events_page=1"),
    ]


@pytest.mark.django_db
def test_language_switcher_keeps_the_current_page(client):
    html = client.get("/ko/events/?category=sports").content.decode()

    switcher = html.split('class="lang-switcher"')[1].split("</nav>")[0]
    links = re.findall(r'<a href="([^"]+)" lang="([^"]+)"', switcher)
    assert links == [
        ("/en/events/?category=sports", "en"),
        ("/zh-hans/events/?category=sports", "zh-hans"),
        ("/ja/events/?category=sports", "ja"),
        ("/ko/events/?category=sports", "ko"),
    ]
    assert '<a href="/ko/events/?category=sports" lang="ko" hreflang="ko" aria-current="true">' in (
        switcher
    )


@pytest.mark.django_db
def test_layout_has_skip_link_nav_and_geonames_credit(client):
    html = client.get("/en/culture-cities/").content.decode()

    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert '<main id="main"' in html
    nav = html.split('class="main-nav__list"')[1].split("</ul>")[0]
    assert re.findall(r">([^<>]+)</a>", nav) == [
        "Home",
        "Places",
        "Culture Cities",
        "Events",
        "Network",
        "Statistics",
        "Partners",
        "Search",
    ]
    assert 'href="/en/culture-cities/" aria-current="page"' in nav
    assert "Contains data from GeoNames, licensed under CC BY 4.0." in html
    assert '<link rel="stylesheet" href="/static/css/portal.css">' in html


@pytest.mark.django_db
def test_templates_carry_no_inline_style_or_script(client):
    factories.CityFactory(slug="nara")

    pages = ["/en/", "/en/cities/", "/en/cities/nara/", "/en/culture-cities/", "/en/events/"]
    html = "".join(client.get(page).content.decode() for page in pages)

    # Scripts only from static files (<script src=…>): nothing inline.
    assert re.findall(r"<script(?![^>]*\bsrc=)|<style| style=| on[a-z]+=", html) == []


@pytest.mark.django_db
def test_unknown_page_is_a_helpful_404(client):
    response = client.get("/ko/nowhere/")

    html = response.content.decode()
    assert response.status_code == 404
    assert html_lang(response) == "ko"
    assert 'action="/ko/cities/"' in html
    assert '<a href="/en/nowhere/" lang="en"' in html


# --- Home ----------------------------------------------------------------------


@pytest.mark.django_db
def test_home_lists_next_upcoming_events_soonest_first(client):
    today = timezone.localdate()
    factories.ExchangeEventFactory(slug="past", starts_on=today - datetime.timedelta(days=9))
    factories.ExchangeEventFactory(slug="later", starts_on=today + datetime.timedelta(days=20))
    factories.ExchangeEventFactory(slug="soon", starts_on=today + datetime.timedelta(days=2))

    response = client.get("/en/")

    assert card_links(response, "/en/events/") == ["soon", "later"]


@pytest.mark.django_db
def test_home_falls_back_to_latest_designation_year(client):
    factories.CultureCityDesignationFactory(
        year=2014, city=factories.CityFactory(slug="quanzhou", name_en="Quanzhou")
    )

    html = client.get("/en/").content.decode()

    assert "Latest Culture Cities of East Asia (2014)" in html
    assert '<a href="/en/cities/quanzhou/">Quanzhou</a>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_home_query_count_is_fixed(client, django_assert_num_queries, count):
    year = timezone.localdate().year
    for index in range(count):
        designation = factories.CultureCityDesignationFactory(year=year)
        designation.sources.add(factories.SourceFactory())
        event = factories.ExchangeEventFactory(
            starts_on=timezone.localdate() + datetime.timedelta(days=index + 1)
        )
        event.partners.add(factories.CityFactory())

    # years, designations, designation sources, events, partners, totals
    with django_assert_num_queries(7):
        response = client.get("/en/")

    assert len(card_links(response, "/en/events/")) == count


# --- Conditional GET -------------------------------------------------------------


@pytest.mark.django_db
def test_pages_answer_304_when_unchanged(client):
    city = factories.CityFactory(slug="nara")

    first = client.get("/en/cities/nara/")
    again = client.get("/en/cities/nara/", headers={"if-none-match": first["ETag"]})
    since = client.get("/en/cities/nara/", headers={"if-modified-since": first["Last-Modified"]})
    city.name_en = "Nara City"
    city.save()
    changed = client.get("/en/cities/nara/", headers={"if-none-match": first["ETag"]})

    assert first.status_code == 200
    assert re.fullmatch(r'"[0-9a-f]{32}"', first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert since.status_code == 304
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


@pytest.mark.django_db
def test_etag_differs_by_language_and_query(client):
    english = client.get("/en/events/")
    korean = client.get("/ko/events/")
    filtered = client.get("/en/events/?category=sports")

    assert len({english["ETag"], korean["ETag"], filtered["ETag"]}) == 3


@pytest.mark.django_db
def test_feeds_answer_304_when_unchanged(client):
    factories.ExchangeEventFactory(starts_on=timezone.localdate())

    first = client.get("/en/events/feed.ics")
    again = client.get("/en/events/feed.ics", headers={"if-none-match": first["ETag"]})

    assert first.status_code == 200
    assert again.status_code == 304


@pytest.mark.django_db
def test_deleting_a_row_changes_the_etag(client):
    event = factories.ExchangeEventFactory()
    factories.ExchangeEventFactory()
    first = client.get("/en/events/")

    event.delete()
    after = client.get("/en/events/", headers={"if-none-match": first["ETag"]})

    assert after.status_code == 200
    assert len(card_links(after, "/en/events/")) == 1


# --- sitemap.xml and robots.txt ----------------------------------------------------


@pytest.mark.django_db
def test_sitemap_lists_pages_in_four_languages_with_alternates(client):
    nara = factories.CityFactory(slug="nara")
    yangzhou = factories.CityFactory(slug="yangzhou")
    factories.FriendshipLinkFactory(city_a=yangzhou, city_b=nara)
    factories.CultureCityDesignationFactory(city=nara, year=2016)
    factories.ExchangeEventFactory(slug="go-cup", series=factories.EventSeriesFactory(slug="go"))
    factories.ExchangeEventFactory(slug="hidden", is_published=False)

    xml = client.get("/sitemap.xml").content.decode()

    locations = re.findall(r"<loc>([^<]+)</loc>", xml)
    for path in [
        "",
        "cities/",
        "culture-cities/",
        "events/",
        "cities/nara/",
        "ties/nara--yangzhou/",
        "culture-cities/2016/",
        "events/go-cup/",
        "events/series/go/",
    ]:
        assert [
            f"http://testserver/{lang}/{path}" in locations
            for lang in ["en", "zh-hans", "ja", "ko"]
        ] == [True] * 4
    assert "hidden" not in xml
    assert (
        '<xhtml:link rel="alternate" hreflang="ja" href="http://testserver/ja/cities/nara/"/>'
        in xml
    )
    assert (
        '<xhtml:link rel="alternate" hreflang="x-default" href="http://testserver/cities/nara/"/>'
        in xml
    )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_sitemap_query_count_is_fixed(client, django_assert_num_queries, count):
    for _ in range(count):
        tie = factories.FriendshipLinkFactory()
        factories.CultureCityDesignationFactory(city=tie.city_a, year=2014 + _)
        factories.ExchangeEventFactory(host=tie.city_a, series=factories.EventSeriesFactory())

    # places, ties, designation years, events, series
    with django_assert_num_queries(5):
        response = client.get("/sitemap.xml")

    assert response.content.decode().count("/en/ties/") == count * 5


@pytest.mark.django_db
def test_robots_txt_allows_portal_and_points_to_sitemap(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "User-agent: *\nDisallow: /admin/\nSitemap: http://testserver/sitemap.xml\n"
    )
