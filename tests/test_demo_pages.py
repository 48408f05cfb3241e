"""The issue's demo facts on every page, against the real demo data (loaded once)."""

import icalendar
import pytest

from tests.portal_helpers import card_links


def test_city_list_shows_demo_places_with_tie_counts(client, demo_data_readonly, db):
    response = client.get("/en/cities/?q=yangzhou")

    html = response.content.decode()
    assert response.status_code == 200
    assert card_links(response, "/en/cities/") == ["yangzhou"]
    assert "扬州" in html
    assert "10 ties" in html
    assert ">2020</span>" in html


def test_city_list_country_filter_narrows(client, demo_data_readonly, db):
    response = client.get("/en/cities/?country=JP&q=na")

    slugs = card_links(response, "/en/cities/")
    assert "nara" in slugs
    assert "yangzhou" not in slugs
    assert all(slug not in slugs for slug in ["nanjing", "gyeongju"])


def test_city_list_q_matches_every_script_and_alias(client, demo_data_readonly, db):
    by_hanzi = card_links(client.get("/en/cities/?q=揚州"), "/en/cities/")
    by_hangul = card_links(client.get("/en/cities/?q=양저우"), "/en/cities/")
    by_alias = card_links(client.get("/en/cities/?q=扬州市"), "/en/cities/")

    assert by_hanzi == ["yangzhou"]
    assert by_hangul == ["yangzhou"]
    assert by_alias == ["yangzhou"]


def test_city_detail_yangzhou_shows_ties_with_precise_dates(client, demo_data_readonly, db):
    response = client.get("/en/cities/yangzhou/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/en/ties/nara--yangzhou/">Nara</a>' in html
    assert '<time datetime="2010-05-23">23 May 2010</time>' in html
    assert '<a href="/en/ties/gyeongju--yangzhou/">Gyeongju</a>' in html
    assert '<time datetime="2008">2008</time>' in html
    assert '<h3>Japan <span class="muted">(4)</span></h3>' in html
    assert '<h3>South Korea <span class="muted">(6)</span></h3>' in html


def test_city_detail_dates_are_localised(client, demo_data_readonly, db):
    japanese = client.get("/ja/cities/yangzhou/").content.decode()
    korean = client.get("/ko/cities/yangzhou/").content.decode()
    chinese = client.get("/zh-hans/cities/yangzhou/").content.decode()

    assert '<time datetime="2010-05-23">2010年5月23日</time>' in japanese
    assert '<time datetime="2008">2008년</time>' in korean
    assert '<time datetime="2008">2008年</time>' in chinese


def test_city_detail_shows_names_designation_events_and_breadcrumbs(client, demo_data_readonly, db):
    html = client.get("/en/cities/yangzhou/").content.decode()

    assert '<dd lang="zh-Hant">揚州</dd>' in html
    assert '<dd lang="ko">양저우</dd>' in html
    assert '<a href="/en/culture-cities/2020/">2020</a>' in html
    assert '<a href="/en/cities/jiangsu-province/">Jiangsu Province</a>' in html
    assert "CCEA Yangzhou-Nara-Gyeongju Mayors&#x27; Dialogue" in html
    assert "www.city.nara.lg.jp" in html


def test_tie_detail_shows_both_places_date_milestones_and_sources(client, demo_data_readonly, db):
    response = client.get("/en/ties/nara--yangzhou/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Yangzhou – Nara</h1>" in html
    assert '<time datetime="2010-05-23">23 May 2010</time> (agreement signed)' in html
    assert "20 Feb 2010</time> — memorandum of understanding" in html
    assert "Yangzhou-Nara-Gyeongju Mayors" in html


def test_tie_detail_reversed_order_redirects_permanently(client, demo_data_readonly, db):
    response = client.get("/ja/ties/yangzhou--nara/")

    assert response.status_code == 301
    assert response["Location"] == "/ja/ties/nara--yangzhou/"


def test_designation_archive_shows_2020_and_cancelled_2024(client, demo_data_readonly, db):
    response = client.get("/en/culture-cities/")

    html = response.content.decode()
    row_2020 = html.split('<a href="/en/culture-cities/2020/">2020</a>')[1].split("</tr>")[0]
    row_2024 = html.split('<a href="/en/culture-cities/2024/">2024</a>')[1].split("</tr>")[0]
    assert [name in row_2020 for name in ["Yangzhou", "Kitakyushu", "Suncheon"]] == [True] * 3
    assert (
        '<a href="/en/cities/ishikawa-prefecture/">Ishikawa Prefecture</a> '
        '<span class="badge badge--cancelled">cancelled</span>'
    ) in row_2024
    assert '<th scope="row"><a href="/en/culture-cities/2014/">2014</a></th>' in html


def test_designation_archive_marks_extended_and_selected(client, demo_data_readonly, db):
    html = client.get("/en/culture-cities/").content.decode()

    row_2021 = html.split('<a href="/en/culture-cities/2021/">2021</a>')[1].split("</tr>")[0]
    row_2026 = html.split('<a href="/en/culture-cities/2026/">2026</a>')[1].split("</tr>")[0]
    assert row_2021.count('<span class="badge badge--extended">extended</span>') == 2
    assert row_2026.count("badge--selected") == 3


def test_designation_year_shows_places_and_programme(client, demo_data_readonly, db):
    response = client.get("/en/culture-cities/2020/")

    html = response.content.decode()
    assert card_links(response, "/en/cities/") == ["yangzhou", "kitakyushu", "suncheon"]
    assert "<h1>Culture Cities of East Asia 2020</h1>" in html
    assert '<a rel="prev" href="/en/culture-cities/2019/">← 2019</a>' in html


def test_city_events_ical_holds_the_places_events(client, demo_data_readonly, db):
    response = client.get("/en/cities/yangzhou/events.ics")

    calendar = icalendar.Calendar.from_ical(response.content)
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert len(summaries) == 31
    assert "CJK Sister/Friendship Cities Go Exchange Tournament (1)" in summaries
    assert "Jianzhen Marathon" in summaries


def test_home_shows_this_years_culture_cities_and_totals(client, demo_data_readonly, db):
    response = client.get("/en/")

    html = response.content.decode()
    assert card_links(response, "/en/cities/") == ["suzhou", "matsumoto", "andong"]
    assert '<span class="totals__number">614</span> <span class="totals__label">places' in html
    assert '<span class="totals__number">515</span> <span class="totals__label">ties' in html
    assert '<span class="totals__number">44</span>' in html
    assert '<span class="totals__number">42</span>' in html
    assert 'action="/en/cities/" role="search"' in html


def test_event_list_filters_by_series_and_host(client, demo_data_readonly, db):
    response = client.get("/en/events/?series=cjk-go-tournament&host=yangzhou")

    assert card_links(response, "/en/events/") == [
        "cjk-go-tournament-16",
        "cjk-go-tournament-13",
        "cjk-go-tournament-10",
        "cjk-go-tournament-7",
        "cjk-go-tournament-4",
        "cjk-go-tournament-1",
    ]


def test_event_detail_shows_series_navigation_and_sources(client, demo_data_readonly, db):
    response = client.get("/en/events/cjk-go-tournament-4/")

    html = response.content.decode()
    assert '<a rel="prev" href="/en/events/cjk-go-tournament-3/">' in html
    assert '<a rel="next" href="/en/events/cjk-go-tournament-5/">' in html
    assert '<time datetime="2002-11-15">15 Nov 2002 – 19 Nov 2002</time>' in html
    assert '<a href="/en/ties/karatsu--yangzhou/">Yangzhou – Karatsu</a>' in html
    assert "en.tcs-asia.org" in html


def test_series_detail_lists_its_editions(client, demo_data_readonly, db):
    response = client.get("/en/events/series/cjk-go-tournament/")

    assert len(card_links(response, "/en/events/")) == 18
    assert '<h2 id="editions-heading">18 editions</h2>' in response.content.decode()


WELL_KNOWN_TIES = [
    # (place, partner, established, kind), each confirmed by a primary source in the data
    ("seoul", "tokyo", "1988-09-03", "sister"),
    ("seoul", "beijing", "1993-10-23", "sister"),
    ("beijing", "tokyo", "1979-03-14", "friendship"),
    ("osaka", "shanghai", "1974-04-18", "friendship"),
    ("busan", "shimonoseki", "1976-10-11", "sister"),
    ("busan", "fukuoka", "2007-02-02", "sister"),
    ("busan", "shanghai", "1993-08-24", "sister"),
    ("shanghai", "yokohama", "1973-11-30", "friendship"),
    ("kobe", "tianjin", "1973-06-24", "friendship"),
]


@pytest.mark.parametrize(("place", "partner", "established", "kind"), WELL_KNOWN_TIES)
def test_big_city_pages_show_their_well_known_ties_with_dates_and_primary_sources(
    client, demo_data_readonly, db, place, partner, established, kind
):
    slug = "--".join(sorted([place, partner]))

    page = client.get(f"/en/cities/{place}/").content.decode()
    tie = client.get(f"/api/v1/ties/{slug}/").json()

    ties = page[page.index('id="ties"') :]  # the ties section (the timeline links them too)
    card = ties[ties.index(f'href="/en/ties/{slug}/"') :]
    card = card[: card.index("</li>")]
    assert f'datetime="{established}"' in card
    assert "badge--evidence-primary" in card
    assert (tie["established"], tie["kind"], tie["evidence"]) == (established, kind, "primary")
    assert any(source["kind"] == "primary" for source in tie["sources"])
