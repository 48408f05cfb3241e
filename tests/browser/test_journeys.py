"""The journeys of issue #9, in a real browser (Chromium) against the live server."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cities.models import City
from events import services
from events.models import EventProposal, ExchangeEvent, ProposalState
from tests import imagefiles
from tests.factories import EventProposalFactory, PartnerMembershipFactory, ReviewerFactory

from .conftest import SCREENSHOT_DIR

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The text journey 1 types into the directory search: the Japanese spelling of Yangzhou.
DIRECTORY_SEARCH_QUERY = "揚州"
PASSWORD = "Canal-cities-2010!"
# The proposal journey 2 writes in Chinese: "Yangzhou canal cities youth forum".
CHINESE_TITLE = "扬州运河城市青年论坛"
CHINESE_SUMMARY = "运河城市的学生在扬州相聚。"


def future(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


# --- 1. Visitor: Japanese, search, Yangzhou, Nara 2010, the map ----------------------------------


def test_visitor_switches_to_japanese_searches_and_opens_yangzhou(page, site):
    page.goto(f"{site}/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator('.lang-switcher a[hreflang="ja"]').click()
    expect(page).to_have_url(re.compile(r"/ja/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    page.locator("#place-search").fill(DIRECTORY_SEARCH_QUERY)
    page.locator("#place-search").press("Enter")
    expect(page).to_have_url(re.compile(r"/ja/cities/\?q="))
    page.locator('main a[href="/ja/cities/yangzhou/"]').first.click()

    expect(page).to_have_url(re.compile(r"/ja/cities/yangzhou/$"))
    expect(page.locator("h1")).to_contain_text("揚州")
    nara_tie = page.locator(".card").filter(has=page.locator('a[href="/ja/ties/nara--yangzhou/"]'))
    expect(nara_tie).to_contain_text("奈良")
    expect(nara_tie.locator('time[datetime^="2010-"]').first).to_contain_text("2010")

    # The small map draws one circle per place of Yangzhou's network and one line per tie,
    # exactly as the GeoJSON endpoints it reads list them; Nara is among the places.
    map_element = page.locator(".net-place-map [data-network-map]")
    places = page.request.get(site + map_element.get_attribute("data-cities-url")).json()
    ties = page.request.get(site + map_element.get_attribute("data-ties-url")).json()
    place_slugs = [feature["properties"]["slug"] for feature in places["features"]]
    assert "nara" in place_slugs
    assert "yangzhou" in place_slugs
    shapes = map_element.locator("path.leaflet-interactive")
    expect(shapes).to_have_count(len(place_slugs) + len(ties["features"]))
    assert map_element.get_attribute("data-error") is None


# --- 2. Partner: register, verify by the mailed link, propose with an image -----------------------


def fill_proposal(page, *, language: str, title: str, summary: str) -> None:
    """Fill the proposal form completely, written in `language` (its title and summary in
    that language's fields): Yangzhou hosts, Nara takes part (found by typing their names:
    the suggestions come from the open API)."""
    suffix = language.replace("-", "_")
    page.locator("#id_language").select_option(language)
    page.locator(f"#id_title_{suffix}").fill(title)
    page.locator(f"#id_summary_{suffix}").fill(summary)
    page.locator("#id_description").fill("Three days of talks, boat visits and a joint concert.")
    page.locator("#id_category").select_option("education_youth")
    page.locator("#id_format").select_option("in_person")
    page.locator("#id_starts_on").fill(future(40))
    page.locator("#id_ends_on").fill(future(42))
    host = page.locator("#id_host")
    host.press_sequentially("扬州", delay=30)
    suggestion = page.locator('#place-suggestions option[value$="(yangzhou)"]')
    suggestion.wait_for(state="attached")
    host.fill(suggestion.get_attribute("value"))
    adder = page.locator("#id_partner_place_search")
    adder.press_sequentially("Nara", delay=30)
    page.locator('#place-suggestions option[value$="(nara)"]').wait_for(state="attached")
    adder.fill(page.locator('#place-suggestions option[value$="(nara)"]').get_attribute("value"))
    adder.dispatch_event("change")
    assert page.locator("#id_partner_places").input_value().endswith("(nara)")
    # The ties between the places are offered at once (Yangzhou–Nara, 2010); none ticked.
    expect(page.locator('#ties-served input[name="links"]')).to_have_count(1)
    page.locator("#id_venue").fill("Yangzhou China Grand Canal Museum")
    page.locator("#id_participants").fill("120")
    page.locator("#id_contact_name").fill("Li Wei")
    page.locator("#id_contact_email").fill("li.wei@example.org")
    page.locator("#id_privacy_consent").check()


def test_partner_proposes_in_chinese_with_an_image_and_the_accepted_event_keeps_both(
    chromium, page, site
):
    page.goto(f"{site}/en/partners/register/")
    page.locator("#id_username").fill("canal-office")
    page.locator("#id_email").fill("office@canal.example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_name_en").fill("Yangzhou Canal Friendship Office")
    page.locator("#id_kind").select_option(index=1)
    page.locator("#id_country").select_option("CN")
    page.locator("form.stacked-form").locator('button[type="submit"]').click()

    # Signing up logs nobody in (the answer is the same for an address that has an account).
    expect(page).to_have_url(re.compile(r"/en/partners/login/$"))
    user = get_user_model().objects.get(username="canal-office")
    assert user.partner_membership.email_verified_at is None

    # The verification mail went to the address typed; its link confirms it.
    [message] = [m for m in mail.outbox if "office@canal.example.org" in m.to]
    link = re.search(r"https?://\S+/partners/verify/\S+/", message.body).group(0)
    assert link.startswith(site)
    page.goto(link)
    expect(page.locator(".messages, [role=status], main").first).to_contain_text(
        "your e-mail address is confirmed"
    )
    user.partner_membership.refresh_from_db()
    assert user.partner_membership.email_verified_at is not None

    log_in(page, f"{site}/en/partners/login/", "canal-office")
    expect(page).to_have_url(re.compile(r"/en/partner/proposals/$"))
    page.goto(f"{site}/en/partner/proposals/new/")
    fill_proposal(page, language="zh-hans", title=CHINESE_TITLE, summary=CHINESE_SUMMARY)
    page.locator("#id_image_1").set_input_files(
        files=[
            {
                "name": "forum.jpg",
                "mimeType": "image/jpeg",
                "buffer": imagefiles.image_bytes("JPEG", size=(640, 480)),
            }
        ]
    )
    page.locator("#id_image_alt").fill("运河上的游船")
    page.locator("#id_image_credit").fill("扬州市")
    page.locator('button[name="submit"]').click()

    proposal = EventProposal.objects.get(title_zh_hans=CHINESE_TITLE)
    expect(page).to_have_url(re.compile(rf"/en/partner/proposals/{proposal.pk}/$"))
    assert proposal.state == ProposalState.SUBMITTED
    assert proposal.partner == user.partner_membership.partner
    assert (proposal.language, proposal.title_en, proposal.summary_zh_hans) == (
        "zh-hans",
        "",
        CHINESE_SUMMARY,
    )
    assert proposal.image_1.name != ""
    # The image is shown to its owner through the private file view, and it is a real image.
    image = page.locator(f'img[src*="/partner/proposals/{proposal.pk}/files/image_1/"]').first
    expect(image).to_be_visible()
    assert image.evaluate("element => element.naturalWidth") > 0

    page.goto(f"{site}/en/partner/proposals/")
    row = page.locator("table.data-table tbody tr").filter(has_text=CHINESE_TITLE)
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_text(re.compile(r"^\s*submitted\s*$", re.IGNORECASE))
    expect(row.locator("a")).to_have_attribute("href", f"/en/partner/proposals/{proposal.pk}/")

    # A reviewer accepts it at the review desk.
    ReviewerFactory(username="reviewer", password=PASSWORD)
    reviewer_context = chromium.new_context(viewport={"width": 1280, "height": 900})
    reviewer = reviewer_context.new_page()
    try:
        log_in(reviewer, site + reverse("admin:login"), "reviewer")
        expect(reviewer).to_have_url(site + reverse("admin:index"))
        reviewer.goto(site + reverse("admin:events_eventproposal_change", args=[proposal.pk]))
        decide(reviewer, button="Start review")
        decide(reviewer, button="Accept and publish the event")
    finally:
        reviewer_context.close()

    # The event: a romanised address (pinyin and the year), the Chinese text in the Chinese
    # fields (the English title is the romanised one, for the translators to replace), and
    # the first image on its public page.
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ACCEPTED
    event = ExchangeEvent.objects.get(proposal=proposal)
    year = proposal.starts_on.year
    assert event.slug == f"yang-zhou-yun-he-cheng-shi-qing-nian-lun-tan-{year}"
    assert (event.title_zh_hans, event.summary_zh_hans) == (CHINESE_TITLE, CHINESE_SUMMARY)
    assert (event.title_en, event.summary_en, event.title_ja, event.title_ko) == (
        "Yang Zhou Yun He Cheng Shi Qing Nian Lun Tan",
        "",
        "",
        "",
    )
    assert (event.image_alt, event.image_credit) == ("运河上的游船", "扬州市")

    page.goto(f"{site}/zh-hans/events/{event.slug}/")
    expect(page.locator("h1")).to_have_text(CHINESE_TITLE)
    expect(page.locator("main").last).to_contain_text(CHINESE_SUMMARY)
    public_image = page.locator(f'.event-image img[src="{event.image.url}"]')
    expect(public_image).to_be_visible()
    expect(public_image).to_have_attribute("alt", "运河上的游船")
    assert public_image.evaluate("element => element.naturalWidth") > 0
    # In English the Chinese summary is shown marked as the original, never silently.
    page.goto(f"{site}/en/events/{event.slug}/")
    expect(
        page.locator('main span[lang="zh-hans" i]').filter(has_text=CHINESE_SUMMARY)
    ).to_have_count(1)


# --- 3. Review: changes requested, edited, resubmitted, accepted, published ----------------------


def log_in(page, url: str, username: str) -> None:
    page.goto(url)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")


# The review desk's buttons, by the state each moves a proposal to.
DECISION_BUTTONS = {
    "Start review": ProposalState.UNDER_REVIEW,
    "Request changes": ProposalState.CHANGES_REQUESTED,
    "Accept and publish the event": ProposalState.ACCEPTED,
    "Reject": ProposalState.REJECTED,
}


def decide(page, *, button: str, message: str = "") -> None:
    if message:
        page.locator("#id_review_message").fill(message)
    page.locator("form.review-actions").get_by_role("button", name=button).click()
    expect(page.locator(".messagelist")).to_contain_text(
        str(services.TRANSITION_DONE[DECISION_BUTTONS[button]])
    )


def test_review_changes_requested_resubmitted_accepted_and_published(chromium, page, site):
    yangzhou, nara = City.objects.get(slug="yangzhou"), City.objects.get(slug="nara")
    membership = PartnerMembershipFactory(
        user__username="canal-office", user__password=PASSWORD, partner__name_en="Canal Office"
    )
    ReviewerFactory(username="reviewer", password=PASSWORD)
    proposal = EventProposalFactory(
        partner=membership.partner,
        title_en="Grand Canal lantern evening",
        host=yangzhou,
        partner_places=[nara],
        starts_on=timezone.localdate() + datetime.timedelta(days=50),
    )
    services.proposal_submit(proposal=proposal, actor=membership.user)

    reviewer_context = chromium.new_context(viewport={"width": 1280, "height": 900})
    reviewer = reviewer_context.new_page()
    try:
        log_in(reviewer, site + reverse("admin:login"), "reviewer")
        expect(reviewer).to_have_url(site + reverse("admin:index"))
        change_url = site + reverse("admin:events_eventproposal_change", args=[proposal.pk])
        reviewer.goto(change_url)
        decide(reviewer, button="Start review")
        decide(
            reviewer,
            button="Request changes",
            message="Please name the venue precisely: which hall of the museum?",
        )
        proposal.refresh_from_db()
        assert proposal.state == ProposalState.CHANGES_REQUESTED

        # The partner reads the message, edits the venue and submits again.
        log_in(page, f"{site}/en/partners/login/", "canal-office")
        page.goto(f"{site}/en/partner/proposals/{proposal.pk}/")
        expect(page.locator("main").last).to_contain_text("which hall of the museum?")
        page.goto(f"{site}/en/partner/proposals/{proposal.pk}/edit/")
        page.locator("#id_venue").fill("Yangzhou China Grand Canal Museum, East Hall")
        page.locator('button[name="submit"]').click()
        expect(page).to_have_url(re.compile(rf"/en/partner/proposals/{proposal.pk}/$"))
        proposal.refresh_from_db()
        assert proposal.state == ProposalState.SUBMITTED
        assert proposal.venue == "Yangzhou China Grand Canal Museum, East Hall"

        reviewer.goto(change_url)
        decide(reviewer, button="Start review")
        decide(reviewer, button="Accept and publish the event")
    finally:
        reviewer_context.close()

    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ACCEPTED
    event = ExchangeEvent.objects.get(proposal=proposal)
    assert event.is_published is True

    page.goto(f"{site}/en/events/?host=yangzhou&when=upcoming")
    link = page.locator(f'main a[href="/en/events/{event.slug}/"]').first
    expect(link).to_contain_text("Grand Canal lantern evening")
    link.click()
    expect(page.locator("h1")).to_contain_text("Grand Canal lantern evening")
    expect(page.locator("main").last).to_contain_text("East Hall")

    feed = page.request.get(f"{site}/en/events/feed.ics")
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    calendar = feed.text().replace("\r\n ", "")
    assert "SUMMARY:Grand Canal lantern evening" in calendar
    assert f"/en/events/{event.slug}/" in calendar
    assert f"DTSTART;VALUE=DATE:{event.starts_on:%Y%m%d}" in calendar


# --- 4. The directory filters with the keyboard alone --------------------------------------------


def tab_to(page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus (never clicking)."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} never received the focus by Tab")


def focus_is_visible(page) -> bool:
    """The focused element draws an outline or a box shadow (a visible focus ring)."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
            return outline || style.boxShadow !== "none";
        }"""
    )


def test_directory_filters_work_with_the_keyboard_alone(page, site):
    expected = sorted(
        City.objects.filter(country="JP", designations__isnull=False)
        .distinct()
        .values_list("slug", flat=True)
    )
    assert 1 < len(expected) <= 24  # one page of the directory

    page.goto(f"{site}/en/cities/")
    tab_to(page, "#id_country")
    assert focus_is_visible(page)
    page.keyboard.type("Japan")
    tab_to(page, "#id_designated")
    assert focus_is_visible(page)
    page.keyboard.type("yes")
    tab_to(page, ".filters button[type=submit]")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"country=JP"))
    assert "designated=true" in page.url
    expect(page.locator("#id_country")).to_have_value("JP")
    expect(page.locator("#id_designated")).to_have_value("true")
    cards = page.locator(".place-card .card__title a")
    expect(cards).to_have_count(len(expected))
    shown = sorted(
        href.split("/")[-2]
        for href in cards.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    )
    assert shown == expected

    # "Clear filters" is reachable and works from the keyboard too.
    tab_to(page, ".filters a.button--quiet")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}/en/cities/")
    expect(page.locator("#id_country")).to_have_value("")
    expect(page.locator(".place-card")).to_have_count(24)


# --- 5. Screenshots of the main pages in the four languages (kept by CI, not compared) -----------

SCREENSHOT_PAGES = {
    "home": "",
    "places": "cities/",
    "place-yangzhou": "cities/yangzhou/",
    "tie-nara-yangzhou": "ties/nara--yangzhou/",
    "events": "events/",
    "culture-cities": "culture-cities/",
    "network-map": "network/",
    "partner-register": "partners/register/",
}


@pytest.mark.parametrize("language", ["en", "zh-hans", "ja", "ko"])
def test_main_pages_screenshots(page, site, language):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for name, path in SCREENSHOT_PAGES.items():
        response = page.goto(f"{site}/{language}/{path}")
        assert response.status == 200, f"/{language}/{path} answered {response.status}"
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.wait_for_load_state("networkidle")
        target = SCREENSHOT_DIR / f"{language}-{name}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000, f"{target.name} looks empty"
