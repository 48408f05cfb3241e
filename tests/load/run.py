"""Load and concurrency test: `make test-load` (not collected by pytest).

Starts gunicorn (the production profile: DEBUG off) on 127.0.0.1 against its own PostgreSQL
database (`LOAD_DATABASE_URL`, default `portal_load`, dropped and created afresh) and Redis
(`LOAD_CACHE_URL`, default db 15), loads the demo data, and drives it over HTTP with threads:

1. 200 concurrent proposal submissions (20 partners x 10)  -> 200 stored and submitted, no error;
   an 11th submission of one partner is then refused by the per-partner limit (still a draft).
2. 20 concurrent "accept" clicks on one proposal in the admin -> exactly one event.
3. 50 concurrent edits of one tie in the admin, all opened at the same version -> exactly one
   saved, 49 refused with the "changed by someone else" message, none lost silently.

What is relaxed, and why: every client comes from 127.0.0.1, so the per-IP submission limit
(`PROPOSAL_SUBMIT_RATE_IP`, 20 an hour by default) would refuse all but 20 of the 200 and test
nothing but itself; it is raised to 1000 an hour. Everything else stays on: the per-partner
limit (10 an hour, which is why 20 partners submit 10 each and why an 11th is refused), the
open-proposal limit (20), the rate limits of the other forms, and django-axes (each client logs
in once, successfully, through the real log-in forms). The cache is Redis, shared by the
gunicorn workers, so the counters are exact. The whole run is bounded by `LOAD_TIMEOUT`
seconds (default 600); it exits non-zero on the first broken expectation.
"""

import datetime
import io
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_load")
# A Redis of its own (started and stopped here, nothing saved to disk) unless LOAD_CACHE_URL
# names one: a shared Redis may be flushed by someone else in the middle of the run, which
# would reset the rate-limit counters the test relies on.
REDIS_PORT = int(os.environ.get("LOAD_REDIS_PORT", "6399"))
CACHE_URL = os.environ.get("LOAD_CACHE_URL", f"redis://127.0.0.1:{REDIS_PORT}/0")
OWN_REDIS = "LOAD_CACHE_URL" not in os.environ
PORT = int(os.environ.get("LOAD_PORT", "8309"))
TIMEOUT = float(os.environ.get("LOAD_TIMEOUT", "600"))
PARTNERS, SUBMISSIONS_EACH, ACCEPTS, EDITS = 20, 10, 20, 50
PASSWORD = "Load-test-" + secrets.token_urlsafe(8)
BASE = f"http://127.0.0.1:{PORT}"
CONFLICT = "This tie was changed by someone else since you opened it"
STARTED = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


def fail(message: str) -> None:
    say(f"FAILED: {message}")
    raise SystemExit(1)


def check(condition: bool, message: str) -> None:
    if not condition:
        fail(message)


def server_environment(tmp: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_SSL_REDIRECT": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_STATIC_MANIFEST": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": DATABASE_URL,
        "CACHE_URL": CACHE_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "MEDIA_ROOT": str(tmp / "media"),
        "STATIC_ROOT": str(tmp / "static"),
        "PRIVATE_MEDIA_ROOT": str(tmp / "private_media"),
        "PORTAL_BASE_URL": BASE,
        # The one relaxed limit (see the module docstring).
        "PROPOSAL_SUBMIT_RATE_IP": "1000/3600",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_TIMEOUT": "120",
    }


def recreate_database() -> None:
    import psycopg

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    check(re.fullmatch(r"portal_load\w*", name) is not None, f"refusing to drop database {name}")
    admin_url = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def redis_reachable() -> bool:
    parts = urlsplit(CACHE_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=2):
            return True
    except OSError:
        return False


def prepare_data() -> dict:
    """Migrate, load the demo data, create the accounts (in this process, through Django)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())

    from cities.models import City, FriendshipLink
    from events import services
    from events.models import EventProposal, Partner, PartnerMembership

    users = get_user_model()
    partners = []
    for number in range(PARTNERS):
        user = users.objects.create_user(
            f"load-partner-{number}", f"partner{number}@load.example.org", PASSWORD
        )
        partner = Partner.objects.create(name_en=f"Load Partner {number}", kind="ngo", country="JP")
        PartnerMembership.objects.create(
            user=user, partner=partner, language="en", email_verified_at=timezone.now()
        )
        partners.append(user.username)
    reviewer = users.objects.create_user("load-reviewer", "reviewer@load.example.org", PASSWORD)
    reviewer.is_staff = True
    reviewer.save()
    reviewer.groups.add(Group.objects.get(name="Reviewer"))
    curator = users.objects.create_user("load-curator", "curator@load.example.org", PASSWORD)
    curator.is_staff = True
    curator.save()
    curator.groups.add(Group.objects.get(name="Curator"))

    yangzhou, nara = City.objects.get(slug="yangzhou"), City.objects.get(slug="nara")
    owner = users.objects.get(username="load-partner-0")
    to_accept = EventProposal.objects.create(
        partner=owner.partner_membership.partner,
        title_en="Load test: the proposal twenty reviewers accept at once",
        summary_en="Concurrency check.",
        description="Accepted by twenty concurrent clicks; exactly one event may result.",
        category="culture",
        format="in_person",
        starts_on=timezone.localdate() + datetime.timedelta(days=90),
        ends_on=timezone.localdate() + datetime.timedelta(days=91),
        host=yangzhou,
        venue="Yangzhou",
        participants=30,
        contact_name="Load Test",
        contact_email="contact@load.example.org",
        privacy_consent=True,
    )
    to_accept.partner_places.set([nara])
    services.proposal_submit(proposal=to_accept, actor=owner)
    services.proposal_start_review(proposal=to_accept, actor=reviewer)
    tie = FriendshipLink.objects.get(
        city_a__slug__in=["yangzhou", "nara"], city_b__slug__in=["yangzhou", "nara"]
    )
    # Every submission counts against the partner's limit, this setup one through the service
    # too: start the run with empty counters, so that partner 0 has its 10 an hour like the rest.
    cache.clear()
    return {
        "partners": partners,
        "proposal_to_accept": to_accept.pk,
        "tie": tie.pk,
        "host": yangzhou.slug,
        "partner_place": nara.slug,
    }


def start_gunicorn(environment: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=environment,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            if httpx.get(f"{BASE}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            fail(f"gunicorn exited with {server.returncode}")
        time.sleep(0.3)
    fail("gunicorn did not answer /healthz")


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    check(match is not None, "no CSRF token in the form")
    return match.group(1)


def logged_in(login_path: str, username: str) -> httpx.Client:
    """A client logged in through the real log-in form (axes sees a successful log-in)."""
    client = httpx.Client(base_url=BASE, timeout=120)
    page = client.get(login_path)
    check(page.status_code == 200, f"GET {login_path} answered {page.status_code}")
    response = client.post(
        login_path,
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": csrf_token(page.text),
        },
    )
    check(response.status_code == 302, f"log-in of {username} answered {response.status_code}")
    return client


def run_together(jobs: list) -> list:
    """Run the callables in as many threads, released at the same instant by a barrier."""
    barrier = threading.Barrier(len(jobs))

    def release(job):
        barrier.wait()
        return job()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(release, jobs))


class FormFields(HTMLParser):
    """The values a browser would send for one form (no JavaScript): inputs, checked boxes,
    selected options, textareas."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, {}
        self.select, self.textarea = None, None

    def add(self, name, value):
        if name in self.fields:
            existing = self.fields[name]
            self.fields[name] = (
                [*existing, value] if isinstance(existing, list) else [existing, value]
            )
        else:
            self.fields[name] = value

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.add(name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.add(self.select, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data


def form_fields(html: str, *, form_id: str) -> dict:
    parser = FormFields(form_id)
    parser.feed(html)
    check(parser.fields != {}, f"no form #{form_id} on the page")
    return parser.fields


def form_errors(html: str) -> str:
    """The error messages of a form shown again, to say why a submission did not go through."""
    items = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, flags=re.S)
    return " | ".join(re.sub(r"<[^>]+>", "", item).strip() for item in items)[:300]


# --- 1. 200 concurrent submissions ---------------------------------------------------------------


def proposal_form_data(data: dict, token: str, number: int) -> dict:
    start = datetime.date.today() + datetime.timedelta(days=30 + number % 200)
    return {
        "csrfmiddlewaretoken": token,
        "language": "en",
        "title_en": f"Load test proposal {number}",
        "summary_en": "Students of the canal cities meet.",
        "description": "Talks, boat visits and a joint concert.",
        "category": "education_youth",
        "format": "in_person",
        "starts_on": start.isoformat(),
        "ends_on": (start + datetime.timedelta(days=2)).isoformat(),
        "host": data["host"],  # typed places: a slug is one
        "partner_places": data["partner_place"],
        # Yangzhou and Nara are tied: the form offers the tie and wants it seen (ticked or not)
        # before it submits, as a partner who was shown it.
        "ties_shown": str(data["tie"]),
        "links": str(data["tie"]),
        "venue": "Yangzhou China Grand Canal Museum",
        "participants": "120",
        "contact_name": "Li Wei",
        "contact_email": f"load{number}@example.org",
        "privacy_consent": "on",
        "homepage": "",
        "submit": "1",
    }


def image_file() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (320, 240), (180, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def submissions(data: dict) -> None:
    from events.models import EventProposal

    say(f"1. {PARTNERS * SUBMISSIONS_EACH} concurrent proposal submissions")
    clients = [logged_in("/en/partners/login/", name) for name in data["partners"]]
    tokens = [csrf_token(client.get("/en/partner/proposals/new/").text) for client in clients]
    image = image_file()
    before = EventProposal.objects.count()

    def submit(number: int):
        partner = number % PARTNERS
        with httpx.Client(base_url=BASE, timeout=120, cookies=clients[partner].cookies) as client:
            response = client.post(
                "/en/partner/proposals/new/",
                data=proposal_form_data(data, tokens[partner], number),
                files={"image_1": (f"photo{number}.jpg", image, "image/jpeg")},
            )
        return (
            number,
            response.status_code,
            response.headers.get("location", "")
            or (form_errors(response.text) if response.status_code == 200 else ""),
        )

    results = run_together([lambda n=n: submit(n) for n in range(PARTNERS * SUBMISSIONS_EACH)])
    errors = [
        r for r in results if r[1] != 302 or not re.fullmatch(r"/en/partner/proposals/\d+/", r[2])
    ]
    check(errors == [], f"{len(errors)} submissions went wrong, e.g. {errors[:5]}")
    stored = EventProposal.objects.filter(title_en__startswith="Load test proposal ")
    check(stored.count() == 200, f"{stored.count()} proposals stored, expected 200")
    check(stored.filter(state="submitted").count() == 200, "not every proposal is submitted")
    check(stored.exclude(image_1="").count() == 200, "not every proposal kept its image")
    check(EventProposal.objects.count() == before + 200, "unexpected extra proposals")
    say("   200 responses 302 to the proposal page; 200 stored, submitted, with their image")

    # The per-partner limit was on all along: partner 0 already submitted 10 this hour.
    response = clients[0].post(
        "/en/partner/proposals/new/", data=proposal_form_data(data, tokens[0], 999)
    )
    over = EventProposal.objects.get(title_en="Load test proposal 999")
    check(
        response.status_code == 302 and response.headers["location"].endswith("/edit/"),
        f"an 11th submission answered {response.status_code} {response.headers.get('location')}",
    )
    check(over.state == "draft", f"the 11th submission is {over.state}, expected a kept draft")
    say("   an 11th submission of one partner is refused by the per-partner limit (kept as draft)")
    for client in clients:
        client.close()


# --- 2. 20 concurrent accepts ------------------------------------------------------------------


def accepts(data: dict) -> None:
    from events.models import EventProposal, ExchangeEvent

    say(f"2. {ACCEPTS} concurrent accepts of one proposal")
    reviewer = logged_in("/admin/login/", "load-reviewer")
    pk = data["proposal_to_accept"]
    page = reviewer.get(f"/admin/events/eventproposal/{pk}/change/")
    check(page.status_code == 200, f"the review page answered {page.status_code}")
    token = csrf_token(page.text)
    events_before = ExchangeEvent.objects.count()

    def accept():
        with httpx.Client(base_url=BASE, timeout=120, cookies=reviewer.cookies) as client:
            response = client.post(
                f"/admin/events/eventproposal/{pk}/transition/",
                data={"csrfmiddlewaretoken": token, "target": "accepted", "message": ""},
            )
        return response.status_code

    statuses = run_together([accept] * ACCEPTS)
    check(all(status == 302 for status in statuses), f"accept answers: {sorted(set(statuses))}")
    created = ExchangeEvent.objects.count() - events_before
    check(created == 1, f"{created} events from one proposal, expected exactly 1")
    check(ExchangeEvent.objects.filter(proposal__pk=pk).count() == 1, "the event is not linked")
    check(EventProposal.objects.get(pk=pk).state == "accepted", "the proposal is not accepted")
    say("   20 answers 302, exactly one event, the proposal accepted")
    reviewer.close()


# --- 3. 50 concurrent edits of one tie --------------------------------------------------------


def tie_edits(data: dict) -> None:
    from cities.models import FriendshipLink

    say(f"3. {EDITS} concurrent admin edits of one tie, all opened at the same version")
    curator = logged_in("/admin/login/", "load-curator")
    url = f"/admin/cities/friendshiplink/{data['tie']}/change/"
    page = curator.get(url)
    check(page.status_code == 200, f"the tie's change page answered {page.status_code}")
    fields = form_fields(page.text, form_id="friendshiplink_form")
    check("loaded_version" in fields, "the change form carries no version")
    check(fields["loaded_version"] != "", "the change form's version is empty")

    def form(number: int) -> dict:
        return {**fields, "note": f"Edit number {number} by one of fifty curators."}

    def edit(number: int):
        with httpx.Client(base_url=BASE, timeout=120, cookies=curator.cookies) as client:
            response = client.post(url, data=form(number))
        return number, response.status_code, CONFLICT in response.text

    results = run_together([lambda n=n: edit(n) for n in range(EDITS)])
    saved = [r for r in results if r[1] == 302]
    refused = [r for r in results if r[1] == 200 and r[2]]
    other = [r for r in results if r not in saved and r not in refused]
    check(other == [], f"unexpected answers: {other[:5]}")
    check(len(saved) == 1, f"{len(saved)} edits saved, expected exactly 1")
    check(len(refused) == EDITS - 1, f"{len(refused)} refused, expected {EDITS - 1}")
    tie = FriendshipLink.objects.get(pk=data["tie"])
    winner = saved[0][0]
    check(
        tie.note == f"Edit number {winner} by one of fifty curators.",
        f"the stored note is {tie.note!r}, not the one saved edit's",
    )
    say(f"   1 saved (edit {winner}, stored), 49 refused with the message, none lost silently")
    curator.close()


def start_redis() -> subprocess.Popen | None:
    if not OWN_REDIS:
        return None
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        fail("redis-server is not installed (or set LOAD_CACHE_URL to a Redis of your own)")
    process = subprocess.Popen(
        [
            redis_server,
            "--bind",
            "127.0.0.1",
            "--port",
            str(REDIS_PORT),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(50):
        if redis_reachable():
            return process
        time.sleep(0.1)
    process.terminate()
    fail(f"redis-server did not start on port {REDIS_PORT}")


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="portal-load-"))
    (tmp / "static").mkdir()
    environment = server_environment(tmp)
    os.environ.update(environment)  # this process prepares and checks the same database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchangeportal.settings")

    def timed_out(signum, frame):
        fail(f"the load test took longer than {TIMEOUT:.0f} s")

    signal.signal(signal.SIGALRM, timed_out)
    signal.alarm(int(TIMEOUT))
    redis = server = None
    try:
        redis = start_redis()
        if not redis_reachable():
            fail(f"Redis is not reachable at {CACHE_URL} (the limits must be shared)")
        say(f"database {urlsplit(DATABASE_URL).path.lstrip('/')} (new), cache {CACHE_URL}")
        recreate_database()
        data = prepare_data()
        say("demo data and accounts ready; starting gunicorn")
        server = start_gunicorn(environment)
        submissions(data)
        accepts(data)
        tie_edits(data)
        say("load and concurrency test passed")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
