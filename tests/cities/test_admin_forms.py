"""Optimistic locking of tie edits in the admin: a stale save is refused, nothing is lost."""

import re

import pytest
from django.urls import reverse

from exchangeportal.infra.optimistic import LOADED_VERSION_FIELD
from tests import factories

pytestmark = pytest.mark.django_db

CONFLICT = "This tie was changed by someone else since you opened it — reload to see their changes."


@pytest.fixture
def curator_client(client):
    client.force_login(factories.CuratorFactory())
    return client


def change_url(tie) -> str:
    return reverse("admin:cities_friendshiplink_change", args=[tie.pk])


def loaded_version(response) -> str:
    match = re.search(
        rf'<input type="hidden" name="{LOADED_VERSION_FIELD}" value="([^"]*)"',
        response.content.decode(),
    )
    assert match, "the change form carries the version it was opened at"
    return match.group(1)


def tie_data(tie, version: str, **overrides) -> dict:
    data = {
        "city_a": tie.city_a.pk,
        "city_b": tie.city_b.pk,
        "label_a": tie.label_a,
        "label_b": tie.label_b,
        "kind": tie.kind,
        "established_on": tie.established_on.isoformat() if tie.established_on else "",
        "established_precision": tie.established_precision,
        "date_basis": tie.date_basis,
        "status": tie.status,
        "note": tie.note,
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        "history-TOTAL_FORMS": "0",
        "history-INITIAL_FORMS": "0",
        LOADED_VERSION_FIELD: version,
    }
    data.update(overrides)
    return data


def test_tie_edit_with_current_version_is_saved(curator_client):
    tie = factories.FriendshipLinkFactory(note="")
    version = loaded_version(curator_client.get(change_url(tie)))

    response = curator_client.post(change_url(tie), tie_data(tie, version, note="Checked."))

    assert response.status_code == 302
    tie.refresh_from_db()
    assert tie.note == "Checked."


def test_tie_edit_after_someone_else_saved_is_refused_and_keeps_the_input(curator_client):
    tie = factories.FriendshipLinkFactory(note="")
    first = loaded_version(curator_client.get(change_url(tie)))
    second = loaded_version(curator_client.get(change_url(tie)))
    assert first == second

    assert (
        curator_client.post(change_url(tie), tie_data(tie, first, note="First editor.")).status_code
        == 302
    )
    response = curator_client.post(change_url(tie), tie_data(tie, second, note="Second editor."))

    content = response.content.decode()
    assert response.status_code == 200
    assert CONFLICT in content
    assert "Second editor.</textarea>" in content
    tie.refresh_from_db()
    assert tie.note == "First editor."


def test_tie_edit_without_a_version_is_refused(curator_client):
    tie = factories.FriendshipLinkFactory(note="")

    response = curator_client.post(change_url(tie), tie_data(tie, "", note="No version."))

    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    tie.refresh_from_db()
    assert tie.note == ""


def test_tie_add_form_has_no_version_to_check(curator_client):
    response = curator_client.get(reverse("admin:cities_friendshiplink_add"))

    assert response.status_code == 200
    assert LOADED_VERSION_FIELD not in response.content.decode()
