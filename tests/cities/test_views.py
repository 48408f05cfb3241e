import datetime
import re

import pytest
from django.utils import timezone

from cities.models import Country, DesignationStatus, TieKind
from tests import factories
from tests.portal_helpers import card_links, html_lang

# --- Directory ---------------------------------------------------------------


@pytest.mark.django_db
def test_city_list_admin_level_filter_narrows(client):
    factories.CityFactory(
        slug="oita-prefecture", name_en="Oita Prefecture", admin_level="prefecture"
    )
    factories.CityFactory(slug="beppu", name_en="Beppu", admin_level="municipality")

    response = client.get("/en/cities/?activity=all&admin_level=prefecture")

    assert card_links(response, "/en/cities/") == ["oita-prefecture"]


@pytest.mark.django_db
def test_city_list_designated_filter_narrows(client):
    designated = factories.CityFactory(slug="quanzhou", name_en="Quanzhou")
    factories.CityFactory(slug="wuxi", name_en="Wuxi")
    factories.CultureCityDesignationFactory(city=designated, year=2014)

    yes = card_links(client.get("/en/cities/?activity=all&designated=true"), "/en/cities/")
    no = card_links(client.get("/en/cities/?activity=all&designated=false"), "/en/cities/")

    assert yes == ["quanzhou"]
    assert no == ["wuxi"]


@pytest.mark.django_db
def test_city_list_tied_with_filter_uses_partner_country(client):
    dalian = factories.CityFactory(slug="dalian", name_en="Dalian", country=Country.CHINA)
    incheon = factories.CityFactory(slug="incheon", name_en="Incheon", country=Country.KOREA)
    kitakyushu = factories.CityFactory(slug="kitakyushu", name_en="Kitakyushu", country="JP")
    factories.FriendshipLinkFactory(city_a=dalian, city_b=kitakyushu)
    factories.FriendshipLinkFactory(city_a=kitakyushu, city_b=incheon)

    tied_with_korea = card_links(client.get("/en/cities/?activity=all&tied_with=KR"), "/en/cities/")
    tied_with_japan = card_links(client.get("/en/cities/?activity=all&tied_with=JP"), "/en/cities/")

    assert tied_with_korea == ["kitakyushu"]
    assert tied_with_japan == ["dalian", "incheon"]


@pytest.mark.django_db
def test_city_list_ordering_by_ties_and_population(client):
    busy = factories.CityFactory(slug="busy", name_en="Busy", population=100)
    quiet = factories.CityFactory(slug="quiet", name_en="Quiet", population=300)
    factories.CityFactory(slug="alone", name_en="Alone", population=200)
    factories.FriendshipLinkFactory(city_a=busy, city_b=quiet)
    factories.FriendshipLinkFactory(city_a=busy)

    by_ties = card_links(
        client.get("/en/cities/?activity=all&ordering=-ties&country=CN"), "/en/cities/"
    )
    by_population = card_links(
        client.get("/en/cities/?activity=all&ordering=-population&country=CN"), "/en/cities/"
    )

    assert by_ties[0] == "busy"
    assert by_population == ["quiet", "alone", "busy"]


@pytest.mark.django_db
def test_city_list_ordering_by_ties_breaks_ties_by_name_across_pages(client):
    factories.CityFactory.create_batch(30, country=Country.JAPAN)

    first = card_links(client.get("/en/cities/?activity=all&ordering=-ties"), "/en/cities/")
    second = card_links(client.get("/en/cities/?activity=all&ordering=-ties&page=2"), "/en/cities/")

    assert len(set(first + second)) == 30


@pytest.mark.django_db
def test_city_list_malformed_filter_is_ignored_with_a_note(client):
    factories.CityFactory(slug="nara", name_en="Nara", country=Country.JAPAN)
    factories.CityFactory(slug="naju", name_en="Naju", country=Country.KOREA)

    response = client.get("/en/cities/?activity=all&country=ZZ&admin_level=planet&q=Nar")

    html = response.content.decode()
    assert response.status_code == 200
    assert card_links(response, "/en/cities/") == ["nara"]
    assert "Some filter values were not understood and were ignored:" in html
    assert "Country, Administrative level." in html


@pytest.mark.django_db
def test_city_list_empty_state_offers_clear_filters(client):
    factories.CityFactory(slug="nara", name_en="Nara")

    response = client.get("/en/cities/?activity=all&q=Atlantis")

    html = response.content.decode()
    assert card_links(response, "/en/cities/") == []
    assert "No place matches “Atlantis” with these filters." in html
    assert '<a class="button" href="/en/cities/">Clear filters</a>' in html


@pytest.mark.django_db
def test_city_list_paginates_by_24(client):
    factories.CityFactory.create_batch(25)

    first = client.get("/en/cities/?activity=all")
    second = client.get("/en/cities/?activity=all&page=2")

    assert len(card_links(first, "/en/cities/")) == 24
    assert len(card_links(second, "/en/cities/")) == 1
    assert "Page 2 of 2" in second.content.decode()


@pytest.mark.django_db
def test_city_list_out_of_range_page_is_404(client):
    factories.CityFactory()

    assert client.get("/en/cities/?activity=all&page=3").status_code == 404
    assert client.get("/en/cities/?activity=all&page=abc").status_code == 404


def _directory_rows(count):
    for _ in range(count):
        city = factories.CityFactory(parent=factories.CityFactory(admin_level="province"))
        factories.FriendshipLinkFactory(city_a=city)
        factories.CultureCityDesignationFactory(city=city)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_city_list_query_count_is_fixed(client, django_assert_num_queries, count):
    _directory_rows(count)

    # count, page, designations, and (bound form) nothing else
    with django_assert_num_queries(4):
        response = client.get("/en/cities/?activity=all&country=CN&ordering=-ties")

    assert len(card_links(response, "/en/cities/")) == count * 2


# --- Place page --------------------------------------------------------------


@pytest.mark.django_db
def test_city_detail_lists_upcoming_events_before_past(client):
    city = factories.CityFactory(slug="nara", name_en="Nara")
    today = timezone.localdate()
    factories.ExchangeEventFactory(
        host=city, slug="old", starts_on=today - datetime.timedelta(days=400)
    )
    factories.ExchangeEventFactory(
        host=city, slug="later", starts_on=today + datetime.timedelta(days=60)
    )
    joined = factories.ExchangeEventFactory(
        slug="soon", starts_on=today + datetime.timedelta(days=5)
    )
    joined.partners.add(city)

    response = client.get("/en/cities/nara/")

    assert card_links(response, "/en/events/") == ["soon", "later", "old"]


@pytest.mark.django_db
def test_city_detail_events_out_of_range_page_is_404(client):
    factories.CityFactory(slug="nara")

    response = client.get("/en/cities/nara/?events_page=2")

    assert response.status_code == 404


@pytest.mark.django_db
def test_city_detail_unknown_slug_offers_directory_search(client):
    factories.CityFactory(slug="yangzhou", name_en="Yangzhou")

    response = client.get("/en/cities/yang-zhou/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "No place has this address" in html
    assert 'action="/en/cities/"' in html
    assert 'name="q" value="yang-zhou"' in html
    assert '<a href="/en/cities/yangzhou/">Yangzhou</a>' in html


@pytest.mark.django_db
def test_city_detail_unknown_slug_suggests_by_first_word(client):
    factories.CityFactory(slug="kyoto", name_en="Kyoto")
    factories.CityFactory(slug="nara", name_en="Nara")

    html = client.get("/en/cities/kyoto-city/").content.decode()

    suggestions = html.split("Places with a similar name")[1].split("</ul>")[0]
    assert 'name="q" value="kyoto-city"' in html
    assert re.findall(r'<a href="/en/cities/([^/]+)/">', suggestions) == ["kyoto"]


def _place_with_everything(count):
    city = factories.CityFactory(slug="hub", parent=factories.CityFactory())
    factories.SocialAccountFactory(city=city)
    for index in range(count):
        tie = factories.FriendshipLinkFactory(city_a=city)
        tie.sources.add(factories.SourceFactory())
        milestone = factories.LinkMilestoneFactory(link=tie)
        milestone.sources.add(factories.SourceFactory())
        designation = factories.CultureCityDesignationFactory(city=city, year=2014 + index)
        designation.sources.add(factories.SourceFactory())
        event = factories.ExchangeEventFactory(host=city)
        event.partners.add(tie.city_b)
    return city


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_city_detail_query_count_is_fixed(client, django_assert_num_queries, count):
    _place_with_everything(count)

    # place, social accounts, tie counts by country, one page of ties, tie sources,
    # milestones, milestone sources, designations, designation sources, events count, events,
    # event partners, exchange figures (network insights; their sources only when there are
    # figures)
    with django_assert_num_queries(14):
        response = client.get("/en/cities/hub/")

    assert response.status_code == 200
    assert len(card_links(response, "/en/events/")) == count


@pytest.mark.django_db
def test_city_detail_ties_out_of_range_page_is_404(client):
    city = factories.CityFactory(slug="hub")
    factories.FriendshipLinkFactory(city_a=city)

    response = client.get("/en/cities/hub/?ties_page=2")

    assert response.status_code == 404
    assert response.templates[0].name == "404.html"


# --- Ties ----------------------------------------------------------------------


@pytest.mark.django_db
def test_tie_detail_unknown_pair_is_404(client):
    factories.CityFactory(slug="nara")
    factories.CityFactory(slug="yangzhou")

    assert client.get("/en/ties/nara--yangzhou/").status_code == 404
    assert client.get("/en/ties/nara--nara/").status_code == 404


@pytest.mark.django_db
def test_tie_detail_shows_each_sides_label(client):
    qingdao = factories.CityFactory(slug="qingdao", name_en="Qingdao")
    gwangju = factories.CityFactory(slug="gwangju", name_en="Gwangju", country=Country.KOREA)
    factories.FriendshipLinkFactory(
        city_a=qingdao,
        city_b=gwangju,
        kind=TieKind.SISTER,
        label_a="友好合作城市",
        label_b="자매도시",
    )

    html = client.get("/en/ties/gwangju--qingdao/").content.decode()

    assert '<span lang="zh-Hans">友好合作城市</span>' in html
    assert '<span lang="ko">자매도시</span>' in html


@pytest.mark.django_db
def test_tie_detail_in_japanese_marks_an_english_only_public_note(client):
    factories.FriendshipLinkFactory(
        city_a=factories.CityFactory(slug="qingdao"),
        city_b=factories.CityFactory(slug="shimonoseki", country=Country.JAPAN),
        public_note_en="Renewed in 2015.",
    )

    html = client.get("/ja/ties/qingdao--shimonoseki/").content.decode()

    assert (
        '<p><span lang="en">Renewed in 2015.</span> '
        '<small class="text-origin">原文：English</small></p>'
    ) in html


@pytest.mark.django_db
def test_tie_detail_shows_the_public_note_in_the_readers_language(client):
    factories.FriendshipLinkFactory(
        city_a=factories.CityFactory(slug="qingdao"),
        city_b=factories.CityFactory(slug="shimonoseki", country=Country.JAPAN),
        public_note_en="Renewed in 2015.",
        public_note_ja="2015年に更新。",
    )

    html = client.get("/ja/ties/qingdao--shimonoseki/").content.decode()

    assert "<p>2015年に更新。</p>" in html
    assert "Renewed in 2015." not in html


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_tie_detail_query_count_is_fixed(client, django_assert_num_queries, count):
    city_a = factories.CityFactory(slug="aaa")
    city_b = factories.CityFactory(slug="bbb", country=Country.JAPAN)
    tie = factories.FriendshipLinkFactory(city_a=city_a, city_b=city_b)
    for index in range(count):
        tie.sources.add(factories.SourceFactory())
        milestone = factories.LinkMilestoneFactory(link=tie, date=datetime.date(2000 + index, 1, 1))
        milestone.sources.add(factories.SourceFactory())
        event = factories.ExchangeEventFactory(host=city_a)
        event.links.add(tie)
        event.partners.add(city_b)

    # tie, sources, milestones, milestone sources, open conflicts, events count, events,
    # partners
    with django_assert_num_queries(9):
        response = client.get("/en/ties/aaa--bbb/")

    assert len(card_links(response, "/en/events/")) == count


# --- Culture Cities ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_designation_archive_query_count_is_fixed(client, django_assert_num_queries, count):
    for index in range(count):
        factories.CultureCityDesignationFactory(year=2014 + index)

    with django_assert_num_queries(2):
        response = client.get("/en/culture-cities/")

    assert response.content.decode().count('class="archive__place"') == count


@pytest.mark.django_db
def test_designation_year_without_designations_is_404(client):
    assert client.get("/en/culture-cities/2013/").status_code == 404
    assert client.get("/en/culture-cities/99999999999/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_designation_year_query_count_is_fixed(client, django_assert_num_queries, count):
    for _ in range(count):
        designation = factories.CultureCityDesignationFactory(
            year=2020, theme_en="Canals", status=DesignationStatus.PROCLAIMED
        )
        designation.sources.add(factories.SourceFactory())
        event = factories.ExchangeEventFactory(host=designation.city, designation=designation)
        event.partners.add(factories.CityFactory())

    # designations, sources, events count, events, partners, years
    with django_assert_num_queries(7):
        response = client.get("/en/culture-cities/2020/")

    assert len(card_links(response, "/en/events/")) == count


# --- Language ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "lang"), [("en", "en"), ("zh-hans", "zh-hans"), ("ja", "ja"), ("ko", "ko")]
)
def test_city_list_html_lang_follows_prefix(client, prefix, lang):
    response = client.get(f"/{prefix}/cities/")

    assert html_lang(response) == lang


@pytest.mark.django_db
def test_city_list_shows_places_with_activity_unless_asked_for_all(client):
    tied = factories.FriendshipLinkFactory()
    factories.CityFactory(name_en="Quietville", slug="quietville")

    default = card_links(client.get("/en/cities/"), "/en/cities/")
    every = card_links(client.get("/en/cities/?activity=all"), "/en/cities/")
    searched = card_links(client.get("/en/cities/?q=Quietville"), "/en/cities/")

    assert sorted(default) == sorted([tied.city_a.slug, tied.city_b.slug])
    assert "quietville" in every
    assert searched == ["quietville"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "Theme: "), ("zh-hans", "主题："), ("ja", "テーマ："), ("ko", "주제: ")],
)
def test_designation_year_theme_label_ends_the_language_way(client, language, label):
    factories.CultureCityDesignationFactory(
        year=2020, theme_en="Canals", status=DesignationStatus.PROCLAIMED
    )

    html = client.get(f"/{language}/culture-cities/2020/").content.decode()

    # An English-only theme is marked as such on the other languages' pages.
    theme = "Canals" if language == "en" else '<span lang="en">Canals</span>'
    assert f"<p><strong>{label}</strong>{theme}" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("basis", "marked"), [("machine", True), ("gazetteer", False), ("curator", False)]
)
def test_city_detail_shows_the_reading_and_marks_a_machine_one(client, basis, marked):
    city = factories.CityFactory(
        name_en="Karatsu", name_ja="唐津", country="JP", name_kana="からつ", name_kana_basis=basis
    )

    html = client.get(city.get_absolute_url()).content.decode()

    assert '<small class="reading"><span lang="ja">からつ</span>' in html
    assert ("(machine reading)" in html) is marked
