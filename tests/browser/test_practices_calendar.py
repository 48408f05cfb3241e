"""Issue 19, the public: the good-practice cases and the events month calendar, in a real
browser (Chromium) against the live server with the demo data; screenshots in four
languages for people to look at (artifacts/screenshots/, not compared)."""

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOT_DIR

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The demo month with a two-day event (the 21st China–Japan–Korea conference, 28–29 Oct 2019
# in Matsuyama) and a one-day one (the ASEAN Plus Three network launch, 25 Oct, Yangzhou).
CALENDAR_MONTH = "events/calendar/2019/10/"


def test_visitor_reads_the_go_tournament_case_in_japanese(page, site):
    page.goto(f"{site}/ja/good-practices/")
    expect(page.locator("h1")).to_have_text("好事例")
    expect(page.locator(".net-practice")).to_have_count(8)

    page.get_by_role("link", name="3都市が持ち回りで開く囲碁大会：揚州・唐津・麗水").click()

    expect(page).to_have_url(f"{site}/ja/good-practices/cjk-go-tournament/")
    expect(page.locator(".practice-since")).to_have_text("1999年から、現在も継続中")
    expect(page.locator(".practice-places a")).to_have_text(["唐津", "揚州", "麗水"])
    expect(page.locator("h1 .text-origin")).to_have_text("ポータルによる翻訳")
    sources = page.locator("#practice-sources + ul.sources li")
    expect(sources).to_have_count(3)
    expect(sources.filter(has_text="Trilateral Cooperation Secretariat").first).to_contain_text(
        "2026年12月2日"
    )
    page.get_by_role("link", name="日中韓友好姉妹都市囲碁交流大会").click()
    expect(page).to_have_url(f"{site}/ja/events/series/cjk-go-tournament/")


def test_calendar_works_without_javascript_and_shows_each_day_of_an_event(chromium, site):
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(f"{site}/en/events/")
        page.get_by_role("link", name="Month calendar").click()
        expect(page.locator("td[aria-current='date'] .cal-today")).to_have_text("today")

        page.goto(f"{site}/en/{CALENDAR_MONTH}")
        expect(page.locator(".cal-title")).to_have_text("October 2019")
        expect(page.locator(".calendar thead th")).to_have_text(
            ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        )
        conference = page.locator(
            ".cal-event", has_text="21st China-Japan-Korea Friendship City Exchange Conference"
        )
        expect(conference).to_have_count(2)
        expect(conference.nth(1)).to_contain_text("(continued)")
        page.get_by_role("link", name="November 2019").click()
        expect(page).to_have_url(f"{site}/en/events/calendar/2019/11/")
        page.get_by_role("link", name="October 2019").click()
        conference.first.get_by_role("link").click()
        expect(page.locator("h1")).to_contain_text("21st China-Japan-Korea")
    finally:
        context.close()


def test_calendar_is_a_list_of_days_on_a_phone(chromium, site):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
    page = context.new_page()
    try:
        page.goto(f"{site}/ko/{CALENDAR_MONTH}")

        expect(page.locator(".cal-title")).to_have_text("2019년 10월")
        # The headings stay for screen readers, clipped to a 1 px box.
        assert page.locator(".calendar thead").bounding_box()["width"] <= 1
        expect(page.locator("td.cal-day--events")).to_have_count(3)
        expect(page.locator("td.cal-day--events .cal-day__long")).to_have_text(
            ["2019년 10월 25일 · 금요일", "2019년 10월 28일 · 월요일", "2019년 10월 29일 · 화요일"]
        )
        expect(page.locator("td.cal-day--empty").first).to_be_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


SCREENSHOTS = {
    "good-practices": ("good-practices/", 1280),
    "good-practice-go": ("good-practices/cjk-go-tournament/", 1280),
    "events-calendar": (CALENDAR_MONTH, 1280),
    "events-calendar-390": (CALENDAR_MONTH, 390),
}


@pytest.mark.parametrize("language", ["en", "zh-hans", "ja", "ko"])
def test_practices_and_calendar_screenshots(chromium, site, language):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for name, (path, width) in SCREENSHOTS.items():
        context = chromium.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        try:
            response = page.goto(f"{site}/{language}/{path}")
            assert response.status == 200, f"/{language}/{path} answered {response.status}"
            expect(page.locator("html")).to_have_attribute("lang", language)
            target = SCREENSHOT_DIR / f"{language}-{name}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 10_000, f"{target.name} looks empty"
        finally:
            context.close()
