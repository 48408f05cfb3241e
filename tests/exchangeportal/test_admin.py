"""The curation desk: every model's admin pages load for a Curator, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

# model admin → a factory that makes one row of it.
ADMIN_FACTORIES = {
    "cities.source": factories.SourceFactory,
    "cities.city": factories.CityFactory,
    "cities.friendshiplink": factories.FriendshipLinkFactory,
    "cities.linkmilestone": factories.LinkMilestoneFactory,
    "cities.culturecitydesignation": factories.CultureCityDesignationFactory,
    "cities.exchangeindicator": factories.ExchangeIndicatorFactory,
    "cities.trilateralgroup": factories.TrilateralGroupFactory,
    "events.eventseries": factories.EventSeriesFactory,
    "events.exchangeevent": factories.ExchangeEventFactory,
}


def admin_url(label: str, view: str, *args) -> str:
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_{view}", args=args)


def queries_for(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    return response.status_code, len(context)


@pytest.fixture
def curator_client(client, db):
    curator = factories.CuratorFactory()
    client.force_login(curator)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("label", ADMIN_FACTORIES)
def test_changelist_runs_the_same_queries_for_one_and_three_rows(curator_client, label):
    make = ADMIN_FACTORIES[label]
    make()
    one = queries_for(curator_client, admin_url(label, "changelist"))
    make.create_batch(2)

    three = queries_for(curator_client, admin_url(label, "changelist"))

    assert one[0] == 200
    assert three == one


@pytest.mark.django_db
@pytest.mark.parametrize("label", ADMIN_FACTORIES)
def test_changelist_search_and_add_pages_load_for_a_curator(curator_client, label):
    obj = ADMIN_FACTORIES[label]()

    search = curator_client.get(admin_url(label, "changelist"), {"q": "1"})
    add = curator_client.get(admin_url(label, "add"))
    change = curator_client.get(admin_url(label, "change", obj.pk))

    assert (search.status_code, add.status_code, change.status_code) == (200, 200, 200)
    assert str(obj) in change.content.decode()


@pytest.mark.django_db
def test_place_search_finds_a_place_by_any_name(curator_client):
    factories.CityFactory(
        name_en="Yangzhou",
        name_zh_hans="扬州",
        name_zh_hant="揚州",
        name_ja="揚州",
        name_ko="양저우",
        aliases="扬州市",
    )
    factories.CityFactory(name_en="Nara", name_ja="奈良", country="JP")

    found = {}
    for query in ["yangzhou", "扬州", "揚州", "양저우", "扬州市"]:
        response = curator_client.get(admin_url("cities.city", "changelist"), {"q": query})
        found[query] = [city.name_en for city in response.context["cl"].result_list]

    assert found == {query: ["Yangzhou"] for query in found}


@pytest.mark.django_db
def test_tie_search_finds_ties_by_either_place(curator_client):
    tie = factories.FriendshipLinkFactory(
        city_a=factories.CityFactory(name_en="Yangzhou"),
        city_b=factories.CityFactory(name_en="Nara", name_ja="奈良", country="JP"),
    )
    factories.FriendshipLinkFactory()

    response = curator_client.get(admin_url("cities.friendshiplink", "changelist"), {"q": "奈良"})

    assert list(response.context["cl"].result_list) == [tie]


@pytest.mark.django_db
def test_curator_can_add_a_tie_in_the_admin(curator_client):
    yangzhou = factories.CityFactory(name_en="Yangzhou")
    nara = factories.CityFactory(name_en="Nara", country="JP")
    source = factories.SourceFactory()

    response = curator_client.post(
        admin_url("cities.friendshiplink", "add"),
        {
            "city_a": yangzhou.pk,
            "city_b": nara.pk,
            "label_a": "友好城市",
            "label_b": "友好都市",
            "kind": "friendship",
            "established_on": "2010-05-23",
            "established_precision": "day",
            "date_basis": "signed",
            "status": "active",
            "sources": [source.pk],
            "verified": "on",
            "milestones-TOTAL_FORMS": "0",
            "milestones-INITIAL_FORMS": "0",
            "history-TOTAL_FORMS": "0",
            "history-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    tie = yangzhou.ties_as_a.get()
    assert (str(tie), tie.label_b, list(tie.sources.all())) == (
        "Yangzhou — Nara (friendship city, 2010)",
        "友好都市",
        [source],
    )


@pytest.mark.django_db
def test_admin_refuses_a_reversed_duplicate_tie_and_keeps_the_input(curator_client):
    tie = factories.FriendshipLinkFactory()

    response = curator_client.post(
        admin_url("cities.friendshiplink", "add"),
        {
            "city_a": tie.city_b.pk,
            "city_b": tie.city_a.pk,
            "label_a": "자매도시",
            "kind": "sister",
            "established_precision": "year",
            "date_basis": "unknown",
            "status": "active",
            "milestones-TOTAL_FORMS": "0",
            "milestones-INITIAL_FORMS": "0",
        },
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "These two places are already tied (in one order or the other)." in content
    assert 'value="자매도시"' in content


@pytest.mark.django_db
def test_staff_without_the_curator_group_cannot_curate(client):
    client.force_login(factories.UserFactory(is_staff=True))

    response = client.get(admin_url("cities.city", "changelist"))

    assert response.status_code == 403
