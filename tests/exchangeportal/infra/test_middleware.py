import logging
import re

import pytest

pytestmark = pytest.mark.django_db

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def test_security_headers_on_every_page(client):
    response = client.get("/no-such-page/")

    assert _directives(response["Content-Security-Policy"]) == _directives(CSP)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Permissions-Policy"] == (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=()"
    )


def test_csp_forbids_inline_and_eval(client):
    response = client.get("/no-such-page/")

    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header


def test_hsts_sent_over_https_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True

    response = client.get("/no-such-page/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_admin_login_page_passes_csp_without_inline_script(client, settings):
    response = client.get(f"/{settings.ADMIN_PATH}login/")

    body = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", body) == []


def test_request_id_generated_and_echoed(client):
    response = client.get("/no-such-page/")

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_request_id_incoming_sane_kept(client):
    response = client.get("/no-such-page/", headers={"x-request-id": "lb-7f3a-4c21.9"})

    assert response["X-Request-ID"] == "lb-7f3a-4c21.9"


@pytest.mark.parametrize(
    "incoming",
    [
        "short",
        "has space in it",
        "new\\nline-injected-value",
        "<script>alert(1)</script>",
        "x" * 200,
    ],
)
def test_request_id_incoming_insane_replaced(client, incoming):
    response = client.get("/no-such-page/", headers={"x-request-id": incoming})

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_access_log_one_record_per_request(client, caplog):
    caplog.set_level(logging.INFO, logger="exchangeportal.request")

    response = client.get("/no-such-page/?q=1", headers={"x-request-id": "trace-0000-0001"})

    records = [r for r in caplog.records if r.name == "exchangeportal.request"]
    assert len(records) == 1
    record = records[0]
    assert (record.method, record.path, record.status, record.request_id) == (
        "GET",
        "/no-such-page/",
        404,
        "trace-0000-0001",
    )
    assert isinstance(record.duration_ms, float)
    assert 0 <= record.duration_ms < 10_000
    assert response["X-Request-ID"] == "trace-0000-0001"


def test_error_log_carries_request_id(client, caplog):
    client.get("/no-such-page/", headers={"x-request-id": "trace-0000-0002"})

    not_found = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.getMessage(), r.request_id) for r in not_found] == [
        ("Not Found: /no-such-page/", "trace-0000-0002")
    ]
