import datetime
import re

import pytest
from django.utils import formats, timezone
from django.utils.http import http_date

from exchangeportal.models import DataVersion
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
def test_narrow_screens_get_the_same_navigation_behind_a_disclosure(client):
    html = client.get("/ja/culture-cities/").content.decode()

    wide = html.split('class="wrap main-nav__wide"')[1].split("</ul>")[0]
    menu = html.split('<details class="wrap main-nav__menu">')[1].split("</details>")[0]
    assert (
        '<summary class="main-nav__toggle">'
        '<span class="main-nav__icon" aria-hidden="true"></span>メニュー</summary>' in menu
    )
    links = re.findall(r'<a href="([^"]+)"', wide)
    assert len(links) == 8
    assert re.findall(r'<a href="([^"]+)"', menu.split("</ul>")[0]) == links
    assert 'href="/ja/culture-cities/" aria-current="page"' in menu


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


def _anniversary_today(years: int, **fields):
    today = timezone.localdate()
    day = today.replace(year=today.year - years) if (today.month, today.day) != (2, 29) else None
    return factories.FriendshipLinkFactory(
        established_on=day or datetime.date(today.year - years, 2, 28),
        established_precision="day",
        **fields,
    )


@pytest.mark.django_db
def test_home_without_upcoming_events_shows_anniversaries_and_latest_additions(client):
    today = timezone.localdate()
    nara = factories.CityFactory(slug="nara", name_en="Nara", country="JP")
    yangzhou = factories.CityFactory(slug="yangzhou", name_en="Yangzhou")
    tie = _anniversary_today(20, city_a=yangzhou, city_b=nara)
    factories.FriendshipLinkFactory(established_on=datetime.date(today.year - 21, 1, 1))
    event = factories.ExchangeEventFactory(
        slug="past-forum", title_en="Past forum", starts_on=today - datetime.timedelta(days=30)
    )

    response = client.get("/en/")

    assert [t.pk for t in response.context["anniversaries"]] == [tie.pk]
    assert [(a["kind"], a["item"].pk) for a in response.context["latest_additions"]] == [
        ("event", event.pk),
        ("tie", tie.pk + 1),
        ("tie", tie.pk),
    ]
    html = response.content.decode()
    this_month = formats.date_format(today, "F")
    assert f"Anniversaries of ties in {this_month} and " in html
    assert (
        '<p class="home-list__title"><a href="/en/ties/nara--yangzhou/">Yangzhou – Nara</a></p>'
        in html
    )
    assert "20 years" in html
    assert '<p class="home-list__title"><a href="/en/events/past-forum/">Past forum</a></p>' in html
    assert 'href="/en/network/anniversaries/"' in html


@pytest.mark.django_db
def test_home_with_upcoming_events_shows_them_instead(client):
    _anniversary_today(20)
    factories.ExchangeEventFactory(starts_on=timezone.localdate() + datetime.timedelta(days=3))

    response = client.get("/en/")

    assert "anniversaries" not in response.context
    assert "Latest additions" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_home_without_upcoming_events_query_count_is_fixed(
    client, django_assert_num_queries, count
):
    year = timezone.localdate().year
    for index in range(count):
        factories.CultureCityDesignationFactory(year=year)
        _anniversary_today(10 + 5 * index)
        factories.ExchangeEventFactory(starts_on=datetime.date(2019, 1, 1 + index))

    # years, designations, designation sources, events (none upcoming), totals, anniversaries,
    # latest ties, latest events
    with django_assert_num_queries(9):
        response = client.get("/en/")

    assert len(response.context["anniversaries"]) == count
    assert len(response.context["latest_additions"]) == 2 * count


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
        "network/",
        "network/triads/",
        "network/anniversaries/",
        "statistics/",
        "good-practices/",
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

    # the data version (the sitemap is kept in the page cache), places, ties, designation
    # years, events, series
    with django_assert_num_queries(6):
        response = client.get("/sitemap.xml")

    assert response.content.decode().count("/en/ties/") == count * 5


@pytest.mark.django_db
def test_sitemap_lists_the_twenty_insight_addresses_once_each(client):
    xml = client.get("/sitemap.xml").content.decode()

    locations = re.findall(r"<loc>([^<]+)</loc>", xml)
    insights = [
        location
        for location in locations
        if re.search(
            r"/(network/|network/triads/|network/anniversaries/|statistics/|good-practices/)$",
            location,
        )
    ]
    assert len(insights) == 20
    assert len(set(insights)) == 20


@pytest.mark.django_db
def test_sitemap_last_modified_is_the_last_write_and_it_is_cached_until_the_next(client):
    factories.CityFactory(slug="nara")
    changed_at = DataVersion.objects.get(pk=1).changed_at

    first = client.get("/sitemap.xml")
    second = client.get("/sitemap.xml")
    factories.CityFactory(slug="yangzhou")
    third = client.get("/sitemap.xml")

    assert first["Last-Modified"] == http_date(changed_at.timestamp())
    assert [r["X-Page-Cache"] for r in (first, second, third)] == ["miss", "hit", "miss"]
    assert b"/en/cities/yangzhou/" in third.content
    assert third["Last-Modified"] == http_date(DataVersion.objects.get(pk=1).changed_at.timestamp())
    assert (
        client.get(
            "/sitemap.xml", headers={"if-modified-since": third["Last-Modified"]}
        ).status_code
        == 304
    )


@pytest.mark.django_db
def test_favicon_ico_points_at_the_icon_in_static(client):
    response = client.get("/favicon.ico")

    assert (response.status_code, response["Location"]) == (301, "/static/favicon.ico")
    icon = client.get("/static/favicon.ico")
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


@pytest.mark.django_db
def test_every_page_links_the_svg_favicon(client):
    html = client.get("/en/").content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    icon = client.get("/static/favicon.svg")
    assert b"".join(icon.streaming_content).startswith(b"<svg")
    assert icon["Content-Type"] == "image/svg+xml"


@pytest.mark.django_db
def test_the_east_asia_outline_is_served_as_geojson(client):
    response = client.get("/static/vendor/east-asia/east-asia.geojson")
    assert b"".join(response.streaming_content).startswith(b"{")

    assert response["Content-Type"] == "application/geo+json"


@pytest.mark.django_db
def test_robots_txt_allows_portal_and_points_to_sitemap(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "User-agent: *\nDisallow: /admin/\nSitemap: http://testserver/sitemap.xml\n"
    )
