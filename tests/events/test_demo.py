"""The demo events' native titles (events/data/research/event_titles.csv)."""

from django.db.models import Q

from events.demo import EVENTS_DATA_DIR, native_titles
from events.models import EventSeries, ExchangeEvent

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
