import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from events.models import EventCategory, EventFormat, GoodPractice
from tests.factories import (
    CityFactory,
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

    with django_assert_num_queries(5):  # count, page with events and hosts, partners, sources
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
            "what_en": "A calligraphy exchange run by two high schools.",
            "what_zh_hans": "",
            "what_ja": "",
            "what_ko": "",
            **{
                f"{part}_{suffix}": ""
                for part in ("cost", "who", "result", "repeat")
                for suffix in ("en", "zh_hans", "ja", "ko")
            },
        },
    )

    assert response.status_code == 302
    practice = GoodPractice.objects.get()
    assert (practice.event, practice.marked_by, practice.what_en) == (
        event,
        curator,
        "A calligraphy exchange run by two high schools.",
    )


@pytest.mark.django_db
def test_good_practices_page_without_any_says_how_they_are_chosen(client):
    html = client.get("/en/good-practices/").content.decode()

    assert "No exchange has been marked as a good practice yet." in html
    assert '<a href="/en/events/">Browse all recorded events</a>' in html


@pytest.mark.django_db
def test_good_practice_admin_form_has_the_write_up_in_every_language(admin_client):
    html = admin_client.get("/admin/events/goodpractice/add/").content.decode()

    for part in ("what", "cost", "who", "result", "repeat"):
        for suffix in ("en", "zh_hans", "ja", "ko"):
            assert f'name="{part}_{suffix}"' in html


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

    [paragraph] = re.findall(r"<p>(.*?net-country-cn.*?)</p>", html, flags=re.DOTALL)
    assert " ".join(re.sub(r"<[^>]+>", "", paragraph).split()) == places
