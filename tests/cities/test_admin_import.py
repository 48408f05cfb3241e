import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cities.admin_import import SESSION_KEY, UPLOAD_DIR
from cities.imports import TIE_COLUMNS
from cities.models import City, Country, FriendshipLink, TieConflict
from tests.factories import CityFactory, FriendshipLinkFactory, SourceFactory, UserFactory

IMPORT_URL = "/admin/cities/friendshiplink/import/"
CHANGELIST_URL = "/admin/cities/friendshiplink/"


def curator():
    """A staff user in the Curator group (CuratorFactory warns with this factory_boy)."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Curator"))
    return user


def upload(rows: list[str], name: str = "ties.csv") -> SimpleUploadedFile:
    text = "\n".join([",".join(TIE_COLUMNS), *rows]) + "\n"
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def curator_client(db):
    client = Client()
    client.force_login(curator())
    return client


@pytest.fixture
def places(db):
    CityFactory(name_en="Nara", slug="nara", country=Country.JAPAN)
    CityFactory(name_en="Yangzhou", slug="yangzhou", country=Country.CHINA)


def test_tie_changelist_links_to_the_import_for_curators(curator_client):
    response = curator_client.get(CHANGELIST_URL)

    assert f'href="{IMPORT_URL}"' in response.content.decode()


def test_tie_import_is_refused_to_staff_without_add_and_change_permission(db):
    client = Client()
    client.force_login(UserFactory(is_staff=True))

    response = client.get(IMPORT_URL)

    assert (response.status_code, response.content.count(b"Import ties")) == (403, 0)


def test_tie_import_sends_anonymous_visitors_to_the_login(db):
    response = Client().get(IMPORT_URL)

    assert (response.status_code, response["Location"]) == (
        302,
        f"/admin/login/?next={IMPORT_URL}",
    )


def test_tie_import_preview_writes_nothing_and_keeps_the_file(curator_client, places):
    response = curator_client.post(
        IMPORT_URL,
        {"action": "upload", "file": upload(["Yangzhou,China,Nara,Japan,sister,2010-05-23,,"])},
    )

    page = response.content.decode()
    token = curator_client.session[SESSION_KEY]["token"]
    assert "ties.csv: 1 rows read" in page
    assert "Confirm the import" in page
    assert '<th scope="row">Ties</th><td>1</td><td>0</td><td>0</td>' in page
    assert FriendshipLink.objects.count() == 0
    assert (UPLOAD_DIR / f"{token}.csv").exists()


def test_tie_import_confirm_writes_the_previewed_file(curator_client, places):
    curator_client.post(
        IMPORT_URL,
        {"action": "upload", "file": upload(["Yangzhou,China,Nara,Japan,sister,2010-05-23,,"])},
    )
    token = curator_client.session[SESSION_KEY]["token"]

    response = curator_client.post(IMPORT_URL, {"action": "confirm"}, follow=True)

    assert response.redirect_chain == [(CHANGELIST_URL, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "ties.csv imported: 1 ties created, 0 updated, 0 unchanged, 0 lines with conflicts "
        "kept for a curator, 0 places created."
    ]
    assert list(FriendshipLink.objects.values_list("city_a__name_en", "city_b__name_en")) == [
        ("Yangzhou", "Nara")
    ]
    assert not (UPLOAD_DIR / f"{token}.csv").exists()
    assert SESSION_KEY not in curator_client.session


def test_tie_import_confirm_ignores_a_file_named_by_the_client(curator_client, places, db):
    other = Client()
    other.force_login(curator())
    other.post(
        IMPORT_URL,
        {"action": "upload", "file": upload(["Yangzhou,China,Nara,Japan,sister,1995,,"])},
    )
    token = other.session[SESSION_KEY]["token"]

    response = curator_client.post(IMPORT_URL, {"action": "confirm", "token": token}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Nothing to confirm: upload the file again."
    ]
    assert FriendshipLink.objects.count() == 0


def test_tie_import_lists_invalid_rows_and_offers_no_confirmation(curator_client, places):
    response = curator_client.post(
        IMPORT_URL,
        {
            "action": "upload",
            "file": upload(
                ["Yangzhou,China,Nara,Japan,twin,1995,,", "Nara,Japan,Nara,Japan,sister,,,"]
            ),
        },
    )

    page = response.content.decode()
    assert "2 rows are invalid. Nothing was written" in page
    assert "<tr><td>2</td><td>unknown kind &#x27;twin&#x27;" in page
    assert (
        "<tr><td>3</td><td>&#x27;Nara&#x27; and &#x27;Nara&#x27; are the same place</td></tr>"
        in page
    )
    assert "Confirm the import" not in page
    assert SESSION_KEY not in curator_client.session


def test_tie_import_refuses_a_file_that_is_not_csv(curator_client):
    response = curator_client.post(
        IMPORT_URL,
        {"action": "upload", "file": SimpleUploadedFile("ties.xlsx", b"PK\x03\x04")},
    )

    assert response.context["form"].errors == {"file": ["Upload a .csv file."]}


def test_tie_import_lists_the_places_it_will_create(curator_client, places):
    response = curator_client.post(
        IMPORT_URL,
        {
            "action": "upload",
            "file": upload(["Nagasaki Prefecture,Japan,Yangzhou,CN,friendship,1982,,"]),
        },
    )

    assert (
        "<li>Nagasaki Prefecture (JP, prefecture) — line 2 — "
        "from the gazetteer (GeoNames 1856156)</li>"
    ) in response.content.decode()
    assert City.objects.filter(name_en="Nagasaki Prefecture").count() == 0


def test_tie_import_cancel_deletes_the_kept_file(curator_client, places):
    curator_client.post(
        IMPORT_URL,
        {"action": "upload", "file": upload(["Yangzhou,China,Nara,Japan,sister,1995,,"])},
    )
    token = curator_client.session[SESSION_KEY]["token"]

    curator_client.post(IMPORT_URL, {"action": "cancel"})

    assert not (UPLOAD_DIR / f"{token}.csv").exists()
    assert FriendshipLink.objects.count() == 0


def test_tie_import_needs_the_csrf_token(db, places):
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator())

    response = client.post(IMPORT_URL, {"action": "confirm"})

    assert (response.status_code, FriendshipLink.objects.count()) == (403, 0)


def test_tie_import_preview_shows_conflicts_with_both_values_and_writes_nothing(
    curator_client, places
):
    tie = FriendshipLinkFactory(
        city_a=City.objects.get(slug="nara"), city_b=City.objects.get(slug="yangzhou")
    )
    tie.sources.add(SourceFactory(url="https://nara.example/ties"))

    response = curator_client.post(
        IMPORT_URL,
        {
            "action": "upload",
            "file": upload(["Yangzhou,CN,Nara,JP,friendship,1996,https://list.example/a,"]),
        },
    )

    html = response.content.decode()
    assert "Conflicts with curated ties (kept for a curator, not written)" in html
    assert (
        "<td>2</td><td>Nara — Yangzhou</td><td>date established</td>"
        "<td>1995<br><small>https://nara.example/ties</small></td>"
        "<td>1996<br><small>https://list.example/a</small></td>"
    ) in html
    tie.refresh_from_db()
    assert (tie.established_iso, TieConflict.objects.count()) == ("1995", 0)
