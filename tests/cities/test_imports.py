import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cities.dates import DatePrecision
from cities.imports import TIE_COLUMNS, ties_export, ties_import
from cities.models import (
    AdminLevel,
    City,
    Country,
    FriendshipLink,
    HistoryAction,
    HistoryVia,
    Source,
    TieConflict,
    TieKind,
    TieNote,
)
from cities.search import city_search
from tests.factories import CityFactory, FriendshipLinkFactory, SourceFactory

HEADER = ",".join(TIE_COLUMNS)


def csv_text(*rows: str) -> io.StringIO:
    return io.StringIO("\n".join([HEADER, *rows]) + "\n")


def tie_facts(tie: FriendshipLink) -> tuple:
    return (
        tie.city_a.name_en,
        tie.city_b.name_en,
        tie.kind,
        tie.established_iso,
        tie.verified,
        sorted(s.url or s.title for s in tie.sources.all()),
    )


@pytest.fixture
def places(db):
    return {
        "nara": CityFactory(name_en="Nara", slug="nara", country=Country.JAPAN, name_ja="奈良"),
        "yangzhou": CityFactory(
            name_en="Yangzhou", slug="yangzhou", country=Country.CHINA, aliases="扬州市\nYang-chou"
        ),
        "qingdao": CityFactory(name_en="Qingdao", slug="qingdao", country=Country.CHINA),
        "jeju": CityFactory(
            name_en="Jeju Province",
            slug="jeju-province",
            country=Country.KOREA,
            admin_level=AdminLevel.PROVINCE,
        ),
        "nagasaki": CityFactory(name_en="Nagasaki", slug="nagasaki", country=Country.JAPAN),
    }


def test_ties_import_creates_ties_matching_names_aliases_and_qualifiers(places):
    data = csv_text(
        "扬州市,China,奈良,JP,sister,2010-05-23,https://example.org/a,",
        "Jeju Province,South Korea,Nagasaki Prefecture,Japan,friendship,2002-11,,",
        "Huangdao District (Qingdao),CN,Jeju Province,Korea,friendly exchange,1995,,",
    )

    report = ties_import(handle=data)

    assert report.errors == []
    assert report.counts() == {
        "Places": {"created": 2, "updated": 0, "unchanged": 0},
        "Ties": {"created": 3, "updated": 0, "unchanged": 0},
    }
    assert [
        (p.name_en, p.country, p.admin_level, p.parent_name) for p in report.created_places
    ] == [
        ("Nagasaki Prefecture", "JP", "prefecture", ""),
        ("Huangdao District", "CN", "district", "Qingdao"),
    ]
    huangdao = City.objects.get(name_en="Huangdao District")
    assert (huangdao.admin_level, huangdao.parent, huangdao.alias_list) == (
        AdminLevel.DISTRICT,
        places["qingdao"],
        ["Huangdao District (Qingdao)"],
    )
    ties = FriendshipLink.objects.with_places().order_by("established_on")
    assert [tie_facts(tie) for tie in ties] == [
        ("Huangdao District", "Jeju Province", "friendly_exchange", "1995", True, []),
        ("Jeju Province", "Nagasaki Prefecture", "friendship", "2002-11", True, []),
        ("Yangzhou", "Nara", "sister", "2010-05-23", True, ["https://example.org/a"]),
    ]
    assert City.objects.get(name_en="Nagasaki Prefecture").admin_level == AdminLevel.PREFECTURE


def test_ties_import_reconciles_an_existing_tie_given_in_the_other_order(places):
    source = SourceFactory(url="https://example.org/old")
    tie = FriendshipLinkFactory(
        city_a=places["nara"],
        city_b=places["yangzhou"],
        kind=TieKind.FRIENDSHIP,
        established_on=datetime.date(2010, 1, 1),
        established_precision=DatePrecision.YEAR,
        note="kept",
    )
    tie.sources.add(source)

    report = ties_import(
        handle=csv_text("Yangzhou,CN,Nara,JP,sister,2010-05-23,https://example.org/new,")
    )

    tie.refresh_from_db()
    assert report.counts() == {"Ties": {"created": 0, "updated": 1, "unchanged": 0}}
    assert FriendshipLink.objects.count() == 1
    # The full date of the same year fills the year in; "sister" in the same year is no
    # upgrade but another word for the tie: a conflict for a curator, the kind is kept.
    assert (tie.city_a, tie.city_b, tie.kind, tie.established_iso, tie.note) == (
        places["nara"],
        places["yangzhou"],
        "friendship",
        "2010-05-23",
        "kept",
    )
    assert [(c.line, c.field, c.current, c.incoming) for c in report.conflicts] == [
        (2, "kind", "friendship", "sister")
    ]
    assert list(TieConflict.objects.values_list("field", "current_value", "incoming_value")) == [
        ("kind", "friendship", "sister")
    ]
    assert sorted(tie.sources.values_list("url", flat=True)) == [
        "https://example.org/new",
        "https://example.org/old",
    ]


def test_ties_import_never_downgrades_a_curated_tie(places):
    tie = FriendshipLinkFactory(
        city_a=places["nara"],
        city_b=places["yangzhou"],
        kind=TieKind.SISTER,
        established_on=datetime.date(1995, 4, 12),
        established_precision=DatePrecision.DAY,
        verified=True,
        note="Curated from the city's page.",
    )

    report = ties_import(handle=csv_text("Yangzhou,CN,Nara,JP,other,1995,,UNCERTAIN: from a list"))

    tie.refresh_from_db()
    assert (tie.kind, tie.established_iso, tie.verified, tie.note) == (
        "sister",
        "1995-04-12",
        True,
        "Curated from the city's page.",
    )
    assert report.conflicts == []
    assert list(TieNote.objects.values_list("text", flat=True)) == ["UNCERTAIN: from a list"]
    assert report.counts() == {"Ties": {"created": 0, "updated": 1, "unchanged": 0}}


def test_ties_import_never_overwrites_a_curated_english_public_note(places):
    tie = FriendshipLinkFactory(
        city_a=places["nara"],
        city_b=places["yangzhou"],
        kind=TieKind.SISTER,
        public_note_en="Renewed in 2015 (curated).",
        public_note_ja="2015年に更新。",
    )
    data = io.StringIO(
        f"{HEADER},public_note\n"
        "Yangzhou,CN,Nara,JP,sister,,,,Renewed in 2016 according to a list.\n"
    )

    report = ties_import(handle=data)

    tie.refresh_from_db()
    assert (tie.public_note_en, tie.public_note_ja) == (
        "Renewed in 2015 (curated).",
        "2015年に更新。",
    )
    assert list(TieNote.objects.values_list("text", flat=True)) == [
        "Renewed in 2016 according to a list."
    ]
    assert report.counts() == {"Ties": {"created": 0, "updated": 1, "unchanged": 0}}


def test_ties_import_fills_an_empty_english_public_note_and_creates_ties_with_it(places):
    tie = FriendshipLinkFactory(
        city_a=places["nara"], city_b=places["yangzhou"], kind=TieKind.SISTER
    )
    data = io.StringIO(
        f"{HEADER},public_note\n"
        "Yangzhou,CN,Nara,JP,sister,,,,Renewed in 2015.\n"
        "Qingdao,CN,Nagasaki,JP,friendship,1995,,,Ties of the port cities.\n"
    )

    ties_import(handle=data)

    tie.refresh_from_db()
    new = FriendshipLink.objects.get(city_a__slug="qingdao")
    assert (tie.public_note_en, new.public_note_en, new.public_note_ja) == (
        "Renewed in 2015.",
        "Ties of the port cities.",
        "",
    )


def test_ties_import_reports_another_year_as_a_conflict_and_keeps_both_sources(places):
    old = SourceFactory(url="https://nara.example/ties", kind="primary")
    tie = FriendshipLinkFactory(city_a=places["nara"], city_b=places["yangzhou"])
    tie.sources.add(old)

    report = ties_import(
        handle=csv_text("Yangzhou,CN,Nara,JP,friendship,1996,https://list.example/ties,")
    )

    tie.refresh_from_db()
    assert tie.established_iso == "1995"
    assert [
        (c.field, c.current, c.incoming, c.current_sources, c.incoming_sources)
        for c in report.conflicts
    ] == [
        (
            "established",
            "1995",
            "1996",
            ["https://nara.example/ties"],
            ["https://list.example/ties"],
        )
    ]
    conflict = TieConflict.objects.get()
    assert (conflict.incoming_source.url, conflict.status, conflict.origin) == (
        "https://list.example/ties",
        "open",
        "line 2",
    )


def test_ties_import_turns_a_later_upgrade_into_a_milestone(places):
    tie = FriendshipLinkFactory(
        city_a=places["nara"],
        city_b=places["yangzhou"],
        kind=TieKind.FRIENDSHIP,
        established_on=datetime.date(1989, 10, 24),
        established_precision=DatePrecision.DAY,
    )

    report = ties_import(
        handle=csv_text("Yangzhou,CN,Nara,JP,sister,2007-02-02,https://example.org/up,")
    )

    tie.refresh_from_db()
    assert (tie.kind, tie.established_iso, report.milestones, report.conflicts) == (
        "sister",
        "1989-10-24",
        1,
        [],
    )
    milestone = tie.milestones.get()
    assert (milestone.kind, milestone.date.isoformat(), milestone.kind_after) == (
        "upgrade",
        "2007-02-02",
        "sister",
    )
    assert [s.url for s in milestone.sources.all()] == ["https://example.org/up"]


def test_ties_import_twice_records_each_conflict_once(places):
    FriendshipLinkFactory(city_a=places["nara"], city_b=places["yangzhou"])
    rows = ("Yangzhou,CN,Nara,JP,friendship,1996,,",)

    ties_import(handle=csv_text(*rows))
    ties_import(handle=csv_text(*rows))

    assert TieConflict.objects.count() == 1


def test_ties_import_twice_reports_unchanged(places):
    rows = ("Yangzhou,China,Nara,Japan,sister,1995,Yangzhou city archive,",)
    ties_import(handle=csv_text(*rows))

    report = ties_import(handle=csv_text(*rows))

    assert report.counts() == {"Ties": {"created": 0, "updated": 0, "unchanged": 1}}
    assert list(Source.objects.values_list("url", "title")) == [("", "Yangzhou city archive")]


def test_ties_import_creates_an_uncertain_tie_unverified_and_keeps_a_verified_one(places):
    verified_tie = FriendshipLinkFactory(
        city_a=places["nara"], city_b=places["qingdao"], verified=True
    )

    ties_import(
        handle=csv_text(
            "Yangzhou,China,Nara,Japan,sister,1995,,UNCERTAIN: one press report",
            "Qingdao,China,Nara,Japan,friendship,1995,,UNCERTAIN: date disputed",
        )
    )

    verified_tie.refresh_from_db()
    new_tie = FriendshipLink.objects.involving(places["yangzhou"]).get()
    assert (new_tie.verified, new_tie.note) == (False, "UNCERTAIN: one press report")
    assert verified_tie.verified is True  # an uncertain row never unverifies a tie


def test_ties_import_reports_invalid_rows_and_writes_nothing(places):
    data = csv_text(
        "Yangzhou,China,Nagasaki Prefecture,Japan,sister,1995,,",
        "Atlantis,Mars,Nara,Japan,sister,1995,,",
        "Nara,Japan,奈良,Japan,sister,1995,,",
        "Nara,Japan,Yangzhou,China,twin,1995,,",
        "Nara,Japan,Yangzhou,China,sister,1995-13,,",
        "Nara,Japan,Yangzhou",
        "Qingdao,China,Nara,Japan,sister,1995,,",
        "Nara,Japan,Qingdao,China,friendship,1996,,",
    )

    report = ties_import(handle=data)

    assert [str(error) for error in report.errors] == [
        "line 3: unknown country 'Mars' (use China, Japan, South Korea or CN, JP, KR)",
        "line 4: 'Nara' and '奈良' are the same place",
        "line 5: unknown kind 'twin' (use one of sister, friendship, friendly_exchange, "
        "partnership, other)",
        "line 6: '1995-13' is not a real date (month must be in 1..12)",
        "line 7: missing column(s): country_b, kind, established, source, note",
        "line 9: the same tie as line 8",
    ]
    assert report.written is False
    assert (FriendshipLink.objects.count(), City.objects.count()) == (0, 5)


def test_ties_import_with_skip_invalid_writes_the_valid_rows(places):
    data = csv_text(
        "Yangzhou,China,Nara,Japan,sister,1995,,",
        "Atlantis,Mars,Nara,Japan,sister,1995,,",
    )

    report = ties_import(handle=data, skip_invalid=True)

    assert [str(error) for error in report.errors] == [
        "line 3: unknown country 'Mars' (use China, Japan, South Korea or CN, JP, KR)"
    ]
    assert list(FriendshipLink.objects.values_list("city_a__name_en", "city_b__name_en")) == [
        ("Yangzhou", "Nara")
    ]


def test_ties_import_reports_a_missing_header_column(db):
    report = ties_import(handle=io.StringIO("city_a,country_a,city_b\nNara,JP,Kobe\n"))

    assert [str(error) for error in report.errors] == [
        "line 1: missing column(s): country_b, kind, established, source, note"
    ]


def test_ties_import_reports_an_ambiguous_name(places):
    CityFactory(name_en="Izumi", slug="izumi-a", country=Country.JAPAN)
    CityFactory(name_en="Izumi", slug="izumi-b", country=Country.JAPAN)

    report = ties_import(handle=csv_text("Izumi,Japan,Yangzhou,China,sister,1995,,"))

    assert [str(error) for error in report.errors] == [
        "line 2: 'Izumi' in JP could be any of 2 places (Izumi, Izumi): "
        "add the place it belongs to, e.g. 'Name (Parent)'"
    ]


def test_ties_import_dry_run_writes_nothing(places):
    FriendshipLinkFactory(city_a=places["nara"], city_b=places["qingdao"], kind="sister")

    report = ties_import(
        handle=csv_text(
            "Yangzhou,China,Nara,Japan,sister,1995,https://example.org/a,",
            "Qingdao,China,Nara,Japan,friendship,1995,,",
            "Jeju Province,KR,New Town,JP,friendship,1995,,",
        ),
        dry_run=True,
    )

    assert report.counts() == {
        "Places": {"created": 1, "updated": 0, "unchanged": 0},
        "Ties": {"created": 2, "updated": 0, "unchanged": 1},
    }
    assert report.lines_by_outcome == {
        "created": [2, 4],
        "updated": [],
        "unchanged": [3],
        "conflicts": [3],
    }
    assert (FriendshipLink.objects.count(), City.objects.count(), Source.objects.count()) == (
        1,
        5,
        0,
    )


def test_import_links_command_prints_the_report(places, tmp_path):
    path = tmp_path / "ties.csv"
    path.write_text(
        "\n".join([HEADER, "Yangzhou,China,Hakui,Japan,sister,1995,,"]) + "\n", encoding="utf-8"
    )
    out = io.StringIO()

    call_command("import_links", str(path), "--dry-run", stdout=out)

    # Hakui comes from the gazetteer, with its prefecture (the demo slice in tests).
    assert out.getvalue().splitlines() == [
        "        created  updated  unchanged",
        "Places        2        0          0",
        "Ties          1        0          0",
        "Places that would be created:",
        "  Ishikawa Prefecture (JP, prefecture; GeoNames 1861387) — line 2",
        "  Hakui (JP, municipality, part of Ishikawa Prefecture; GeoNames 1863341) — line 2",
        "Dry run: nothing was written.",
    ]
    assert FriendshipLink.objects.count() == 0


def test_import_links_command_fails_naming_the_line(places, tmp_path):
    path = tmp_path / "ties.csv"
    path.write_text("\n".join([HEADER, "Nara,Japan,Nara,Japan,sister,1995,,"]), encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_links", str(path), stdout=io.StringIO(), stderr=err)

    assert str(raised.value) == "Nothing was imported: 1 invalid row(s) of 1."
    assert err.getvalue() == "ties.csv, line 2: 'Nara' and 'Nara' are the same place\n"


def test_import_links_command_draws_a_progress_bar_on_long_files(db, tmp_path):
    rows = [f"Town {n},China,Village {n},Japan,friendship,1995,," for n in range(400)]
    path = tmp_path / "ties.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    err = io.StringIO()

    call_command("import_links", str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue().endswith(f"Reading [{'#' * 30}] 400/400\n")
    assert (FriendshipLink.objects.count(), City.objects.count()) == (400, 800)


def test_ties_export_writes_the_english_public_note_in_its_column(places):
    FriendshipLinkFactory(
        city_a=places["nara"],
        city_b=places["yangzhou"],
        public_note_en="Renewed in 2015.",
        public_note_ja="2015年に更新。",
    )
    exported = io.StringIO()

    ties_export(handle=exported)

    exported.seek(0)
    assert [row["public_note"] for row in csv.DictReader(exported)] == ["Renewed in 2015."]


def test_the_demo_ties_exported_import_onto_the_demo_data_unchanged(demo_data):
    exported = io.StringIO()
    count = ties_export(handle=exported)
    exported.seek(0)

    report = ties_import(handle=exported, dry_run=True)

    assert report.errors == []
    assert report.counts() == {"Ties": {"created": 0, "updated": 0, "unchanged": count}}
    assert report.conflicts == []


def stored_ties() -> list[tuple]:
    """Every tie as comparable facts, its two places as an unordered (name, country) pair."""
    result = []
    for tie in FriendshipLink.objects.with_places().prefetch_related("sources"):
        # A place is the same place when it has the same GeoNames id (an empty database
        # takes the gazetteer's spelling of it), else the same name.
        places = sorted(
            [
                (str(city.geonames_id or city.name_en), city.country)
                for city in (tie.city_a, tie.city_b)
            ]
        )
        result.append((*places, *tie_facts(tie)[2:], tie.note))
    return sorted(result)


def test_export_then_import_into_an_empty_database_gives_the_same_ties(demo_data):
    exported = io.StringIO()
    count = ties_export(handle=exported)
    before = stored_ties()
    if connection.vendor == "postgresql":  # fire the deferred checks, or TRUNCATE refuses
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert (City.objects.count(), FriendshipLink.objects.count()) == (0, 0)

    exported.seek(0)
    report = ties_import(handle=exported)

    assert (count, report.errors) == (len(before), [])
    assert stored_ties() == before


def test_import_links_command_lists_the_lines_with_verbosity_2(places, tmp_path):
    FriendshipLinkFactory(city_a=places["nara"], city_b=places["qingdao"], kind="sister")
    path = tmp_path / "ties.csv"
    rows = ["Yangzhou,China,Nara,Japan,sister,1995,,", "Qingdao,China,Nara,Japan,friendship,,,"]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    out = io.StringIO()

    call_command("import_links", str(path), "--dry-run", verbosity=2, stdout=out)

    assert out.getvalue().splitlines()[2:6] == [
        "Ties created: line(s) 2",
        "Ties updated: line(s) —",
        "Ties unchanged: line(s) 3",
        "Ties conflicts: line(s) 3",
    ]


def test_ties_import_makes_the_places_it_creates_searchable(places):
    data = csv_text("Huangdao District (Qingdao),CN,奈良,JP,friendship,1995,,")

    report = ties_import(handle=data)

    assert report.errors == []
    assert [city.name_en for city in city_search("Huangdao")] == ["Huangdao District"]


def test_ties_import_resolves_third_party_spellings_to_gazetteer_places(db):
    """The forms Wikipedia-derived lists use, into an empty database: every name becomes a
    gazetteer place with coordinates and a native name, with its province."""
    rows = [
        "扬州市,China,Ōita,Japan,other,,https://list.example/,UNCERTAIN: list",
        "Yangzhou (Jiangsu Province),China,Gyeongju,South Korea,other,,,UNCERTAIN: list",
        "Dalian,China,Kitakyūshū,Japan,other,,,UNCERTAIN: list",
        '"Suzhou, Jiangsu",China,Kanazawa,Japan,other,,,UNCERTAIN: list',
        "Tianjin,China,Kōbe,Japan,other,,,UNCERTAIN: list",
        "Busan,South Korea,Fukuoka,Japan,other,,,UNCERTAIN: list",
        "Seoul,South Korea,Tokyo,Japan,other,,,UNCERTAIN: list",
        "Gyeongsangnam-do,South Korea,Yamaguchi Prefecture,Japan,other,,,UNCERTAIN: list",
    ]

    report = ties_import(handle=csv_text(*rows))

    assert report.errors == []
    assert report.unresolved_places == []
    created = {
        city.name_en: (city.parent.name_en if city.parent else "", bool(city.own_script_name))
        for city in City.objects.select_related("parent")
        if city.latitude is not None
    }
    assert created == {
        "Busan": ("", True),
        "Dalian": ("Liaoning Province", True),
        "Fukuoka": ("Fukuoka Prefecture", True),
        "Fukuoka Prefecture": ("", True),
        "Gyeongju": ("North Gyeongsang Province", True),
        "Ishikawa Prefecture": ("", True),
        "Jiangsu Province": ("", True),
        "Kanazawa": ("Ishikawa Prefecture", True),
        "Kitakyushu": ("Fukuoka Prefecture", True),
        "Kobe": ("Hyogo Prefecture", True),
        "Hyogo Prefecture": ("", True),
        "Liaoning Province": ("", True),
        "North Gyeongsang Province": ("", True),
        "Oita": ("Oita Prefecture", True),
        "Oita Prefecture": ("", True),
        "Seoul": ("", True),
        "South Gyeongsang Province": ("", True),
        "Suzhou": ("Jiangsu Province", True),
        "Tianjin": ("", True),
        "Tokyo": ("", True),
        "Yamaguchi Prefecture": ("", True),
        "Yangzhou": ("Jiangsu Province", True),
    }
    assert City.objects.count() == len(created)
    assert FriendshipLink.objects.filter(verified=False).count() == len(rows)


def test_ties_import_moves_the_data_version_but_a_dry_run_does_not(places):
    from exchangeportal.infra.cache import data_version

    row = "扬州市,China,奈良,JP,sister,2010-05-23,https://example.org/a,"
    before = data_version()
    ties_import(handle=csv_text(row), dry_run=True)
    after_dry_run = data_version()
    ties_import(handle=csv_text(row))

    assert (after_dry_run, data_version()) == (before, before + 1)


def test_ties_import_writes_each_ties_history_with_its_line_and_source(places):
    tie = FriendshipLinkFactory(
        city_a=places["nara"], city_b=places["yangzhou"], kind=TieKind.OTHER, established_on=None
    )

    ties_import(
        handle=csv_text(
            "Yangzhou,CN,Nara,JP,friendship,1995,https://example.org/nara,",
            "Qingdao,CN,Nagasaki,JP,sister,2008-06,https://example.org/qingdao,",
        ),
        origin="ties.csv",
    )

    changed = tie.history.get()
    assert (changed.action, changed.via, changed.via_detail, changed.source.url) == (
        HistoryAction.CHANGED,
        HistoryVia.IMPORT,
        "ties.csv, line 2",
        "https://example.org/nara",
    )
    assert changed.changes == {"kind": ["other", "friendship"], "established_on": ["", "1995"]}
    new_tie = FriendshipLink.objects.get(city_a=places["qingdao"])
    created = new_tie.history.get()
    assert (created.action, created.via_detail, created.source.url) == (
        HistoryAction.CREATED,
        "ties.csv, line 3",
        "https://example.org/qingdao",
    )
