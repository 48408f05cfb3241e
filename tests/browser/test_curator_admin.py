"""The curators' journey (issue 19), in a real browser: the admin under the portal's name, its
dashboard's counts against the data, each count opening a list of exactly those records, and
screenshots of the dashboard in the four languages."""

import re

import pytest
from django.db.models import Q
from django.urls import reverse
from playwright.sync_api import expect

from cities.models import City, ConflictStatus, FriendshipLink, TieConflict
from events.models import EventProposal, ProposalState
from tests.factories import EventProposalFactory, UserFactory

from .conftest import SCREENSHOT_DIR

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Grand-Canal-2014!"
S = ProposalState
# The portal's name in the admin's header, by the browser's language.
SITE_HEADERS = {
    "en": "CJK City Exchange Portal",
    "zh-hans": "中日韩城市交流门户",
    "ja": "日中韓都市交流ポータル",
    "ko": "한중일 도시 교류 포털",
}
# The browser's locale for each language (its Accept-Language).
BROWSER_LOCALES = {"en": "en-GB", "zh-hans": "zh-CN", "ja": "ja-JP", "ko": "ko-KR"}


def log_in(page, site: str, username: str) -> None:
    page.goto(site + reverse("admin:login"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(site + reverse("admin:index"))


def shown_counts(page, section: str) -> dict[str, int]:
    """{row label: count} of one dashboard section, as the browser shows it."""
    rows = page.locator(f"#dashboard-{section} tbody tr")
    counts = {}
    for index in range(rows.count()):
        row = rows.nth(index)
        counts[row.locator("th").inner_text().strip()] = int(
            row.locator("[data-dashboard-count]").inner_text()
        )
    return counts


def test_curator_reads_the_dashboard_and_opens_each_filtered_list(page, site):
    UserFactory(username="curator", password=PASSWORD, is_staff=True, is_superuser=True, email="")
    for state in (S.SUBMITTED, S.SUBMITTED, S.UNDER_REVIEW, S.DRAFT):
        EventProposalFactory(state=state, host=City.objects.get(slug="yangzhou"))

    log_in(page, site, "curator")

    expect(page.locator("#site-name")).to_have_text("CJK City Exchange Portal")
    expect(page).to_have_title(re.compile(r"^Dashboard \| CJK City Exchange Portal"))
    # Nobody is in the Reviewer group with an address: the dashboard says so.
    expect(page.locator("#dashboard-proposals [role=alert]")).to_contain_text(
        "nobody is told of new proposals"
    )
    assert shown_counts(page, "proposals") == {
        "Submitted, waiting for a reviewer": 2,
        "Under review, waiting for a decision": 1,
        "Changes requested, waiting for the partner": 0,
    }
    expected_data = {
        "Ties without a date": FriendshipLink.objects.filter(established_on=None).count(),
        "Ties without a source": FriendshipLink.objects.filter(sources=None).count(),
        "Places without coordinates": City.objects.filter(
            Q(latitude=None) | Q(longitude=None)
        ).count(),
        "Open conflicts from imports": TieConflict.objects.filter(
            status=ConflictStatus.OPEN
        ).count(),
    }
    assert shown_counts(page, "data") == expected_data
    # The demo data has work waiting in each of these (else the links below prove nothing).
    assert min(count for label, count in expected_data.items() if "source" not in label) > 0

    # Each count opens the change list filtered to exactly the records counted.
    expected = {**expected_data, "Submitted, waiting for a reviewer": 2}
    for label, count in expected.items():
        if not count:
            continue
        page.goto(site + reverse("admin:index"))
        row = page.locator("#portal-dashboard tbody tr").filter(has_text=label)
        row.locator("a[data-dashboard-count]").click()
        expect(page.locator("#changelist-filter")).to_be_visible()
        expect(page.locator("#result_list tbody tr")).to_have_count(min(count, 100))
        counter = page.locator("p.paginator")
        expect(counter).to_contain_text(re.compile(rf"\b{count}\b"))

    # The submitted proposals' list shows only those, by title.
    page.goto(site + reverse("admin:index"))
    page.locator("#dashboard-proposals tbody tr").first.locator("a").click()
    # The list is read once the browser shows it (the click only starts the navigation).
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    titles = page.locator("#result_list tbody th a").all_inner_texts()
    assert sorted(titles) == sorted(
        str(proposal) for proposal in EventProposal.objects.filter(state=S.SUBMITTED)
    )

    # Translations: each language opens its page of the translation desk with the same total.
    page.goto(site + reverse("admin:index"))
    translations = shown_counts(page, "translations")
    page.locator("#dashboard-translations tbody tr").filter(has_text="Korean").locator(
        "th a"
    ).click()
    expect(page).to_have_url(site + reverse("admin:translation_desk", args=["ko"]))
    expect(page.locator("#translation-desk tfoot td")).to_have_text(str(translations["Korean"]))


@pytest.mark.parametrize("language", ["en", "zh-hans", "ja", "ko"])
def test_dashboard_screenshots_in_four_languages(chromium, site, language):
    UserFactory(username="curator", password=PASSWORD, is_staff=True, is_superuser=True, email="")
    EventProposalFactory(state=S.SUBMITTED, host=City.objects.get(slug="yangzhou"))
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale=BROWSER_LOCALES[language]
    )
    page = context.new_page()
    try:
        log_in(page, site, "curator")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("#site-name")).to_have_text(SITE_HEADERS[language])
        expect(page.locator("#portal-dashboard section")).to_have_count(3)
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOT_DIR / f"{language}-admin-dashboard.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000, f"{target.name} looks empty"
    finally:
        context.close()
