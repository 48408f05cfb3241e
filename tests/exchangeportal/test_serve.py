"""The production profile end to end: collectstatic, then gunicorn with gunicorn.conf.py."""

import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.exchangeportal.test_settings import BASE_DIR, production_env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


_opener = urllib.request.build_opener(_NoRedirect)


def _get(url: str, **headers: str):
    request = urllib.request.Request(url, headers=headers)
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def gunicorn_server(tmp_path):
    port = _free_port()
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        CACHE_URL="locmem://",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
    )
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (collect.returncode, collect.stderr) == (0, "")
    log = tmp_path / "gunicorn.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=BASE_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(f"gunicorn did not answer: {log.read_text()}")
        yield base, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_production_server_serves_pages_static_files_and_json_logs(gunicorn_server):
    base, log = gunicorn_server

    plain = _get(f"{base}/no-such-page/")
    status, headers, body = _get(
        f"{base}/no-such-page/", **{"X-Forwarded-Proto": "https", "X-Request-ID": "serve-test-0001"}
    )
    stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', body.decode()).group(
        1
    )
    css_status, css_headers, css_body = _get(
        f"{base}{stylesheet}", **{"Accept-Encoding": "gzip", "X-Forwarded-Proto": "https"}
    )

    assert (plain[0], plain[1]["Location"]) == (
        301,
        base.replace("http://", "https://") + "/no-such-page/",
    )
    assert status == 404
    assert headers["X-Request-ID"] == "serve-test-0001"
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert css_status == 200
    assert css_headers["Content-Encoding"] == "gzip"
    assert css_headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert css_body[:2] == b"\x1f\x8b"
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    requests = [line for line in lines if line["logger"] == "exchangeportal.request"]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [
        ("GET", "/no-such-page/", 301),
        ("GET", "/no-such-page/", 404),
        ("GET", stylesheet, 200),
    ]
    assert requests[1]["request_id"] == "serve-test-0001"
