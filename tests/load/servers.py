"""Several app servers for real: `make test-load` runs it after `run.py` (not collected by pytest).

Starts, on 127.0.0.1 only: a Redis of its own, two gunicorn instances (A and B, two workers
each, the production profile: DEBUG off) sharing one new PostgreSQL database
(`LOAD_SERVERS_DATABASE_URL`, default `portal_load_servers`, dropped and created afresh), that
Redis, one secret key and one media folder (standing in for the object storage that several
servers share), and nginx in front of both (round robin, `X-Forwarded-For` appended, the
portal trusting one proxy: `DJANGO_TRUSTED_PROXY_COUNT=1`). nginx comes from Debian's packages
(`.ci/run` installs `nginx-light` when missing). Then checks, across the two:

1. a session started on A is valid on B (log in on A, open the admin on B);
2. a rate limit counts across both: the API's anonymous limit, reached through nginx whichever
   server answers, and not escaped by a client-written `X-Forwarded-For`;
3. a write through A (an admin edit) is seen on B at once, B having cached the page before;
4. a write from a management command is seen on A and B at once;
5. an image uploaded through A (a place photo in the admin) is on the page B renders, and the
   file is served;
6. `make serve`'s default (a third gunicorn, C, with gunicorn's default number of workers and
   each worker's own local-memory cache, no Redis): after an edit through C and after one from
   a command, no request to any of C's workers answers with the page from before, and every
   worker gives the same ETag for a page.

Bounded by `LOAD_TIMEOUT` seconds (default 300); exits non-zero on the first broken
expectation.
"""

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
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.load.run import check, csrf_token, fail, form_fields, say  # noqa: E402

DATABASE_URL = os.environ.get(
    "LOAD_SERVERS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_load_servers"
)
REDIS_PORT = int(os.environ.get("LOAD_SERVERS_REDIS_PORT", "6398"))
CACHE_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
PROXY_PORT, PORT_A, PORT_B, PORT_C = 8320, 8321, 8322, 8323
PROXY, SERVER_A, SERVER_B, SERVER_C = (
    f"http://127.0.0.1:{port}" for port in (PROXY_PORT, PORT_A, PORT_B, PORT_C)
)
SERVE_REQUESTS = 12  # to C after each write: more than its workers, so every one answers
TIMEOUT = float(os.environ.get("LOAD_TIMEOUT", "300"))
PASSWORD = "Servers-test-" + secrets.token_urlsafe(8)
ANON_RATE = 10  # a minute, for check 2
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

NGINX_CONF = """
worker_processes 1;
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    upstream portal {{ server 127.0.0.1:{a}; server 127.0.0.1:{b}; }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 20m;
        add_header X-Upstream $upstream_addr always;
        location /media/ {{ alias {tmp}/media/; }}
        location / {{
            proxy_pass http://portal;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def environment(tmp: Path, secret_key: str, port: int = 0) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "exchangeportal.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secret_key,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_SSL_REDIRECT": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_STATIC_MANIFEST": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_TRUSTED_PROXY_COUNT": "1",
        "DATABASE_URL": DATABASE_URL,
        "CACHE_URL": CACHE_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "MEDIA_ROOT": str(tmp / "media"),
        "STATIC_ROOT": str(tmp / "static"),
        "PRIVATE_MEDIA_ROOT": str(tmp / "private_media"),
        "API_THROTTLE_ANON": f"{ANON_RATE}/minute",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_TIMEOUT": "60",
    }


def answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_for(url: str, process: subprocess.Popen, what: str) -> None:
    for _ in range(100):
        if answers(url):
            return
        if process.poll() is not None:
            fail(f"{what} exited with {process.returncode}")
        time.sleep(0.3)
    fail(f"{what} did not answer /healthz")


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("wb") as handle:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def recreate_database() -> None:
    import psycopg

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    check(re.fullmatch(r"portal_load\w*", name) is not None, f"refusing to drop database {name}")
    admin_url = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare_data() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    get_user_model().objects.create_superuser("servers-admin", "admin@servers.example", PASSWORD)


def log_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/admin/login/")
    response = client.post(
        "/admin/login/",
        data={
            "username": "servers-admin",
            "password": PASSWORD,
            "csrfmiddlewaretoken": csrf_token(page.text),
        },
    )
    check(response.status_code == 302, f"log-in on {base} answered {response.status_code}")
    return client


def title(base: str, path: str) -> str:
    page = httpx.get(f"{base}{path}", timeout=60)
    check(page.status_code == 200, f"GET {base}{path} answered {page.status_code}")
    match = re.search(r"<title>([^<]*)", page.text)
    return match.group(1) if match else ""


def session_across() -> None:
    say("1. a session started on A is valid on B")
    on_a = log_in(SERVER_A)
    with httpx.Client(base_url=SERVER_B, timeout=60, cookies=on_a.cookies) as on_b:
        response = on_b.get("/admin/")
    check(response.status_code == 200, f"B answered {response.status_code} to A's session")
    check("servers-admin" in response.text, "B does not know the user of A's session")
    say("   B answers 200 to the admin with A's session cookie")


def rate_limit_across() -> None:
    say(f"2. the API's anonymous limit ({ANON_RATE}/minute) counts across A and B")
    statuses, upstreams = [], set()
    for number in range(ANON_RATE + 3):
        response = httpx.get(
            f"{PROXY}/api/v1/series/",
            headers={"X-Forwarded-For": f"203.0.113.{number}"},  # ignored: written by the client
            timeout=60,
        )
        statuses.append(response.status_code)
        upstreams.add(response.headers.get("X-Upstream", ""))
    check(upstreams == {f"127.0.0.1:{PORT_A}", f"127.0.0.1:{PORT_B}"}, f"served by {upstreams}")
    check(
        statuses == [200] * ANON_RATE + [429] * 3,
        f"statuses through nginx: {statuses}",
    )
    say(f"   {ANON_RATE} x 200 then 429, answered by both servers")


def rename_in_admin(admin: httpx.Client, slug: str, name: str, new_name: str) -> None:
    listing = admin.get(f"/admin/cities/city/?q={slug}")
    match = re.search(
        rf'href="(/admin/cities/city/\d+/change/)[^"]*">{re.escape(name)}<', listing.text
    )
    check(match is not None, f"{name} not found in the admin")
    change = match.group(1)
    fields = form_fields(admin.get(change).text, form_id="city_form")
    response = admin.post(change, data={**fields, "name_en": new_name})
    check(response.status_code == 302, f"the edit of {name} answered {response.status_code}")


def write_through_a(admin: httpx.Client) -> None:
    say("3. an admin edit through A is seen on B at once")
    for _ in range(4):  # both of B's workers have the page cached
        check(title(SERVER_B, "/en/cities/nara/").startswith("Nara "), "B's page before")
    rename_in_admin(admin, "nara", "Nara", "Nara (edited on A)")
    for _ in range(4):
        seen = title(SERVER_B, "/en/cities/nara/")
        check(seen.startswith("Nara (edited on A)"), f"B still shows {seen!r}")
    say("   B shows the new name on every request")


def rename_by_command(env: dict, slug: str, name: str) -> None:
    subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "python"),
            "manage.py",
            "shell",
            "-c",
            f"from cities.models import City; c = City.objects.get(slug={slug!r}); "
            f"c.name_en = {name!r}; c.save()",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def write_from_a_command(env: dict) -> None:
    say("4. a write from a management command is seen on A and B at once")
    for base in (SERVER_A, SERVER_B, SERVER_A, SERVER_B):
        title(base, "/en/cities/kanazawa/")
    rename_by_command(env, "kanazawa", "Kanazawa (edited by a command)")
    for base in (SERVER_A, SERVER_B, SERVER_A, SERVER_B):
        seen = title(base, "/en/cities/kanazawa/")
        check(seen.startswith("Kanazawa (edited by a command)"), f"{base} still shows {seen!r}")
    say("   A and B show the new name")


def image_across(admin: httpx.Client, tmp: Path) -> None:
    say("5. a place photo uploaded through A is on B's page and served")
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "JPEG")
    listing = admin.get("/admin/cities/city/?q=yangzhou")
    match = re.search(r'href="(/admin/cities/city/\d+/change/)[^"]*">Yangzhou<', listing.text)
    check(match is not None, "Yangzhou not found in the admin on A")
    change = match.group(1)
    fields = form_fields(admin.get(change).text, form_id="city_form")
    response = admin.post(
        change, data=fields, files={"photo": ("canal.jpg", buffer.getvalue(), "image/jpeg")}
    )
    check(response.status_code == 302, f"the upload on A answered {response.status_code}")
    page = httpx.get(f"{SERVER_B}/en/cities/yangzhou/", timeout=60).text
    match = re.search(r'src="(/media/places/[^"]+)"', page)
    check(match is not None, "B's page of Yangzhou shows no uploaded photo")
    image = httpx.get(f"{PROXY}{match.group(1)}", timeout=60)
    check(image.status_code == 200, f"the photo answered {image.status_code}")
    check(image.content[:3] == b"\xff\xd8\xff", "the photo served is not a JPEG")
    say(f"   {match.group(1)} on B's page, served ({len(image.content)} bytes)")


def serve_default(tmp: Path, secret_key: str, env: dict) -> None:
    say("6. make serve's default (several workers, per-process caches, no Redis): never stale")
    serve_env = environment(tmp, secret_key, PORT_C)
    for name in ("CACHE_URL", "GUNICORN_WORKERS"):
        serve_env.pop(name)
    gunicorn = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py"]
    process = start(gunicorn, serve_env, tmp / "C.log")
    try:
        wait_for(SERVER_C, process, "gunicorn C")
        admin = log_in(SERVER_C)
        for round_number, edit in enumerate(("admin", "command"), start=1):
            for _ in range(SERVE_REQUESTS):  # every worker has the page cached
                title(SERVER_C, "/en/cities/kyoto/")
            name = f"Kyoto (edit {round_number}, by {edit})"
            if edit == "admin":
                rename_in_admin(admin, "kyoto", "Kyoto", name)
            else:
                rename_by_command(serve_env, "kyoto", name)
            seen = [title(SERVER_C, "/en/cities/kyoto/") for _ in range(SERVE_REQUESTS)]
            stale = [answer for answer in seen if not answer.startswith(name)]
            check(
                not stale,
                f"{len(stale)} of {SERVE_REQUESTS} answers after the {edit} edit "
                f"were older than it: {stale[:2]}",
            )
        etags = {httpx.get(f"{SERVER_C}/en/", timeout=60).headers.get("ETag") for _ in range(9)}
        check(len(etags) == 1 and None not in etags, f"/en/ gave the ETags {etags}")
        say(f"   {SERVE_REQUESTS} of {SERVE_REQUESTS} answers new after each edit; one ETag")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def main() -> None:
    if not os.path.exists(NGINX):
        fail("nginx is not installed (apt-get install nginx-light; .ci/run does it)")
    tmp = Path(tempfile.mkdtemp(prefix="portal-servers-"))
    for folder in ("static", "media", "private_media"):
        (tmp / folder).mkdir()
    secret_key = secrets.token_urlsafe(50)
    env = environment(tmp, secret_key)
    os.environ.update(env)

    def timed_out(signum, frame):
        fail(f"the several-servers test took longer than {TIMEOUT:.0f} s")

    signal.signal(signal.SIGALRM, timed_out)
    signal.alarm(int(TIMEOUT))
    processes: list[subprocess.Popen] = []
    try:
        processes.append(
            start(
                [
                    shutil.which("redis-server") or "redis-server",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(REDIS_PORT),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                env,
                tmp / "redis.log",
            )
        )
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        recreate_database()
        prepare_data()
        say("database, demo data and an admin ready; starting A, B and nginx")
        for name, port in (("A", PORT_A), ("B", PORT_B)):
            gunicorn = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py"]
            process = start(gunicorn, environment(tmp, secret_key, port), tmp / f"{name}.log")
            processes.append(process)
            wait_for(f"http://127.0.0.1:{port}", process, f"gunicorn {name}")
        user = "user root;" if os.geteuid() == 0 else ""  # workers read the media folder
        conf = tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(user=user, tmp=tmp, a=PORT_A, b=PORT_B, port=PROXY_PORT))
        nginx = start([NGINX, "-c", str(conf), "-g", "daemon off;"], env, tmp / "nginx.log")
        processes.append(nginx)
        wait_for(PROXY, nginx, "nginx")

        session_across()
        rate_limit_across()
        admin = log_in(SERVER_A)
        write_through_a(admin)
        write_from_a_command(env)
        image_across(admin, tmp)
        serve_default(tmp, secret_key, env)
        say("several-servers test passed")
    except SystemExit:
        for log in sorted(tmp.glob("*.log")):
            say(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
        raise
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
