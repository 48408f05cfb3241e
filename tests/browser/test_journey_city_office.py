"""The city office journey of issue #19, in a real browser (Chromium) against the live server:
an office a curator verified proposes a new tie with its signed agreement as a PDF, a reviewer
accepts it at the review desk, and the tie's public page shows it with that document as its
source and a history line. Screenshots in the four languages go to artifacts/screenshots/."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cities.models import City, FriendshipLink
from events import services_suggestions
from events.models import ProposalState, Suggestion, SuggestionOutcome
from tests import pdffiles
from tests.factories import CuratorFactory, PartnerMembershipFactory, ReviewerFactory

from .conftest import SCREENSHOT_DIR

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Canal-cities-2010!"
BROWSER_LOCALES = {"en": "en-GB", "zh-hans": "zh-CN", "ja": "ja-JP", "ko": "ko-KR"}


def log_in(page, url: str, username: str) -> None:
    page.goto(url)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")


def shot(page, language: str, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOT_DIR / f"{language}-{name}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000, f"{target.name} looks empty"


@pytest.mark.parametrize("language", ["en", "zh-hans", "ja", "ko"])
def test_city_office_proposes_a_tie_with_its_pdf_reviewer_accepts_tie_shows_the_source(
    chromium, page, site, language, tmp_path
):
    yangzhou = City.objects.get(slug="yangzhou")
    # A Korean place Yangzhou has no recorded tie with, so the suggestion is a new tie.
    partner_place = (
        City.objects.filter(country="KR", admin_level="municipality")
        .exclude(ties_as_a__city_b=yangzhou)
        .exclude(ties_as_b__city_a=yangzhou)
        .order_by("-population")
        .first()
    )
    membership = PartnerMembershipFactory(
        user__username="yangzhou-office",
        user__password=PASSWORD,
        language=language,
        partner__name_en="Yangzhou Foreign Affairs Office",
        partner__place=yangzhou,
    )
    services_suggestions.partner_office_verify(partner=membership.partner, actor=CuratorFactory())
    ReviewerFactory(username="reviewer", password=PASSWORD)
    pdf = tmp_path / "agreement.pdf"
    pdf.write_bytes(pdffiles.harmless())

    # The office: its page offers the forms; it fills the new-tie form and attaches the PDF.
    log_in(page, f"{site}/{language}/partners/login/", "yangzhou-office")
    page.goto(f"{site}/{language}/partner/suggestions/")
    page.locator(f'a[href="/{language}/partner/suggestions/new/new_tie/"]').click()
    expect(page).to_have_url(re.compile(rf"/{language}/partner/suggestions/new/new_tie/$"))
    page.locator("#id_partner_place").fill(partner_place.name_en)
    page.locator("#id_tie_kind").select_option("friendship")
    page.locator("#id_date").fill("2024-05-10")
    page.locator("#id_date_basis").select_option("signed")
    page.locator("#id_label_own").fill("友好城市")
    page.locator("#id_label_partner").fill("우호도시")
    page.locator("#id_document").set_input_files(str(pdf))
    shot(page, language, "office-new-tie-form")
    page.locator('button[name="submit"]').click()

    expect(page).to_have_url(re.compile(rf"/{language}/partner/suggestions/\d+/$"))
    suggestion = Suggestion.objects.get()
    assert (suggestion.state, suggestion.partner_place, suggestion.document_name) == (
        ProposalState.SUBMITTED,
        partner_place,
        "agreement.pdf",
    )
    expect(page.locator(".badge")).to_have_class(re.compile("state-submitted"))
    shot(page, language, "office-suggestion-sent")

    # The reviewer, in the same language, starts the review and accepts.
    reviewer_context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale=BROWSER_LOCALES[language]
    )
    reviewer = reviewer_context.new_page()
    try:
        log_in(reviewer, site + reverse("admin:login"), "reviewer")
        reviewer.goto(site + reverse("admin:events_suggestion_change", args=[suggestion.pk]))
        reviewer.locator('form.review-actions button[value="under_review"]').click()
        expect(reviewer.locator(".messagelist .success")).to_have_count(1)
        shot(reviewer, language, "office-review-desk")
        reviewer.locator('form.review-actions button[value="accepted"]').click()
        expect(reviewer.locator(".messagelist .success")).to_have_count(1)
    finally:
        reviewer_context.close()

    suggestion.refresh_from_db()
    tie = FriendshipLink.objects.get(city_a=yangzhou, city_b=partner_place)
    assert (suggestion.state, suggestion.outcome, suggestion.tie) == (
        ProposalState.ACCEPTED,
        SuggestionOutcome.APPLIED,
        tie,
    )
    source = tie.sources.get()
    assert source.document.name.startswith("sources/")

    # The public tie page: the tie, its source (the published PDF) and its history.
    page.goto(f"{site}/{language}/partner/suggestions/{suggestion.pk}/")
    page.locator(f'a[href="{tie.get_absolute_url().replace("/en/", f"/{language}/")}"]').click()
    expect(page.locator("h1")).to_have_count(1)
    sources = page.locator("#sources-heading + ul.sources")
    expect(sources.locator(f'a[href="{source.document.url}"]')).to_contain_text(
        "PDF supplied by Yangzhou Foreign Affairs Office"
    )
    history = page.locator("#history ol.history > li")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("Yangzhou Foreign Affairs Office")
    expect(page.locator("main").last).to_contain_text("우호도시")
    with source.document.open() as published:
        assert published.read() == pdffiles.harmless()
    shot(page, language, "office-tie-with-source")
