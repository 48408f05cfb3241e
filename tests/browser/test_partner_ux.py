"""Issue 19, partners: the programme page, "ties served" offered before any draft is saved
(with and without JavaScript), and screenshots of both pages in the four languages."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cities.models import City, FriendshipLink
from events.models import EventProposal, ProposalState
from tests.factories import PartnerMembershipFactory

from .conftest import SCREENSHOT_DIR

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Canal-cities-2010!"
LANGUAGES = ["en", "zh-hans", "ja", "ko"]


def future(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


@pytest.fixture
def partner_user(site):
    membership = PartnerMembershipFactory(
        user__username="go-office",
        user__password=PASSWORD,
        partner__name_en="Yangzhou Go Association",
        partner__country="CN",
        email_verified_at=timezone.now(),
    )
    return membership.user


def log_in(page, site: str, language: str = "en") -> None:
    page.goto(f"{site}/{language}/partners/login/")
    page.locator("#id_username").fill("go-office")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(re.compile(rf"/{language}/partner/proposals/$"))


def pick_place(page, field, typed: str, slug: str) -> None:
    """Type a name into a place field and take the suggestion for `slug`, as a person does."""
    field.press_sequentially(typed, delay=30)
    suggestion = page.locator(f'#place-suggestions option[value$="({slug})"]')
    suggestion.wait_for(state="attached")
    field.fill(suggestion.get_attribute("value"))
    field.dispatch_event("change")


def fill_everything_but_places(page, title: str) -> None:
    page.locator("#id_language").select_option("en")
    page.locator("#id_title_en").fill(title)
    page.locator("#id_summary_en").fill("Young Go players of three sister cities meet.")
    page.locator("#id_description").fill("A week of matches, lessons and home stays.")
    page.locator("#id_category").select_option("sports")
    page.locator("#id_format").select_option("in_person")
    page.locator("#id_starts_on").fill(future(45))
    page.locator("#id_ends_on").fill(future(47))
    page.locator("#id_venue").fill("Yangzhou Go Hall")
    page.locator("#id_participants").fill("60")
    page.locator("#id_budget_amount").fill("80000")
    page.locator("#id_contact_name").fill("Wang Fang")
    page.locator("#id_contact_email").fill("wang.fang@example.org")
    page.locator("#id_privacy_consent").check()


def test_partner_submits_without_saving_first_and_still_chooses_ties(page, site, partner_user):
    """With JavaScript: the ties appear as the places are picked, one is ticked, the first
    click on "Submit for review" submits (no draft was saved before)."""
    yangzhou_karatsu = FriendshipLink.objects.get(city_a__slug="yangzhou", city_b__slug="karatsu")
    log_in(page, site)
    page.goto(f"{site}/en/partner/proposals/new/")
    ties = page.locator('#ties-served input[name="links"]')
    expect(ties).to_have_count(0)
    expect(page.locator("#ties-served")).to_contain_text("once the host and at least one")

    fill_everything_but_places(page, "Trilateral youth Go exchange")
    # The currency is a select named in the reader's language, the partner's own preselected.
    expect(page.locator("#id_budget_currency")).to_have_value("CNY")
    host = page.locator("#id_host")
    host.fill("")
    pick_place(page, host, "Yangzhou", "yangzhou")
    adder = page.locator("#id_partner_place_search")
    pick_place(page, adder, "Karatsu", "karatsu")
    pick_place(page, adder, "Yeosu", "yeosu")

    # Yangzhou–Karatsu, Yangzhou–Yeosu and Karatsu–Yeosu: the triad of the Go tournament.
    expect(ties).to_have_count(3)
    labels = page.locator("#ties-served label")
    expect(labels).to_have_text(["Karatsu — Yeosu", "Yangzhou — Karatsu", "Yangzhou — Yeosu"])
    page.get_by_label("Yangzhou — Karatsu").check()
    assert EventProposal.objects.count() == 0  # nothing saved yet
    page.locator('button[name="submit"]').click()

    proposal = EventProposal.objects.get(title_en="Trilateral youth Go exchange")
    expect(page).to_have_url(re.compile(rf"/en/partner/proposals/{proposal.pk}/$"))
    assert proposal.state == ProposalState.SUBMITTED
    assert list(proposal.links.all()) == [yangzhou_karatsu]
    assert sorted(proposal.partner_places.values_list("slug", flat=True)) == ["karatsu", "yeosu"]
    assert (proposal.budget_amount, proposal.budget_currency) == (80000, "CNY")


def test_without_javascript_the_submission_waits_for_the_ties_choice(chromium, site, partner_user):
    """No JavaScript: places typed by name, "Submit" at once; the page comes back with
    everything typed and the ties offered; tick one, submit again."""
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    try:
        log_in(page, site)
        page.goto(f"{site}/en/partner/proposals/new/")
        fill_everything_but_places(page, "Canal lantern evening")
        page.locator("#id_host").fill("Yangzhou")
        page.locator("#id_partner_places").fill("Nara")
        page.locator('button[name="submit"]').click()

        assert EventProposal.objects.count() == 0
        expect(page.locator("#ties-served")).to_contain_text(
            "The places you named have ties between them"
        )
        expect(page.locator("#id_title_en")).to_have_value("Canal lantern evening")
        expect(page.locator("#id_partner_places")).to_have_value("Nara")
        page.get_by_label("Yangzhou — Nara").check()
        page.locator('button[name="submit"]').click()

        proposal = EventProposal.objects.get(title_en="Canal lantern evening")
        expect(page).to_have_url(re.compile(rf"/en/partner/proposals/{proposal.pk}/$"))
        assert proposal.state == ProposalState.SUBMITTED
        assert [str(tie) for tie in proposal.links.all()] == [
            str(FriendshipLink.objects.get(city_a__slug="yangzhou", city_b__slug="nara"))
        ]
    finally:
        context.close()


def test_a_submit_pressed_before_the_ties_arrive_waits_for_them(page, site, partner_user):
    """Places typed (not picked) and "Submit" pressed at once: the script asks for the ties
    first, shows them, and sends nothing until the partner chooses."""
    log_in(page, site)
    page.goto(f"{site}/en/partner/proposals/new/")
    fill_everything_but_places(page, "Go week in Gyeongju")
    page.locator("#id_host").fill("Gyeongju")
    page.locator("#id_partner_places").fill("Nara")
    page.locator('button[name="submit"]').click()

    expect(page.locator("#ties-served label")).to_have_text(["Nara — Gyeongju"])
    expect(page.locator("#ties-served [role=alert]")).to_contain_text("tick the ones")
    assert EventProposal.objects.count() == 0
    page.locator('button[name="submit"]').click()  # none ticked: submitted as it is

    proposal = EventProposal.objects.get(title_en="Go week in Gyeongju")
    expect(page).to_have_url(re.compile(rf"/en/partner/proposals/{proposal.pk}/$"))
    assert (proposal.state, proposal.links.count()) == (ProposalState.SUBMITTED, 0)


@pytest.mark.parametrize("language", LANGUAGES)
def test_programme_and_proposal_form_screenshots(page, site, partner_user, language):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.goto(f"{site}/{language}/")
    page.locator(f'.main-nav__wide a[href="/{language}/partners/"]').click()
    expect(page).to_have_url(f"{site}/{language}/partners/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".programme-examples .card").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    target = SCREENSHOT_DIR / f"{language}-partner-programme.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000, f"{target.name} looks empty"

    log_in(page, site, language)
    page.goto(f"{site}/{language}/partner/proposals/new/")
    host = page.locator("#id_host")
    host.fill("")
    pick_place(page, host, "Yangzhou", "yangzhou")
    pick_place(page, page.locator("#id_partner_place_search"), "Nara", "nara")
    expect(page.locator('#ties-served input[name="links"]')).to_have_count(1)
    expect(page.locator("#id_budget_currency option[value=KRW]")).to_have_text(
        re.compile(r"^KRW — \S")
    )
    page.wait_for_load_state("networkidle")
    target = SCREENSHOT_DIR / f"{language}-partner-proposal-form.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000, f"{target.name} looks empty"
    assert City.objects.filter(slug__in=["yangzhou", "nara"]).count() == 2
