import datetime
import re

import pytest
from django.utils import timezone

from cities.models import Country, DesignationStatus, HistoryAction, HistoryVia, TieKind
from cities.services import history_record
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
        history_record(
            place=city,
            action=HistoryAction.CHANGED,
            changes={"population": [str(index), str(index + 1)]},
            source=factories.SourceFactory(),
        )
    return city


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_city_detail_query_count_is_fixed(client, django_assert_num_queries, count):
    _place_with_everything(count)

    # place, social accounts, its ties (all on one page: no counts, and the timeline's ties
    # and milestones are these), tie sources, milestones, milestone sources, designations,
    # designation sources, its newest events (the timeline's, and the whole list when fewer
    # than the timeline takes: no count), the page's event partners, the anniversaries,
    # exchange figures (their sources only when there are figures), history (with its sources)
    with django_assert_num_queries(14):
        response = client.get("/en/cities/hub/")

    assert response.status_code == 200
    assert len(card_links(response, "/en/events/")) == count


def _timeline(response) -> list[tuple[str, str]]:
    """The timeline's entries as (kind, date) in page order."""
    html = response.content.decode().split('id="timeline"')[1].split("</section>")[0]
    return re.findall(r'place-timeline__entry--(\w+)">\s*<time datetime="([^"]+)"', html)


@pytest.mark.django_db
def test_city_detail_timeline_puts_ties_milestones_designations_and_events_in_date_order(client):
    yangzhou = factories.CityFactory(slug="yangzhou", name_en="Yangzhou")
    nara = factories.CityFactory(slug="nara", name_en="Nara", country=Country.JAPAN)
    tie = factories.FriendshipLinkFactory(
        city_a=nara,
        city_b=yangzhou,
        established_on=datetime.date(2010, 5, 23),
        established_precision="day",
    )
    factories.LinkMilestoneFactory(link=tie, date=datetime.date(2008, 4, 1))
    factories.CultureCityDesignationFactory(city=yangzhou, year=2020)
    factories.ExchangeEventFactory(host=yangzhou, slug="forum", starts_on=datetime.date(2019, 9, 1))
    factories.ExchangeEventFactory(host=yangzhou, slug="draft", is_published=False)

    response = client.get("/en/cities/yangzhou/")

    assert _timeline(response) == [
        ("milestone", "2008-04"),
        ("tie", "2010-05-23"),
        ("event", "2019-09-01"),
        ("designation", "2020"),
    ]
    html = response.content.decode()
    timeline = html.split('id="timeline"')[1].split("</section>")[0]
    assert '<h3 class="place-timeline__heading">2010</h3>' in timeline
    assert '<a href="/en/ties/nara--yangzhou/">Nara</a> <span class="muted">(Japan)</span>' in (
        timeline
    )
    assert '<a href="/en/culture-cities/2020/">Culture City of East Asia 2020</a>' in timeline


@pytest.mark.django_db
def test_city_detail_contents_link_to_every_section_it_shows(client):
    city = factories.CityFactory(slug="hub", population=120000)
    factories.FriendshipLinkFactory(city_a=city)
    factories.CultureCityDesignationFactory(city=city, year=2016)

    html = client.get("/en/cities/hub/").content.decode()

    contents = html.split('<nav class="toc"')[1].split("</nav>")[0]
    anchors = re.findall(r'href="#([a-z-]+)"', contents)
    assert anchors == ["timeline", "ties", "culture-city", "events", "facts"]
    assert [anchor for anchor in anchors if f'<section id="{anchor}"' not in html] == []


@pytest.mark.django_db
def test_city_detail_header_has_key_numbers_and_a_locator_map(client):
    city = factories.CityFactory(
        slug="hub", latitude=32.3942, longitude=119.4129, population=1584237
    )
    factories.FriendshipLinkFactory(city_a=city)
    factories.FriendshipLinkFactory(city_a=city)
    factories.FriendshipLinkFactory(city_a=city, city_b=factories.CityFactory(country="KR"))
    factories.ExchangeEventFactory(host=city)

    html = client.get("/en/cities/hub/").content.decode()

    numbers = html.split('<ul class="key-numbers"')[1].split("</ul>")[0]
    assert re.findall(
        r'<a href="#([a-z-]+)"><span class="key-numbers__value">([\d,]+)</span> '
        r'<span class="key-numbers__label">([^<]+)</span>',
        numbers,
    ) == [
        ("ties", "3", "ties"),
        ("ties", "2", "partner countries"),
        ("events", "1", "event"),
        ("facts", "1,584,237", "inhabitants"),
    ]
    assert (
        '<div class="locator__map" data-locator-map data-lat="32.394200" data-lng="119.412900"'
        in html
    )
    assert '<script src="/static/js/place-locator.js" defer></script>' in html


@pytest.mark.django_db
def test_city_detail_without_coordinates_has_no_locator(client):
    factories.CityFactory(slug="hub", latitude=None, longitude=None)

    html = client.get("/en/cities/hub/").content.decode()

    assert "data-locator-map" not in html


@pytest.mark.django_db
def test_city_detail_in_japanese_marks_an_english_only_event_title_in_the_timeline(client):
    city = factories.CityFactory(slug="hub")
    factories.ExchangeEventFactory(host=city, title_en="Canal forum", title_ja="")

    html = client.get("/ja/cities/hub/").content.decode()

    timeline = html.split('id="timeline"')[1].split("</section>")[0]
    assert '<span lang="en">Canal forum</span> <small class="text-origin">' in timeline


@pytest.mark.django_db
def test_city_detail_lists_its_ties_anniversaries_marking_the_passed_ones(client):
    today = timezone.localdate()
    city = factories.CityFactory(slug="hub")
    nara = factories.CityFactory(slug="nara", name_en="Nara", country=Country.JAPAN)
    gunsan = factories.CityFactory(slug="gunsan", name_en="Gunsan", country=Country.KOREA)
    factories.FriendshipLinkFactory(
        city_a=city,
        city_b=gunsan,
        established_on=datetime.date(today.year - 15, 1, 1),
        established_precision="day",
    )
    factories.FriendshipLinkFactory(
        city_a=city,
        city_b=nara,
        established_on=today.replace(year=today.year - 20, day=1),
        established_precision="month",
    )
    factories.FriendshipLinkFactory(city_a=city, established_on=datetime.date(today.year - 3, 1, 1))

    response = client.get("/en/cities/hub/")

    listed = [
        (t.partner.slug, t.anniversary_age, t.anniversary_passed)
        for t in response.context["anniversaries"]
    ]
    assert listed == [("gunsan", 15, today > datetime.date(today.year, 1, 1)), ("nara", 20, False)]
    html = response.content.decode()
    section = html.split('id="anniversaries"')[1].split("</section>")[0]
    assert '<a href="/en/cities/nara/">Nara</a>' in section
    assert section.count('<span class="net-badge net-badge-passed">passed</span>') == int(
        listed[0][2]
    )
    assert 'href="/en/network/anniversaries/?place=hub&amp;years=5"' in section


@pytest.mark.django_db
def test_city_detail_shows_a_figure_of_two_years_as_a_card(client):
    city = factories.CityFactory(slug="hub")
    for year, value in [(2019, 5400), (2022, 800)]:
        factories.ExchangeIndicatorFactory(
            city=city, indicator_en="visitors", year=year, value=value, unit_en="people"
        )

    html = client.get("/en/cities/hub/").content.decode()

    figures = html.split('id="figures"')[1].split("</section>")[0]
    assert '<svg class="net-chart"' not in figures
    assert re.findall(
        r'<dt>(\d+)</dt><dd><span class="net-figure-number">([\d,]+)</span>', figures
    ) == [
        ("2019", "5,400"),
        ("2022", "800"),
    ]


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
def test_tie_detail_shows_its_next_round_anniversary(client):
    year = timezone.localdate().year
    factories.FriendshipLinkFactory(
        city_a=factories.CityFactory(slug="aaa"),
        city_b=factories.CityFactory(slug="bbb", country=Country.JAPAN),
        established_on=datetime.date(year - 21, 1, 1),
        established_precision="year",
    )

    html = client.get("/en/ties/aaa--bbb/").content.decode()

    section = html.split('id="anniversary-heading"')[1].split("</section>")[0]
    assert (
        f'<strong>25 years</strong>,\n    <time datetime="{year + 4}">{year + 4}</time>' in section
    )
    assert 'href="/en/network/anniversaries/?place=bbb&amp;years=5"' in section


@pytest.mark.django_db
def test_tie_detail_without_a_date_says_its_anniversary_is_unknown(client):
    factories.FriendshipLinkFactory(
        city_a=factories.CityFactory(slug="aaa"),
        city_b=factories.CityFactory(slug="bbb", country=Country.JAPAN),
        established_on=None,
    )

    html = client.get("/en/ties/aaa--bbb/").content.decode()

    assert "The date of this tie is not known, so neither is its anniversary." in html


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
        history_record(
            tie=tie,
            action=HistoryAction.MILESTONE,
            milestone=milestone,
            source=factories.SourceFactory(),
            via=HistoryVia.OFFICE,
            via_detail="Town Office, suggestion #1",
        )

    # tie, sources, milestones, milestone sources, open conflicts, history (with sources and
    # milestones), events count, events, partners (the next anniversary: no query)
    with django_assert_num_queries(10):
        response = client.get("/en/ties/aaa--bbb/")

    assert len(card_links(response, "/en/events/")) == count
    assert (
        response.content.decode().count("by the city office (Town Office, suggestion #1)") == count
    )


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


@pytest.mark.django_db
def test_tie_detail_history_shows_what_changed_from_which_source(client):
    tie = factories.FriendshipLinkFactory(
        city_a=factories.CityFactory(slug="aaa"),
        city_b=factories.CityFactory(slug="bbb", country=Country.JAPAN),
    )
    source = factories.SourceFactory(title="Agreement (PDF)", url="https://city.example.org/a.pdf")
    history_record(
        tie=tie,
        action=HistoryAction.CHANGED,
        changes={"kind": ["friendship", "sister"], "established_on": ["1995", "1995-04-12"]},
        source=source,
    )

    html = client.get("/en/ties/aaa--bbb/").content.decode()

    assert '<h2 id="history-heading">History</h2>' in html
    assert "by a curator" in html
    assert "kind: <del>friendship city</del> → <ins>sister city</ins>" in html
    assert "established: <del>1995</del> → <ins>12 Apr 1995</ins>" in html
    link = '<a href="https://city.example.org/a.pdf" rel="external noopener noreferrer">'
    assert f"{link}Agreement (PDF)</a>" in html


@pytest.mark.django_db
def test_tie_detail_without_history_says_so(client):
    factories.FriendshipLinkFactory(
        city_a=factories.CityFactory(slug="aaa"),
        city_b=factories.CityFactory(slug="bbb", country=Country.JAPAN),
    )

    html = client.get("/en/ties/aaa--bbb/").content.decode()

    assert "No change has been recorded since the history began." in html
