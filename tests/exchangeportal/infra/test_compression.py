import gzip
import io
import sys

import brotli
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from exchangeportal.infra.compression import accepted_encoding, encode, weak_etag
from tests.factories import (
    CityFactory,
    ExchangeEventFactory,
    FriendshipLinkFactory,
    PartnerMembershipFactory,
)

pytestmark = pytest.mark.django_db


def _request(accept_encoding: str):
    return RequestFactory().get("/", headers={"accept-encoding": accept_encoding})


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br, zstd", "br"),
        ("gzip", "gzip"),
        ("br;q=0.5, gzip;q=0.9", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0", None),
        ("*", "br"),
        ("*;q=0.4, gzip", "gzip"),
        ("identity", None),
        ("", None),
        ("br;q=abc, gzip", "gzip"),
        ("BR", "br"),
    ],
)
def test_accepted_encoding_follows_the_header_and_its_weights(header, expected):
    assert accepted_encoding(_request(header)) == expected


def test_encode_round_trips_and_gzip_is_reproducible():
    body = ("扬州 奈良 양저우 " * 200).encode()

    assert brotli.decompress(encode(body, "br")) == body
    assert gzip.decompress(encode(body, "gzip")) == body
    assert encode(body, "gzip") == encode(body, "gzip")  # mtime 0: the same bytes each time
    with pytest.raises(ValueError, match="unknown content coding 'zstd'"):
        encode(body, "zstd")


def test_weak_etag_marks_an_encoded_variant_once():
    assert (weak_etag('"abc"'), weak_etag('W/"abc"')) == ('W/"abc"', 'W/"abc"')


def test_a_public_page_is_sent_in_brotli_or_gzip_as_the_client_accepts(client):
    CityFactory(slug="nara", name_en="Nara")
    plain = client.get("/en/cities/?activity=all")
    in_brotli = client.get("/en/cities/?activity=all", headers={"accept-encoding": "gzip, br"})
    in_gzip = client.get("/en/cities/?activity=all", headers={"accept-encoding": "gzip"})

    assert "Content-Encoding" not in plain
    assert (in_brotli["Content-Encoding"], in_gzip["Content-Encoding"]) == ("br", "gzip")
    assert brotli.decompress(in_brotli.content) == plain.content
    assert gzip.decompress(in_gzip.content) == plain.content
    assert int(in_brotli["Content-Length"]) == len(in_brotli.content) < len(plain.content) / 3
    assert "Accept-Encoding" in plain["Vary"]
    assert "Accept-Encoding" in in_brotli["Vary"]
    assert in_brotli["ETag"] == f"W/{plain['ETag']}"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/cities/", "application/json"),
        ("/api/v1/cities.geojson", "application/geo+json"),
        ("/api/v1/cities/?format=csv", "text/csv; charset=utf-8"),
        ("/en/events/feed.ics", "text/calendar; charset=utf-8"),
        ("/sitemap.xml", "application/xml"),
    ],
)
def test_every_kind_of_dynamic_answer_is_compressed(client, path, content_type):
    for number in range(6):
        FriendshipLinkFactory(
            city_a=CityFactory(slug=f"place-{number}-a"),
            city_b=CityFactory(slug=f"place-{number}-b"),
        )
        ExchangeEventFactory(slug=f"event-{number}")

    def body(response):
        return b"".join(response.streaming_content) if response.streaming else response.content

    plain = client.get(path)
    response = client.get(path, headers={"accept-encoding": "br"})
    plain_body = body(plain)  # a streamed body can be read once

    assert (response.status_code, response["Content-Type"]) == (200, content_type)
    assert response["Content-Encoding"] == "br"
    assert brotli.decompress(body(response)) == plain_body
    assert len(plain_body) > 200


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_streamed_csv_is_compressed_as_it_streams(client, encoding):
    for number in range(30):
        CityFactory(slug=f"place-{number}", name_en=f"Place {number}")
    plain = b"".join(client.get("/api/v1/cities/?format=csv").streaming_content)

    response = client.get("/api/v1/cities/?format=csv", headers={"accept-encoding": encoding})
    chunks = list(response.streaming_content)

    decode = brotli.decompress if encoding == "br" else gzip.decompress
    assert response.streaming
    assert "Content-Length" not in response
    assert (response["Content-Encoding"], decode(b"".join(chunks))) == (encoding, plain)
    assert plain.count(b"\n") == 31


def test_a_page_with_a_csrf_token_is_never_compressed(client):
    response = client.get("/en/partners/login/", headers={"accept-encoding": "br, gzip"})

    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert "Content-Encoding" not in response
    assert "Accept-Encoding" in response["Vary"]


def test_a_signed_in_partners_pages_are_never_compressed(client):
    membership = PartnerMembershipFactory()
    client.force_login(membership.user)
    CityFactory(slug="nara", name_en="Nara")

    for path in ("/en/partner/proposals/", "/en/cities/?activity=all", "/api/v1/cities/"):
        response = client.get(path, headers={"accept-encoding": "br, gzip"})
        assert response.status_code == 200, path
        assert "Content-Encoding" not in response, path


def test_a_small_answer_is_sent_as_it_is(client):
    response = client.get("/robots.txt", headers={"accept-encoding": "br"})

    assert len(response.content) < 200
    assert "Content-Encoding" not in response


def _wsgi(method: str, path: str, **environ) -> tuple[str, dict, bytes]:
    """Through Django's own WSGI handler, as gunicorn calls it (the test client drops HEAD
    bodies itself, which would hide the bug)."""
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"] = status
        captured["headers"] = dict(headers)

    base = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    # As Django's test client does: the request signals must not close the test's database
    # connection, which holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = WSGIHandler()(base | environ, start_response)
        body = b"".join(result)
        result.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return captured["status"], captured["headers"], body


@pytest.mark.parametrize("encoding", ["", "br"])
def test_head_on_a_cached_page_has_the_get_headers_and_no_body(encoding):
    CityFactory(slug="nara", name_en="Nara")
    environ = {"HTTP_ACCEPT_ENCODING": encoding} if encoding else {}
    _status, _headers, got = _wsgi("GET", "/en/cities/", **environ)

    status, headers, body = _wsgi("HEAD", "/en/cities/", **environ)

    assert (status, body, headers["X-Page-Cache"]) == ("200 OK", b"", "hit")
    assert headers["Content-Length"] == str(len(got))
    assert headers.get("Content-Encoding", "") == encoding
