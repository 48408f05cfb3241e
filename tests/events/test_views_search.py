import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import CityFactory, ExchangeEventFactory, FriendshipLinkFactory, SourceFactory


def search_url(language: str = "en") -> str:
    with translation.override(language):
        return reverse("search:search")


@pytest.fixture
def client(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    return client


def make_matches(count: int) -> None:
    """`count` places called Nara…, each with a sourced tie and an event with a partner."""
    for number in range(count):
        place = CityFactory(name_en=f"Nara {number}", slug=f"nara-{number}")
        tie = FriendshipLinkFactory(city_a=place)
        tie.sources.add(SourceFactory(url=f"https://example.org/tie/{number}"))
        event = ExchangeEventFactory(
            host=place, title_en=f"Deer festival {number}", starts_on=datetime.date(2020, 1, 1)
        )
        event.partners.add(CityFactory(name_en=f"Partner {number}"))


def test_search_page_url_is_under_each_language():
    assert [search_url(code) for code in ("en", "zh-hans", "ja", "ko")] == [
        "/en/search/",
        "/zh-hans/search/",
        "/ja/search/",
        "/ko/search/",
    ]


@pytest.mark.django_db
def test_search_page_without_query_shows_the_form_only(client):
    response = client.get(search_url())

    assert response.context["sections"] == {}
    assert 'name="q"' in response.content.decode()
    assert "Nothing found" not in response.content.decode()


@pytest.mark.django_db
def test_search_page_finds_places_ties_and_events_across_scripts(client):
    nara = CityFactory(name_en="Nara", name_ja="奈良", slug="nara", country="JP")
    yangzhou = CityFactory(name_en="Yangzhou", name_zh_hans="扬州", slug="yangzhou")
    tie = FriendshipLinkFactory(city_a=yangzhou, city_b=nara)
    event = ExchangeEventFactory(host=nara, title_en="Jianzhen memorial")
    ExchangeEventFactory(host=yangzhou, title_en="Canal forum")

    response = client.get(search_url("ja"), {"q": "奈良市"})

    sections = response.context["sections"]
    assert list(sections["places"]) == [nara]
    assert list(sections["ties"]) == [tie]
    assert list(sections["events"]) == [event]
    assert response.context["total"] == 3


@pytest.mark.django_db
def test_search_page_finds_events_by_title(client):
    event = ExchangeEventFactory(title_en="Go Exchange Tournament", title_ko="바둑 교류전")

    response = client.get(search_url("ko"), {"q": "바둑"})

    assert list(response.context["sections"]["events"]) == [event]
    assert list(response.context["sections"]["places"]) == []


@pytest.mark.django_db
def test_search_page_leaves_unpublished_events_out(client):
    place = CityFactory(name_en="Nara")
    ExchangeEventFactory(host=place, is_published=False)

    response = client.get(search_url(), {"q": "Nara"})

    assert list(response.context["sections"]["events"]) == []


@pytest.mark.django_db
def test_search_page_explains_an_empty_result(client):
    CityFactory(name_en="Nara")

    response = client.get(search_url(), {"q": "Atlantis"})

    content = response.content.decode()
    assert response.context["total"] == 0
    assert "Nothing found for “Atlantis”" in content
    assert "扬州, 揚州, 양저우 or Yangzhou all find the same place" in content


@pytest.mark.django_db
def test_search_page_refuses_an_overlong_query_and_keeps_it(client):
    query = "x" * 101

    response = client.get(search_url(), {"q": query})

    assert response.context["sections"] == {}
    assert response.context["form"].errors == {
        "q": ["Ensure this value has at most 100 characters (it has 101)."]
    }
    assert f'value="{query}"' in response.content.decode()


@pytest.mark.django_db
def test_search_page_paginates_each_section_on_its_own(client):
    make_matches(21)

    response = client.get(search_url(), {"q": "nara", "ties_page": "2"})

    sections = response.context["sections"]
    assert (sections["places"].number, len(sections["places"])) == (1, 20)
    assert (sections["ties"].number, len(sections["ties"])) == (2, 1)
    assert sections["places"].paginator.count == 21
    content = response.content.decode()
    assert 'href="?q=nara&amp;ties_page=2&amp;places_page=2"' in content
    assert 'href="?q=nara&amp;ties_page=1"' in content


@pytest.mark.django_db
def test_search_page_past_the_last_page_of_a_section_is_404(client):
    make_matches(21)

    response = client.get(search_url(), {"q": "nara", "ties_page": "3"})

    assert response.status_code == 404


@pytest.mark.django_db
def test_search_page_escapes_the_query(client):
    response = client.get(search_url(), {"q": "<script>x</script>"})

    content = response.content.decode()
    assert "<script>x</script>" not in content
    assert "&lt;script&gt;x&lt;/script&gt;" in content


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.django_db
def test_search_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    make_matches(count)

    # per section (places, ties, events): a count, a page; the ties' sources, the partners
    with django_assert_num_queries(9):
        response = client.get(search_url(), {"q": "nara"})

    content = response.content.decode()
    assert response.context["total"] == 3 * count
    assert [f"https://example.org/tie/{n}" in content for n in range(count)] == [True] * count
    assert [f">Partner {n}</a>" in content for n in range(count)] == [True] * count


@pytest.mark.django_db
def test_search_page_carries_no_inline_style_or_script_and_is_in_the_navigation(client):
    CityFactory(name_en="Nara")

    html = client.get(search_url(), {"q": "Nara"}).content.decode()

    assert re.findall(r"<script|<style| style=| on[a-z]+=", html) == []
    nav = html.split('class="main-nav__list"')[1].split("</ul>")[0]
    assert '<a href="/en/search/" aria-current="page">Search</a>' in nav


@pytest.mark.django_db
def test_a_repeated_search_comes_from_the_page_cache_until_a_write(
    client, django_assert_num_queries
):
    CityFactory(name_en="Nara")
    first = client.get(search_url(), {"q": "nara"})

    with django_assert_num_queries(1):
        again = client.get(search_url(), {"q": "nara"})
    CityFactory(name_en="Nara Park")
    after_write = client.get(search_url(), {"q": "nara"})

    assert first["X-Page-Cache"] == "miss"
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content
    assert after_write["X-Page-Cache"] == "miss"
    assert "Nara Park" in after_write.content.decode()
