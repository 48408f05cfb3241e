"""Real-browser journeys: Playwright driving Debian's Chromium against pytest-django's live
server (a thread of this process) holding the real demo data.

Playwright's own browsers are never downloaded: the tests launch `/usr/bin/chromium`. Without
it every test here is skipped, saying how to install it. `make test` deselects the `browser`
marker; `make test-browser` runs only these.
"""

import io
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API keeps an event loop on the test thread; the ORM calls the tests make
# between browser steps are plain synchronous calls, so Django's async guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("BROWSER_TESTS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def chromium_missing_reason() -> str | None:
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)) and not shutil.which(
        CHROMIUM
    ):
        return (
            f"Chromium is not installed at {CHROMIUM}: browser journeys skipped "
            "(apt-get install chromium fonts-noto-cjk)"
        )
    return None


@pytest.fixture(scope="session")
def chromium():
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, _groups_dump, _demo_data_dump, settings, tmp_path):
    """The live server's base URL with the demo data and the migrations' groups loaded (a
    live server's test flushes the tables after it), and mail kept in `mail.outbox`."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_BASE_URL = live_server.url
    settings.RATELIMIT_ENABLED = True
    call_command("loaddata", str(_groups_dump), verbosity=0, stdout=io.StringIO())
    call_command("loaddata", str(_demo_data_dump), verbosity=0, stdout=io.StringIO())
    return live_server.url


@pytest.fixture
def page(chromium, site):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"
