"""Issue #16: one page of every public and partner URL pattern, in the four languages and in
each state (logged out, partner, reviewer; empty and full lists; forms with errors), checked
by independent validators — axe-core in Chromium (zero violations of any impact) and the W3C
Nu HTML checker (zero errors).

axe-core comes bundled in `axe-playwright-python`; the Nu checker is npm's `vnu-jar` run by
Debian's Java (`make test-browser` installs it from package.json: `npm ci`). Without Java or
the jar the Nu test is skipped, saying how to install them.
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cities.models import City
from events.models import EventSeries, ExchangeEvent, ProposalState
from tests.factories import (
    CityFactory,
    EventProposalFactory,
    PartnerMembershipFactory,
    ProposalActivityFactory,
    ReviewerFactory,
)

pytestmark = pytest.mark.browser

LANGUAGES = ["en", "zh-hans", "ja", "ko"]
PASSWORD = "Canal-cities-2010!"
NOTHING = "zzqxv"  # a query that matches nothing: the empty state of a list
VNU_JAR = Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist"
VNU_JAR = VNU_JAR / "vnu.jar"
JAVA = os.environ.get("STANDARDS_JAVA", "java")


@dataclass(frozen=True)
class Page:
    """One page to check: `path` after the language prefix; `post` sends that page's form
    with these fields filled in (by the button named `press`, else its last submit button):
    its errors are the state checked; `status` the answer expected. A `variant` is another
    state of a page already listed (an empty list, a form with errors): axe checks variants
    in English only, the Nu checker in every language."""

    name: str
    path: str
    status: int = 200
    post: dict | None = None
    press: str = ""
    variant: bool = False


@dataclass
class Portal:
    partner_user: object
    empty_partner_user: object
    reviewer: object
    pages: dict[str, list[Page]]


def _password_reset_path(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"partners/password/reset/{uid}/{default_token_generator.make_token(user)}/"


def build_portal() -> Portal:
    """The users and proposals the partner states need (on top of the demo data), and the
    pages of each state."""
    yangzhou = City.objects.get(slug="yangzhou")
    membership = PartnerMembershipFactory(user__username="canal-office")
    membership.user.set_password(PASSWORD)
    membership.user.save()
    partner = membership.partner
    draft = EventProposalFactory(partner=partner, host=yangzhou)
    submitted = EventProposalFactory(
        partner=partner, host=yangzhou, state=ProposalState.CHANGES_REQUESTED
    )
    ProposalActivityFactory(
        proposal=submitted, from_state=ProposalState.DRAFT, to_state=ProposalState.SUBMITTED
    )
    ProposalActivityFactory(
        proposal=submitted,
        from_state=ProposalState.SUBMITTED,
        to_state=ProposalState.CHANGES_REQUESTED,
        message="Please name the venue's address.",
    )
    empty = PartnerMembershipFactory(user__username="new-office")
    # A transactional test before this one flushed the tables, the group of the data migration
    # with them: make it again (its permissions do not matter to the pages checked here).
    Group.objects.get_or_create(name="Reviewer")
    reviewer = ReviewerFactory(username="desk-reviewer")
    lonely = CityFactory(slug="lonely-town", name_en="Lonely Town")  # no tie, no event
    event = ExchangeEvent.objects.published().order_by("id").first()
    series = EventSeries.objects.order_by("slug").first()
    year = timezone.localdate().year
    public = [
        Page("home", ""),
        Page("directory", "cities/"),
        Page("directory-empty", f"cities/?q={NOTHING}", variant=True),
        Page("directory-ignored-filter", "cities/?country=zz", variant=True),
        Page("place", "cities/yangzhou/"),
        Page("place-without-ties", f"cities/{lonely.slug}/", variant=True),
        Page("tie", "ties/nara--yangzhou/"),
        Page("culture-cities", "culture-cities/"),
        Page("culture-city-year", "culture-cities/2014/"),
        Page("culture-city-year-empty", f"culture-cities/{year + 5}/", status=404, variant=True),
        Page("events", "events/"),
        Page("events-empty", f"events/?host={NOTHING}", variant=True),
        Page("event", f"events/{event.slug}/"),
        Page("series", f"events/series/{series.slug}/"),
        Page("search-form", "search/", variant=True),
        Page("search", "search/?q=%E5%A5%88%E8%89%AF"),
        Page("search-empty", f"search/?q={NOTHING}", variant=True),
        Page("network-map", "network/"),
        Page("triads", "network/triads/"),
        Page("anniversaries", "network/anniversaries/"),
        Page("statistics", "statistics/"),
        Page("good-practices", "good-practices/"),
        Page("not-found", "cities/no-such-place/", status=404),
        Page("register", "partners/register/"),
        Page(
            "register-errors",
            "partners/register/",
            status=400,
            post={"username": "x"},
            variant=True,
        ),
        Page("login", "partners/login/"),
        Page(
            "login-errors", "partners/login/", post={"username": "x", "password": "y"}, variant=True
        ),
        Page("verify-bad-link", "partners/verify/not-a-token/", variant=True),
        Page("password-reset", "partners/password/reset/"),
        Page("password-reset-sent", "partners/password/reset/sent/"),
        Page("password-reset-bad-link", "partners/password/reset/MQ/bad-token/", variant=True),
        Page("password-reset-set", _password_reset_path(membership.user)),
        Page("password-reset-complete", "partners/password/reset/complete/"),
    ]
    partner_pages = [
        Page("partner-home", "", variant=True),
        Page("proposals", "partner/proposals/"),
        Page("proposal-new", "partner/proposals/new/"),
        Page(
            "proposal-new-errors", "partner/proposals/new/", post={}, press="submit", variant=True
        ),
        Page("proposal-draft", f"partner/proposals/{draft.pk}/"),
        Page("proposal-edit", f"partner/proposals/{draft.pk}/edit/"),
        Page("proposal-changes-requested", f"partner/proposals/{submitted.pk}/"),
        Page("password-change", "partners/password/change/"),
        Page(
            "password-change-errors",
            "partners/password/change/",
            post={"old_password": "x"},
            variant=True,
        ),
        Page("password-change-done", "partners/password/change/done/"),
    ]
    empty_partner_pages = [Page("proposals-empty", "partner/proposals/", variant=True)]
    reviewer_pages = [
        Page("reviewer-home", "", variant=True),
        Page("reviewer-place", "cities/yangzhou/", variant=True),
        Page("reviewer-no-partner", "partner/proposals/", status=403, variant=True),
    ]
    return Portal(
        partner_user=membership.user,
        empty_partner_user=empty.user,
        reviewer=reviewer,
        pages={
            "anonymous": public,
            "partner": partner_pages,
            "partner-empty": empty_partner_pages,
            "reviewer": reviewer_pages,
        },
    )


def _user_of(portal: Portal, state: str):
    return {
        "anonymous": None,
        "partner": portal.partner_user,
        "partner-empty": portal.empty_partner_user,
        "reviewer": portal.reviewer,
    }[state]


def _client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _fetch(client: Client, url: str, page: Page):
    """The page's HTML as the server sends it (a form posted with its CSRF token, read from
    the form as a browser would)."""
    if page.post is None:
        return client.get(url, follow=True)
    client.get(url)  # sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    data = {**page.post, "csrfmiddlewaretoken": token}
    if page.press:
        data[page.press] = "1"
    return client.post(url, data, follow=True)


# --- The Nu HTML checker ----------------------------------------------------------------------


def nu_missing_reason() -> str | None:
    if not shutil.which(JAVA):
        return (
            "Java is not installed: the Nu HTML checker is skipped "
            "(apt-get install default-jre-headless)"
        )
    if not VNU_JAR.is_file():
        return f"{VNU_JAR} is missing: the Nu HTML checker is skipped (npm ci)"
    return None


def nu_errors(folder: Path) -> list[str]:
    """Run the Nu checker once over every .html file in `folder`: its errors, one line each."""
    run = subprocess.run(
        [
            JAVA,
            "-Xss8m",
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    report = json.loads(run.stderr or run.stdout)
    return [
        f"{Path(message.get('url', '')).name}:{message.get('lastLine', '?')}: "
        f"{message['message']} [{message.get('extract', '').strip()[:120]}]"
        for message in report["messages"]
        if message.get("type") in ("error", "non-document-error")
    ]


@pytest.mark.django_db
def test_every_page_is_valid_html_for_the_nu_checker(demo_data, tmp_path, settings):
    reason = nu_missing_reason()
    if reason:
        pytest.skip(reason)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    portal = build_portal()
    written = []
    for state, pages in portal.pages.items():
        client = _client_for(_user_of(portal, state))
        for language in LANGUAGES:
            for page in pages:
                url = f"/{language}/{page.path}"
                response = _fetch(client, url, page)
                assert response.status_code == page.status, f"{state} {url}: {response.status_code}"
                assert response["Content-Type"].startswith("text/html"), url
                target = tmp_path / f"{state}--{language}--{page.name}.html"
                target.write_bytes(response.content)
                written.append(target)
    # The error pages the server renders itself (400, 403, 429, 500) and the CSRF failure page.
    client = Client(enforce_csrf_checks=True)
    for language in LANGUAGES:
        response = client.post(f"/{language}/partners/login/", {"username": "x"})
        assert response.status_code == 403
        (tmp_path / f"anonymous--{language}--csrf-failure.html").write_bytes(response.content)
    total = len(list(tmp_path.glob("*.html")))
    assert total == len(written) + len(LANGUAGES)
    errors = nu_errors(tmp_path)
    assert errors == [], f"{len(errors)} Nu errors on {total} pages:\n" + "\n".join(errors)


# --- axe-core ---------------------------------------------------------------------------------


def axe_violations(results) -> list[str]:
    lines = []
    for violation in results.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
        lines.append(f"{violation['id']} ({violation['impact']}): {'; '.join(targets)}")
    return lines


def pages_for_axe(portal: Portal, language: str) -> dict[str, list[Page]]:
    """Every page in English; in the other languages one page of each URL pattern (the
    variants, rendered by the same templates, are checked in English)."""
    return {
        state: [page for page in pages if language == "en" or not page.variant]
        for state, pages in portal.pages.items()
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_has_no_axe_violation(chromium, site, language, settings):
    portal = build_portal()
    axe = Axe()
    found = {}
    checked = 0
    pages_by_state = pages_for_axe(portal, language)
    for state, pages in pages_by_state.items():
        if not pages:
            continue
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.set_default_timeout(15_000)
        user = _user_of(portal, state)
        if user is not None:
            session = _client_for(user).cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": site}]
            )
        browser_page = context.new_page()
        errors = []
        browser_page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        for page in pages:
            url = f"{site}/{language}/{page.path}"
            response = browser_page.goto(url)
            if page.post is not None:
                # The form sent as a person would, the fields named filled in: its errors.
                for name, value in page.post.items():
                    browser_page.locator(f'main form [name="{name}"]').first.fill(value)
                button = (
                    f'main form button[name="{page.press}"]'
                    if page.press
                    else 'main form button[type="submit"]'
                )
                with browser_page.expect_navigation() as navigation:
                    browser_page.locator(button).last.click()
                response = navigation.value
            assert response.status == page.status, f"{url}: {response.status}"
            if browser_page.locator("[data-network-map]").count():
                # The map is drawn from the GeoJSON it fetches: check it drawn.
                browser_page.wait_for_load_state("networkidle")
            violations = axe_violations(axe.run(browser_page))
            checked += 1
            if violations:
                found[f"{state} {page.name} ({url})"] = violations
        context.close()
        assert errors == [], f"JavaScript errors ({state}): {errors}"
    assert checked == sum(len(pages) for pages in pages_by_state.values())
    report = "\n".join(f"{where}:\n  " + "\n  ".join(lines) for where, lines in found.items())
    assert found == {}, f"axe violations on {len(found)} of {checked} pages:\n{report}"
