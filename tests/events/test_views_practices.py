import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from events.models import EventCategory, EventFormat, GoodPractice
from events.services import good_practice_save
from tests.factories import (
    CityFactory,
    EventSeriesFactory,
    ExchangeEventFactory,
    GoodPracticeFactory,
    SourceFactory,
    UserFactory,
)


@pytest.mark.django_db
def test_good_practice_needs_a_write_up():
    event = ExchangeEventFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        GoodPractice.objects.create(event=event, what_en="")
    with pytest.raises(ValidationError) as error:
        GoodPractice(event=event, what_en="").full_clean()

    assert error.value.message_dict["what_en"] == ["This field cannot be blank."]


@pytest.mark.django_db
def test_good_practice_write_up_falls_back_to_english():
    practice = GoodPracticeFactory(what_en="A joint Go tournament.", what_ja="囲碁大会の共同開催。")

    with translation.override("ja"):
        assert (practice.what, practice.cost) == ("囲碁大会の共同開催。", practice.cost_en)
    with translation.override("ko"):
        assert practice.what == "A joint Go tournament."


@pytest.mark.django_db
def test_good_practices_page_lists_event_places_and_write_up(client):
    host = CityFactory(name_en="Yangzhou", country="CN")
    partner = CityFactory(name_en="Karatsu", country="JP")
    event = ExchangeEventFactory(title_en="CJK Go Tournament (20)", host=host)
    event.partners.add(host, partner)
    event.sources.add(SourceFactory(url="https://en.tcs-asia.org/go", title="TCS database"))
    GoodPracticeFactory(
        event=event,
        what_en="Three cities host a Go tournament in turn.",
        repeat_en="A Go association in each city.",
    )
    GoodPracticeFactory(event=ExchangeEventFactory(is_published=False))
    GoodPracticeFactory(is_published=False)

    response = client.get("/en/good-practices/")

    html = response.content.decode()
    assert [p.event.title_en for p in response.context["practices"]] == ["CJK Go Tournament (20)"]
    assert "Three cities host a Go tournament in turn." in html
    assert "What another city needs to repeat it" in html
    assert f'<a href="{partner.get_absolute_url()}">Karatsu</a>' in html
    assert html.count("Yangzhou") == 1  # the host is not repeated as a partner
    assert (
        '<a href="https://en.tcs-asia.org/go" rel="external noopener noreferrer">TCS database</a>'
        in html
    )


@pytest.mark.django_db
def test_good_practices_filter_by_category_and_format(client):
    online_sports = GoodPracticeFactory(
        event=ExchangeEventFactory(category=EventCategory.SPORTS, format=EventFormat.ONLINE)
    )
    GoodPracticeFactory(event=ExchangeEventFactory(category=EventCategory.SPORTS))
    GoodPracticeFactory(event=ExchangeEventFactory(format=EventFormat.ONLINE))

    response = client.get("/en/good-practices/", {"category": "sports", "format": "online"})

    assert list(response.context["practices"]) == [online_sports]


@pytest.mark.django_db
def test_good_practices_bad_filter_shows_the_error(client):
    GoodPracticeFactory()

    response = client.get("/en/good-practices/", {"format": "carrier-pigeon"})

    assert response.context["form"].errors == {
        "format": ["Select a valid choice. carrier-pigeon is not one of the available choices."]
    }
    assert len(response.context["practices"]) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_good_practices_page_query_count_is_fixed(client, django_assert_num_queries, count):
    for _index in range(count):
        practice = GoodPracticeFactory()
        practice.event.partners.add(CityFactory())
        practice.event.sources.add(SourceFactory())

    # data version, count, page with events and hosts; places, sources, event partners and
    # event sources prefetched
    with django_assert_num_queries(7):
        response = client.get("/en/good-practices/")

    assert len(response.context["practices"]) == count


@pytest.mark.django_db
def test_curator_marks_an_event_as_good_practice_in_the_admin(client):
    # A staff member of the Curator group (the migration gives it the good-practice rights).
    curator = UserFactory(is_staff=True)
    curator.groups.add(Group.objects.get(name="Curator"))
    event = ExchangeEventFactory()
    client.force_login(curator)

    response = client.post(
        "/admin/events/goodpractice/add/",
        {
            "event": event.pk,
            "is_published": "on",
            "since_precision": "day",
            "what_en": "A calligraphy exchange run by two high schools.",
            "what_zh_hans": "",
            "what_ja": "",
            "what_ko": "",
            **{
                f"{part}_{suffix}": ""
                for part in ("title", "cost", "who", "result", "repeat")
                for suffix in ("en", "zh_hans", "ja", "ko")
            },
        },
    )

    assert response.status_code == 302
    practice = GoodPractice.objects.get()
    assert (
        practice.event,
        practice.marked_by,
        practice.what_en,
        practice.slug,
        practice.since_on,
    ) == (
        event,
        curator,
        "A calligraphy exchange run by two high schools.",
        event.slug,
        event.starts_on,
    )


@pytest.mark.django_db
def test_good_practices_page_without_any_says_how_they_are_chosen(client):
    html = client.get("/en/good-practices/").content.decode()

    assert "No exchange has been marked as a good practice yet." in html
    assert '<a href="/en/events/">Browse all recorded events</a>' in html


@pytest.mark.django_db
def test_good_practice_admin_form_has_the_write_up_in_every_language(admin_client):
    html = admin_client.get("/admin/events/goodpractice/add/").content.decode()

    for part in ("title", "what", "cost", "who", "result", "repeat"):
        for suffix in ("en", "zh_hans", "ja", "ko"):
            assert f'name="{part}_{suffix}"' in html
    for name in ("slug", "series", "places", "since_on", "since_precision", "sources"):
        assert f'name="{name}"' in html


def test_event_admin_has_the_good_practice_inline():
    from django.contrib import admin

    from events.admin import GoodPracticeInline
    from events.models import ExchangeEvent

    assert GoodPracticeInline in admin.site._registry[ExchangeEvent].inlines


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "places"),
    [
        ("en", "Places: Yangzhou CN, Karatsu JP"),
        ("zh-hans", "城市：扬州 CN、唐津 JP"),
        ("ja", "自治体：揚州 CN、唐津 JP"),
        ("ko", "지자체: 양저우 CN, 가라쓰 JP"),
    ],
)
def test_good_practices_page_separates_places_the_language_way(client, language, places):
    host = CityFactory(
        name_en="Yangzhou", name_zh_hans="扬州", name_ja="揚州", name_ko="양저우", country="CN"
    )
    partner = CityFactory(
        name_en="Karatsu", name_zh_hans="唐津", name_ja="唐津", name_ko="가라쓰", country="JP"
    )
    event = ExchangeEventFactory(host=host)
    event.partners.add(host, partner)
    GoodPracticeFactory(event=event)

    html = client.get(f"/{language}/good-practices/").content.decode()

    [paragraph] = re.findall(r'<p class="practice-places">(.*?)</p>', html, flags=re.DOTALL)
    assert " ".join(re.sub(r"<[^>]+>", "", paragraph).split()) == places


def _go_case():
    """A case told through a series, with its own places, date and sources in four languages."""
    yangzhou = CityFactory(name_en="Yangzhou", name_zh_hans="扬州", name_ja="揚州", country="CN")
    karatsu = CityFactory(name_en="Karatsu", name_ja="唐津", name_ko="가라쓰", country="JP")
    series = EventSeriesFactory(slug="go", name_en="CJK Go Tournament")
    ExchangeEventFactory(series=series, edition=1, starts_on=datetime.date(1999, 7, 5))
    ExchangeEventFactory(series=series, edition=2, starts_on=datetime.date(2000, 5, 3))
    ExchangeEventFactory(series=series, edition=3, is_published=False)
    practice = GoodPracticeFactory(
        slug="go-tournament",
        event=None,
        series=series,
        title_en="A Go tournament hosted in turn",
        title_ja="持ち回りの囲碁大会",
        what_en="The cities host a Go tournament in turn.",
        what_ja="3市が持ち回りで囲碁大会を開く。",
        who_en="The three city governments.",
        result_en="The 21st tournament was held in 2019.",
        result_ko="2019년에 제21회가 열렸다.",
        cost_en="",
        since_on=datetime.date(1999, 1, 1),
        since_precision="year",
        is_ongoing=True,
        category=EventCategory.SPORTS,
        text_origins={"title_ja": "translation", "what_ja": "translation"},
    )
    practice.places.add(yangzhou, karatsu)
    practice.sources.add(
        SourceFactory(
            url="https://en.tcs-asia.org/go-case",
            title="Go tournament case",
            publisher="Trilateral Cooperation Secretariat",
            accessed_on=datetime.date(2026, 12, 2),
        )
    )
    return practice


@pytest.mark.django_db
def test_good_practice_page_shows_the_structured_case(client):
    _go_case()

    response = client.get("/en/good-practices/go-tournament/")

    html = response.content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert response.context["practice"].slug == "go-tournament"
    assert "<h1>A Go tournament hosted in turn</h1>" in html
    assert "since 1999, still running" in text
    assert "What was done The cities host a Go tournament in turn." in text
    assert "Places: Karatsu JP , Yangzhou CN The three city governments." in text
    assert "Since 1999 · still running" in text
    assert "What came of it The 21st tournament was held in 2019." in text
    assert "What it cost" not in text
    assert '<a href="/en/events/series/go/">CJK Go Tournament</a>' in html
    assert "(2 editions recorded)" in text
    assert (
        '<a href="https://en.tcs-asia.org/go-case" rel="external noopener noreferrer">'
        'Go tournament case</a> <span class="muted">— Trilateral Cooperation Secretariat</span>'
    ) in html
    assert "(accessed 2 Dec 2026)" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "what"),
    [
        ("en", "A Go tournament hosted in turn", "The cities host a Go tournament in turn."),
        (
            "ja",
            "持ち回りの囲碁大会 ポータルによる翻訳",
            "3市が持ち回りで囲碁大会を開く。 ポータルによる翻訳",
        ),
        (
            "ko",
            "A Go tournament hosted in turn 원문: English",
            "The cities host a Go tournament in turn. 원문: English",
        ),
    ],
)
def test_good_practice_page_marks_translations_and_fallbacks(client, language, title, what):
    _go_case()

    html = client.get(f"/{language}/good-practices/go-tournament/").content.decode()

    [heading] = re.findall(r"<h1>(.*?)</h1>", html, flags=re.DOTALL)
    [done] = re.findall(r"<dd>(.*?)</dd>", html, flags=re.DOTALL)[:1]
    assert " ".join(re.sub(r"<[^>]+>", " ", heading).split()) == title
    assert " ".join(re.sub(r"<[^>]+>", " ", done).split()) == what


@pytest.mark.django_db
def test_good_practice_page_of_an_unpublished_or_unknown_case_is_404(client):
    GoodPracticeFactory(slug="hidden", is_published=False)
    GoodPracticeFactory(slug="hidden-event", event=ExchangeEventFactory(is_published=False))

    answers = [
        client.get(f"/en/good-practices/{slug}/").status_code
        for slug in ("hidden", "hidden-event", "nothing-here")
    ]

    assert answers == [404, 404, 404]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_good_practice_page_query_count_is_fixed(client, django_assert_num_queries, count):
    practice = GoodPracticeFactory(slug="case")
    for _index in range(count):
        practice.places.add(CityFactory())
        practice.sources.add(SourceFactory())
        practice.event.partners.add(CityFactory())

    # data version, the case with its event, host and series; places, sources, event
    # partners and event sources prefetched
    with django_assert_num_queries(6):
        response = client.get("/en/good-practices/case/")

    assert len(response.context["practice"].shown_places) == count


@pytest.mark.django_db
def test_good_practices_list_links_each_case_and_keeps_cases_without_an_event(client):
    _go_case()
    with_event = GoodPracticeFactory(slug="forum", since_on=datetime.date(2020, 9, 1))

    response = client.get("/en/good-practices/")

    html = response.content.decode()
    assert [p.slug for p in response.context["practices"]] == ["forum", "go-tournament"]
    assert '<a href="/en/good-practices/go-tournament/">A Go tournament hosted in turn</a>' in html
    assert f'<a href="/en/good-practices/forum/">{with_event.event.title_en}</a>' in html
    assert "2 cases" in html


@pytest.mark.django_db
def test_good_practices_filter_uses_the_case_category_before_the_event_category(client):
    own = GoodPracticeFactory(
        category=EventCategory.HEALTH_DISASTER_RELIEF,
        event=ExchangeEventFactory(category=EventCategory.CULTURE),
    )
    inherited = GoodPracticeFactory(
        event=ExchangeEventFactory(category=EventCategory.HEALTH_DISASTER_RELIEF)
    )
    GoodPracticeFactory(
        category=EventCategory.CULTURE,
        event=ExchangeEventFactory(category=EventCategory.HEALTH_DISASTER_RELIEF),
    )

    response = client.get("/en/good-practices/", {"category": "health_disaster_relief"})

    assert {p.pk for p in response.context["practices"]} == {own.pk, inherited.pk}


@pytest.mark.django_db
def test_good_practice_needs_a_title_an_event_or_a_series():
    with pytest.raises(IntegrityError), transaction.atomic():
        GoodPractice.objects.create(slug="nothing", what_en="Something was done.")
    with pytest.raises(ValidationError) as error:
        GoodPractice(slug="nothing", what_en="Something was done.").full_clean()

    assert error.value.message_dict["title_en"] == [
        "Give the case a title (in English at least), an event or a series."
    ]
    GoodPractice(slug="titled", title_en="Masks for a sister city", what_en="Masks.").full_clean()


@pytest.mark.django_db
def test_good_practice_save_makes_a_free_address_from_the_title():
    GoodPracticeFactory(slug="masks-for-a-sister-city")
    practice = GoodPractice(event=None, title_en="Masks for a sister city", what_en="Masks.")

    good_practice_save(practice=practice, user=None)

    assert (practice.slug, practice.since_on, practice.marked_by) == (
        "masks-for-a-sister-city-2",
        None,
        None,
    )
