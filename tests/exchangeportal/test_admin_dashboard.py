"""The admin's index is the curators' dashboard: its counts match the data, each links to a list
filtered to exactly what it counted, and it warns when nobody is told of new proposals."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cities.models import ConflictField, TieConflict
from events.models import ProposalState
from tests import factories

S = ProposalState
pytestmark = pytest.mark.django_db
INDEX = reverse("admin:index")


@pytest.fixture
def superuser_client(client):
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True, email=""))
    return client


def dashboard(response) -> dict[str, dict[str, tuple[int, str]]]:
    """{section key: {label: (count, url)}} as the page shows it."""
    return {
        section.key: {str(item.label): (item.count, item.url) for item in section.items}
        for section in response.context["dashboard"]
    }


def _data(count=1):
    """`count` of each kind of record the dashboard counts, plus records it must not count."""
    for _n in range(count):
        factories.EventProposalFactory(state=S.SUBMITTED)
        factories.EventProposalFactory(state=S.UNDER_REVIEW)
        factories.FriendshipLinkFactory(established_on=None)  # no date, no source
        factories.CityFactory(latitude=None, longitude=None)
        sourced = factories.FriendshipLinkFactory()
        sourced.sources.add(factories.SourceFactory())
        TieConflict.objects.create(
            tie=sourced, field=ConflictField.KIND, current_value="sister", incoming_value="other"
        )
    factories.EventProposalFactory(state=S.DRAFT)
    factories.EventProposalFactory(state=S.ACCEPTED)


def test_admin_carries_the_portals_name_in_the_users_language(superuser_client):
    titles = {}
    for language in ["en", "zh-hans", "ja", "ko"]:
        response = superuser_client.get(INDEX, headers={"accept-language": language})
        html = response.content.decode()
        titles[language] = (
            re.search(r'<div id="site-name"><a href="/admin/">([^<]+)</a>', html).group(1),
            re.search(r"<title>([^<]+)</title>", html).group(1),
        )

    assert titles == {
        "en": (
            "CJK City Exchange Portal",
            "Dashboard | CJK City Exchange Portal — administration",
        ),
        "zh-hans": ("中日韩城市交流门户", "工作台 | 中日韩城市交流门户 — 管理"),
        "ja": ("日中韓都市交流ポータル", "ダッシュボード | 日中韓都市交流ポータル — 管理"),
        "ko": ("한중일 도시 교류 포털", "대시보드 | 한중일 도시 교류 포털 — 관리"),
    }


def test_dashboard_counts_what_waits_and_links_to_the_filtered_lists(superuser_client):
    _data(count=2)
    factories.EventProposalFactory(state=S.CHANGES_REQUESTED)

    shown = dashboard(superuser_client.get(INDEX))

    changelist = "/admin/events/eventproposal/?state__exact="
    assert shown["proposals"] == {
        "Submitted, waiting for a reviewer": (2, f"{changelist}submitted"),
        "Under review, waiting for a decision": (2, f"{changelist}under_review"),
        "Changes requested, waiting for the partner": (1, f"{changelist}changes_requested"),
    }
    assert shown["data"] == {
        "Ties without a date": (2, "/admin/cities/friendshiplink/?date=unknown"),
        "Ties without a source": (2, "/admin/cities/friendshiplink/?sourced=no"),
        "Places without coordinates": (2, "/admin/cities/city/?coordinates=missing"),
        "Open conflicts from imports": (2, "/admin/cities/tieconflict/?status__exact=open"),
    }
    assert list(shown) == ["proposals", "translations", "data"]


def test_each_dashboard_link_opens_a_list_of_exactly_the_records_counted(superuser_client):
    _data(count=2)
    shown = dashboard(superuser_client.get(INDEX))

    listed = {}
    for section in ("proposals", "data"):
        for label, (count, url) in shown[section].items():
            response = superuser_client.get(url)
            listed[label] = (response.context["cl"].result_count, count)

    assert all(found == counted for found, counted in listed.values()), listed
    assert listed["Ties without a date"] == (2, 2)


def test_dashboard_counts_missing_translations_per_language_like_the_desk(superuser_client):
    factories.ExchangeEventFactory(title_zh_hans="", title_ja="日本語", title_ko="")
    factories.CultureCityDesignationFactory(theme_en="Harmony", theme_zh_hans="", theme_ko="")

    response = superuser_client.get(INDEX)
    desk = {
        code: superuser_client.get(reverse("admin:translation_desk", args=[code])).context["total"]
        for code in ["zh-hans", "ja", "ko"]
    }

    shown = dashboard(response)["translations"]
    assert {label: count for label, (count, _url) in shown.items()} == {
        "Chinese": desk["zh-hans"],
        "Japanese": desk["ja"],
        "Korean": desk["ko"],
    }
    assert {label: url for label, (_count, url) in shown.items()} == {
        "Chinese": "/admin/translations/zh-hans/",
        "Japanese": "/admin/translations/ja/",
        "Korean": "/admin/translations/ko/",
    }
    assert desk["ko"] >= 2


def test_dashboard_warns_when_no_active_reviewer_has_an_address(superuser_client):
    factories.ReviewerFactory(email="")
    factories.ReviewerFactory(email="gone@example.org", is_active=False)

    response = superuser_client.get(INDEX)

    proposals = response.context["dashboard"][0]
    assert [str(text) for text, _link in proposals.warnings] == [
        "No active reviewer has an e-mail address, so nobody is told of new proposals. Put a "
        "staff user with an e-mail address in the Reviewer group."
    ]
    assert proposals.warnings[0][1] == "/admin/auth/user/"
    assert 'role="alert"' in response.content.decode()


def test_dashboard_has_no_warning_once_a_reviewer_hears_of_proposals(superuser_client):
    factories.ReviewerFactory(email="desk@example.org")

    response = superuser_client.get(INDEX)

    assert response.context["dashboard"][0].warnings == []
    assert 'role="alert"' not in response.content.decode()


def test_dashboard_shows_a_reviewer_only_what_the_reviewer_may_see(client):
    reviewer = factories.ReviewerFactory()
    client.force_login(reviewer)
    _data()

    shown = dashboard(client.get(INDEX))

    # A reviewer may view proposals, events, places and ties (the city offices' suggestions
    # are about them), so their missing translations and gaps; not the import's conflicts.
    assert list(shown) == ["proposals", "translations", "data"]
    assert list(shown["data"]) == [
        "Ties without a date",
        "Ties without a source",
        "Places without coordinates",
    ]


def test_dashboard_shows_a_translator_the_missing_translations_and_no_proposals(client):
    client.force_login(factories.TranslatorFactory())

    shown = dashboard(client.get(INDEX))

    assert "translations" in shown
    assert "proposals" not in shown


def test_dashboard_runs_the_same_queries_whatever_the_data(superuser_client):
    _data(count=1)
    superuser_client.get(INDEX)  # warm the content-type and permission caches
    with CaptureQueriesContext(connection) as one:
        superuser_client.get(INDEX)
    _data(count=3)

    with CaptureQueriesContext(connection) as four:
        response = superuser_client.get(INDEX)

    assert response.status_code == 200
    assert len(four) == len(one)
    assert len(four) <= 25
