"""The demo events' native titles (events/data/research/event_titles.csv) and the demo's
good-practice cases (events/data/good_practices.csv)."""

import csv
import io
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q

from events.demo import (
    EVENTS_DATA_DIR,
    GOOD_PRACTICE_SOURCES_FILE,
    GOOD_PRACTICES_FILE,
    native_titles,
)
from events.models import EventSeries, ExchangeEvent, GoodPractice
from tests.conftest import DEMO_GAZETTEER

TITLES = EVENTS_DATA_DIR / "research" / "event_titles.csv"


def test_native_titles_leave_out_the_go_editions_korean_titles():
    titles = native_titles(TITLES)
    first = titles["CJK Sister/Friendship Cities Go Exchange Tournament (1)"]
    series = titles["SERIES: CJK Sister/Friendship Cities Go Exchange Tournament"]

    assert [(title.suffix, title.text) for title in first] == [
        ("ja", "第1回日中韓友好姉妹都市囲碁交流大会")
    ]
    assert [(title.suffix, title.text) for title in series] == [
        ("ja", "日中韓友好姉妹都市囲碁交流大会"),
        ("ko", "한·중·일 국제 교류도시 친선 바둑대회"),
    ]


def test_demo_events_carry_their_native_titles_as_originals_with_sources(demo_data_readonly, db):
    native = [
        event
        for event in ExchangeEvent.objects.all()
        if any(
            event.text_origins.get(f"title_{suffix}") == "original"
            for suffix in ("zh_hans", "ja", "ko")
        )
    ]
    gyeongju = ExchangeEvent.objects.get(title_en="CCEA 2022 Gyeongju closing ceremony")
    go = EventSeries.objects.get(name_en__startswith="CJK Sister/Friendship Cities Go")

    assert len(native) == 33
    assert (gyeongju.title_ko, gyeongju.title_zh_hans) == (
        "2022 동아시아문화도시 경주 폐막식",
        "“2022东亚文化之都 · 韩国庆州活动年”闭幕式",
    )
    assert {
        name: origin for name, origin in gyeongju.text_origins.items() if name.startswith("title")
    } == {"title_ko": "original", "title_ja": "original", "title_zh_hans": "original"}
    assert (
        gyeongju.sources.filter(
            Q(url__startswith="https://m.hankookilbo.com/") | Q(url__contains="tcs-asia.org/cn/")
        ).count()
        == 2
    )
    assert (go.name_ja, go.text_origins) == (
        "日中韓友好姉妹都市囲碁交流大会",
        {
            "name_ja": "original",
            "name_ko": "original",
            "name_zh_hans": "translation",
            "description_zh_hans": "translation",
            "description_ja": "translation",
            "description_ko": "translation",
        },
    )


def test_demo_texts_have_the_portals_translations_marked_as_such(demo_data_readonly, db):
    from cities.models import ExchangeIndicator, LinkMilestone, TrilateralGroup

    untranslated_events = ExchangeEvent.objects.filter(
        Q(title_zh_hans="") | Q(title_ja="") | Q(title_ko="")
    )
    canal = ExchangeEvent.objects.get(title_en="World Canal Cities Forum 2020")
    figure = ExchangeIndicator.objects.get(indicator_en="inbound overnight tourists")

    assert untranslated_events.count() == 0
    assert (canal.title_zh_hans, canal.text_origins["title_zh_hans"]) == (
        "2020年世界运河城市论坛",
        "original",
    )
    assert canal.text_origins["title_ko"] == "translation"
    assert canal.text_origins["summary_ja"] == "translation"
    assert figure.text_origins == {
        f"{base}_{suffix}": "translation"
        for base in ("indicator", "unit", "note")
        for suffix in ("zh_hans", "ja", "ko")
    }
    assert not TrilateralGroup.objects.filter(joint_programme_ja="").exists()
    assert not LinkMilestone.objects.exclude(note_en="").filter(note_ko="").exists()


def test_demo_good_practices_load_with_sources_in_four_languages(demo_data_readonly, db):
    practices = list(GoodPractice.objects.order_by("slug").prefetch_related("places", "sources"))
    go = next(p for p in practices if p.slug == "cjk-go-tournament")
    masks = next(p for p in practices if p.slug == "kitakyushu-dalian-masks-2020")

    assert [p.slug for p in practices] == [
        "busan-harbin-kanazawa-culture-city-follow-up",
        "cjk-go-tournament",
        "cjk-local-government-exchange-conference",
        "kitakyushu-dalian-environmental-cooperation",
        "kitakyushu-dalian-masks-2020",
        "world-canal-cities-forum-2020",
        "yangzhou-kitakyushu-suncheon-supplies-2020",
        "yangzhou-nara-gyeongju-mayors-dialogue-2023",
    ]
    for practice in practices:
        sources = list(practice.sources.all())
        assert sources, practice.slug
        assert all(s.url.startswith("http") and s.publisher and s.accessed_on for s in sources)
        for base in ("title", "what", "who", "result", "repeat"):
            for suffix in ("en", "zh_hans", "ja", "ko"):
                assert getattr(practice, f"{base}_{suffix}"), (practice.slug, base, suffix)
            assert {
                practice.text_origins.get(f"{base}_{suffix}") for suffix in ("zh_hans", "ja", "ko")
            } == {"translation"}
            assert f"{base}_en" not in practice.text_origins  # the team's own write-up
    assert (go.series.slug, go.event, go.since_iso, go.is_ongoing, go.category) == (
        "cjk-go-tournament",
        None,
        "1999",
        True,
        "sports",
    )
    assert sorted(p.name_en for p in go.places.all()) == ["Karatsu", "Yangzhou", "Yeosu"]
    assert "en.tcs-asia.org/en/cooperation/database_view.php?idx=1" in " ".join(
        s.url for s in go.sources.all()
    )
    assert (masks.since_iso, sorted(p.name_en for p in masks.places.all())) == (
        "2020-02-05",
        ["Dalian", "Kitakyushu"],
    )
    assert masks.title_ko == "기타큐슈와 다롄: 마스크 260장을 보내고 20만 장을 돌려받다 (2020년)"
    assert GoodPractice.objects.get(slug="world-canal-cities-forum-2020").event.slug == (
        "world-canal-cities-forum-2020"
    )


def test_demo_good_practice_sources_name_known_cases():
    with (EVENTS_DATA_DIR / GOOD_PRACTICES_FILE).open(encoding="utf-8", newline="") as handle:
        cases = {row["slug"] for row in csv.DictReader(handle)}
    with (EVENTS_DATA_DIR / GOOD_PRACTICE_SOURCES_FILE).open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))

    assert {row["practice"] for row in rows} == cases
    assert all(row["accessed_on"] == "2026-12-02" and row["evidence"] for row in rows)


def test_load_demo_keeps_a_curators_good_practice_text(demo_data):
    go = GoodPractice.objects.get(slug="cjk-go-tournament")
    go.what_ja, go.title_en, go.what_ko = (
        "学芸員が書き直した説明。",
        "The Go tournament of three cities",
        "",
    )
    go.text_origins = {k: v for k, v in go.text_origins.items() if k not in ("what_ja", "what_ko")}
    go.save()

    call_command("load_demo", gazetteer=DEMO_GAZETTEER, stdout=io.StringIO())

    go = GoodPractice.objects.get(slug="cjk-go-tournament")
    assert (go.what_ja, go.title_en, go.text_origins.get("what_ja")) == (
        "学芸員が書き直した説明。",
        "The Go tournament of three cities",
        None,
    )
    assert go.text_origins["what_ko"] == "translation"  # an emptied field is filled again


def test_load_demo_names_the_line_of_a_bad_good_practice_row(db, tmp_path):
    events_dir = tmp_path / "events"
    shutil.copytree(EVENTS_DATA_DIR, events_dir)
    path = events_dir / "good_practices.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Karatsu (JP)", "Karatsu (XX)", 1),
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as error:
        call_command(
            "load_demo", gazetteer=DEMO_GAZETTEER, events_data=events_dir, stdout=io.StringIO()
        )

    assert str(error.value) == (
        "Nothing was loaded. good_practices.csv, line 2: write a place as 'Name (CN)', "
        "not 'Karatsu (XX)'"
    )
