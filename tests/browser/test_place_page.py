"""The public journeys of issue #19 in a real browser: a place page you can scan (its
contents, anchors and one timeline), the menu as a disclosure on a 390 px phone, the map's
lines on a phone; screenshots of each in the four languages."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOT_DIR

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ["en", "zh-hans", "ja", "ko"]
PHONE = {"width": 390, "height": 844}
# What the main navigation links to, in order (the same in the row and in the disclosure).
NAV_PATHS = [
    "",
    "cities/",
    "culture-cities/",
    "events/",
    "network/",
    "statistics/",
    "partners/",
    "search/",
]


@pytest.fixture
def phone(chromium, site):
    """A page in a 390 × 844 viewport (an ordinary phone), failing on any JavaScript error."""
    context = chromium.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="en-GB"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def timeline_dates(page) -> list[str]:
    return page.locator("#timeline .place-timeline__entry > time").evaluate_all(
        "times => times.map(time => time.getAttribute('datetime'))"
    )


def as_sortable(iso: str) -> tuple:
    """ "1995" → (1995, 0, 0), "2002-11" → (2002, 11, 0): a vaguer date first."""
    parts = [int(part) for part in iso.split("-")]
    return tuple(parts + [0] * (3 - len(parts)))


# --- 1. The place page: contents, anchors, one chronological timeline --------------------------


def test_place_page_contents_lead_to_each_section_and_the_timeline_is_chronological(page, site):
    page.goto(f"{site}/en/cities/yangzhou/")

    # The header: every script, the key numbers, a locator map drawn from its data- attributes.
    header = page.locator(".place-header")
    for name in ("Yangzhou", "扬州", "揚州", "양저우"):
        expect(header.locator(".names")).to_contain_text(name)
    expect(page.locator(".key-numbers a[href='#ties'] .key-numbers__value").first).to_have_text(
        re.compile(r"^\d+$")
    )
    expect(page.locator("[data-locator-map][data-ready='true'].leaflet-container")).to_have_count(1)

    # Every entry of the contents leads to a section of the page, and following it scrolls there.
    anchors = page.locator("nav.toc a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    assert anchors[:3] == ["#timeline", "#ties", "#anniversaries"]
    assert "#events" in anchors and "#facts" in anchors
    for anchor in anchors:
        expect(page.locator(f"section{anchor}")).to_have_count(1)
    for anchor in ("#events", "#ties", "#timeline"):
        page.locator(f"nav.toc a[href='{anchor}']").click()
        expect(page).to_have_url(re.compile(re.escape(anchor) + "$"))
        expect(page.locator(f"{anchor} h2").first).to_be_in_viewport()

    # One timeline of ties, milestones, Culture City years and events, oldest first.
    dates = timeline_dates(page)
    assert len(dates) > 20
    assert [as_sortable(date) for date in dates] == sorted(as_sortable(date) for date in dates)
    kinds = set(
        page.locator("#timeline .place-timeline__entry").evaluate_all(
            "entries => entries.map(entry => entry.className.split('--')[1])"
        )
    )
    assert kinds == {"tie", "milestone", "designation", "event"}
    nara = page.locator("#timeline .place-timeline__entry--tie").filter(
        has=page.locator('a[href="/en/ties/nara--yangzhou/"]')
    )
    expect(nara.locator("time")).to_have_attribute("datetime", "2010-05-23")
    expect(
        page.locator("#timeline .place-timeline__entry--designation").filter(
            has=page.locator('a[href="/en/culture-cities/2020/"]')
        )
    ).to_have_count(1)

    # The anniversaries link goes to this place's anniversaries, five years ahead.
    page.locator("#anniversaries a[href*='place=yangzhou']").click()
    expect(page).to_have_url(re.compile(r"/en/network/anniversaries/\?place=yangzhou&years=5$"))
    year = datetime.date.today().year
    expect(page.locator("h1")).to_have_text(
        f"Anniversaries of Yangzhou's ties, {year} to {year + 4}"
    )
    expect(page.locator(".net-anniversaries tbody tr").first).to_be_visible()


# --- 2. The menu on a phone: one row, a disclosure ---------------------------------------------


def test_menu_is_a_disclosure_on_a_phone_and_a_row_on_a_desktop(phone, page, site):
    phone.goto(f"{site}/en/culture-cities/")

    toggle = phone.locator(".main-nav__toggle")
    expect(toggle).to_be_visible()
    expect(phone.locator(".main-nav__wide")).to_be_hidden()
    menu_links = phone.locator(".main-nav__menu .main-nav__list a")
    expect(menu_links.first).to_be_hidden()
    closed = phone.locator(".main-nav").bounding_box()
    assert closed["height"] < 60, f"the closed menu takes {closed['height']} px"

    toggle.click()
    expect(phone.locator(".main-nav__menu")).to_have_attribute("open", "")
    expect(menu_links).to_have_count(len(NAV_PATHS))
    hrefs = menu_links.evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert hrefs == [f"/en/{path}" for path in NAV_PATHS]
    boxes = [menu_links.nth(index).bounding_box() for index in range(len(NAV_PATHS))]
    assert [box["y"] for box in boxes] == sorted(box["y"] for box in boxes)  # one per line
    assert len({round(box["x"]) for box in boxes} - {round(boxes[0]["x"])}) <= 1
    expect(phone.locator('.main-nav__menu a[aria-current="page"]')).to_have_text("Culture Cities")

    phone.locator(".main-nav__menu a[href='/en/cities/']").click()
    expect(phone).to_have_url(f"{site}/en/cities/")
    expect(phone.locator(".main-nav__menu")).not_to_have_attribute("open", "")

    # On a desktop the same links stand in a row and there is no toggle.
    page.goto(f"{site}/en/culture-cities/")
    expect(page.locator(".main-nav__toggle")).to_be_hidden()
    row = page.locator(".main-nav__wide .main-nav__list a")
    expect(row).to_have_count(len(NAV_PATHS))
    tops = {round(row.nth(index).bounding_box()["y"]) for index in range(len(NAV_PATHS))}
    assert len(tops) == 1


# --- 3. The map on a phone: faint lines, a place's own lines on a tap --------------------------


def test_map_on_a_phone_draws_faint_lines_until_a_place_is_chosen(phone, site):
    phone.goto(f"{site}/en/network/")
    map_element = phone.locator("#network-map")
    expect(map_element).to_have_attribute("data-lines", "faint")
    expect(phone.locator(".net-map-hint")).to_be_visible()

    circle = map_element.locator("path.leaflet-interactive").last  # places are drawn last
    circle.click(force=True)
    expect(map_element).to_have_attribute("data-lines", "selected")
    expect(map_element.locator(".leaflet-popup")).to_have_count(1)
    map_element.locator(".leaflet-popup-close-button").click()
    expect(map_element).to_have_attribute("data-lines", "faint")
    assert map_element.get_attribute("data-error") is None


# --- 4. Screenshots in the four languages (kept by CI, not compared) ---------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_place_page_and_mobile_menu_screenshots(page, phone, site, language):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    shots = []

    page.goto(f"{site}/{language}/cities/yangzhou/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.wait_for_load_state("networkidle")
    shots.append(SCREENSHOT_DIR / f"{language}-place-page.png")
    page.screenshot(path=str(shots[-1]), full_page=True)

    page.locator("nav.toc a[href='#timeline']").click()
    shots.append(SCREENSHOT_DIR / f"{language}-place-page-timeline.png")
    page.screenshot(path=str(shots[-1]))

    page.goto(f"{site}/{language}/network/anniversaries/?place=yangzhou&years=5")
    shots.append(SCREENSHOT_DIR / f"{language}-anniversaries-yangzhou.png")
    page.screenshot(path=str(shots[-1]), full_page=True)

    phone.goto(f"{site}/{language}/cities/yangzhou/")
    expect(phone.locator("html")).to_have_attribute("lang", language)
    phone.wait_for_load_state("networkidle")
    shots.append(SCREENSHOT_DIR / f"{language}-place-page-390.png")
    phone.screenshot(path=str(shots[-1]))

    phone.locator(".main-nav__toggle").click()
    expect(phone.locator(".main-nav__menu .main-nav__list a").first).to_be_visible()
    shots.append(SCREENSHOT_DIR / f"{language}-mobile-menu-390.png")
    phone.screenshot(path=str(shots[-1]))

    phone.goto(f"{site}/{language}/network/")
    expect(phone.locator("#network-map")).to_have_attribute("data-lines", "faint")
    shots.append(SCREENSHOT_DIR / f"{language}-network-map-390.png")
    phone.screenshot(path=str(shots[-1]))

    for shot in shots:
        assert shot.stat().st_size > 10_000, f"{shot.name} looks empty"
