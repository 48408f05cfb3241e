import io
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from cities.demo import CITIES_DATA_DIR
from cities.models import City, CitySearchKey
from cities.search import city_key_rows, city_search
from events.selectors import reviewers_to_notify
from tests.factories import CityFactory


def clear_search_index() -> None:
    CitySearchKey.objects.all().delete()


@pytest.mark.django_db
def test_rebuild_search_index_rebuilds_every_place():
    nara = CityFactory(name_en="Nara", slug="nara")
    sakai = CityFactory(name_en="Sakai", slug="sakai")
    clear_search_index()
    out = io.StringIO()

    call_command("rebuild_search_index", stdout=out)

    keys, places = CitySearchKey.objects.count(), City.objects.count()
    assert out.getvalue() == f"Rebuilt {keys} search keys for {places} places.\n"
    expected = len(city_key_rows(nara)) + len(city_key_rows(sakai))
    assert CitySearchKey.objects.filter(city__in=[nara, sakai]).count() == expected
    assert (list(city_search("Nara")), list(city_search("Sakai"))) == ([nara], [sakai])


@pytest.mark.django_db
def test_rebuild_search_index_rebuilds_only_the_places_named():
    nara = CityFactory(name_en="Nara", slug="nara")
    CityFactory(name_en="Sakai", slug="sakai")
    clear_search_index()

    call_command("rebuild_search_index", "nara", stdout=io.StringIO())

    assert (list(city_search("Nara")), list(city_search("Sakai"))) == ([nara], [])


@pytest.mark.django_db
def test_rebuild_search_index_refuses_an_unknown_slug_and_rebuilds_nothing():
    CityFactory(name_en="Nara", slug="nara")
    clear_search_index()

    with pytest.raises(CommandError) as error:
        call_command("rebuild_search_index", "nara", "atlantis", stdout=io.StringIO())

    assert str(error.value) == "Nothing was rebuilt. No place with the slug(s): atlantis"
    assert CitySearchKey.objects.count() == 0


def test_load_demo_keeps_old_spellings_as_aliases_and_makes_them_searchable(demo_data):
    assert City.objects.get(slug="daegu").alias_list == ["대구광역시", "Taegu"]
    assert City.objects.get(slug="busan").alias_list == ["부산광역시", "Pusan"]
    # Both Gwangju (the metropolitan city and the city of Gyeonggi) were once "Kwangju".
    assert [city.slug for city in city_search("Kwangju")] == [
        "gwangju",
        "gwangju-gyeonggi-province",
    ]
    assert CitySearchKey.objects.filter(city__slug="daegu").count() > 0


def test_load_demo_refuses_an_old_spelling_without_source(db, tmp_path):
    data = tmp_path / "cities"
    shutil.copytree(CITIES_DATA_DIR, data)
    with (data / "old_spellings.csv").open("a", encoding="utf-8") as handle:
        handle.write("Daegu,KR,Taiku,Hepburn,\n")

    with pytest.raises(CommandError) as error:
        call_command("load_demo", cities_data=data, stdout=io.StringIO())

    assert str(error.value) == (
        "Nothing was loaded. old_spellings.csv, line 8: the old spelling 'Taiku' needs a source"
    )
    assert City.objects.count() == 0


# --- ensure_admin ------------------------------------------------------------------------------


def _group_names(user) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


@pytest.mark.django_db
def test_ensure_admin_creates_the_superuser_once_in_the_reviewer_and_curator_groups(capsys):
    call_command("ensure_admin", email="admin@example.org")
    first = capsys.readouterr().out
    call_command("ensure_admin")
    second = capsys.readouterr().out

    admin = get_user_model().objects.get()
    password = first.split("password: ")[1].split()[0]
    assert (admin.username, admin.email, admin.is_superuser) == (
        "admin",
        "admin@example.org",
        True,
    )
    assert admin.check_password(password)
    assert _group_names(admin) == ["Curator", "Reviewer"]
    assert first.splitlines()[2:] == ["Put 'admin' in the Curator and Reviewer groups."]
    assert second == "A superuser exists already; its password was printed when it was made.\n"
    assert [user.email for user in reviewers_to_notify()] == ["admin@example.org"]


@pytest.mark.django_db
def test_ensure_admin_puts_an_existing_admin_in_the_groups_and_sets_its_address(capsys):
    admin = get_user_model().objects.create_superuser(username="admin", email="", password="x")
    admin.groups.add(Group.objects.get(name="Curator"))

    call_command("ensure_admin", email="desk@example.org")

    admin.refresh_from_db()
    assert _group_names(admin) == ["Curator", "Reviewer"]
    assert admin.email == "desk@example.org"
    assert capsys.readouterr().out.splitlines() == [
        "A superuser exists already; its password was printed when it was made.",
        "Set the e-mail address of 'admin' to desk@example.org.",
        "Put 'admin' in the Reviewer group.",
    ]


@pytest.mark.django_db
def test_ensure_admin_without_an_address_says_nobody_hears_of_proposals(capsys):
    call_command("ensure_admin")

    out = capsys.readouterr().out.splitlines()
    assert out[-1] == (
        "'admin' has no e-mail address, so nobody is told of new proposals: give it one "
        "(--email, or in the admin)."
    )
    assert list(reviewers_to_notify()) == []


@pytest.mark.django_db
def test_ensure_admin_keeps_an_address_already_given_and_leaves_other_superusers(capsys):
    other = get_user_model().objects.create_superuser(
        username="root", email="root@example.org", password="x"
    )

    call_command("ensure_admin", email="admin@example.org")

    other.refresh_from_db()
    assert get_user_model().objects.count() == 1
    assert (other.email, _group_names(other)) == ("root@example.org", [])
    assert capsys.readouterr().out == (
        "A superuser exists already; its password was printed when it was made.\n"
    )


@pytest.mark.django_db
def test_ensure_admin_refuses_a_malformed_address():
    with pytest.raises(CommandError, match="Not an e-mail address: admin@"):
        call_command("ensure_admin", email="admin@")

    assert get_user_model().objects.count() == 0
