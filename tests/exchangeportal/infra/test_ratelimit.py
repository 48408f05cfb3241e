import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import RequestFactory

from exchangeportal.infra.ratelimit import client_ip, parse_rate, rate_limit_exceeded, ratelimit_hit


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [
        ("5/m", (5, 60)),
        ("20/h", (20, 3600)),
        ("100/d", (100, 86400)),
        ("3/10m", (3, 600)),
        ("5/3600", (5, 3600)),
        (" 7 / 30s ", (7, 30)),
    ],
)
def test_parse_rate_valid(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["5", "5/", "5/x", "0/m", "five/m", "5/0m", "5/0", ""])
def test_parse_rate_invalid_raises(rate):
    with pytest.raises(ValueError, match="Invalid rate"):
        parse_rate(rate)


def test_ratelimit_hit_allows_up_to_limit_then_refuses():
    results = [ratelimit_hit(scope="s", key="ip:1.2.3.4", rate="3/m", now=1000.0) for _ in range(4)]

    assert [(r.allowed, r.count) for r in results] == [
        (True, 1),
        (True, 2),
        (True, 3),
        (False, 4),
    ]
    assert results[-1].retry_after == 20  # the window 960–1020 ends in 20 s


def test_ratelimit_hit_new_window_starts_again():
    for _ in range(3):
        ratelimit_hit(scope="s", key="k", rate="3/m", now=1000.0)

    result = ratelimit_hit(scope="s", key="k", rate="3/m", now=1021.0)

    assert (result.allowed, result.count) == (True, 1)


def test_ratelimit_hit_keys_and_scopes_counted_apart():
    for _ in range(3):
        ratelimit_hit(scope="s", key="a", rate="3/m", now=1000.0)

    other_key = ratelimit_hit(scope="s", key="b", rate="3/m", now=1000.0)
    other_scope = ratelimit_hit(scope="t", key="a", rate="3/m", now=1000.0)

    assert (other_key.count, other_scope.count) == (1, 1)


def test_ratelimit_hit_settings_override_rate(settings):
    settings.RATELIMITS = {"s": "1/m"}

    results = [ratelimit_hit(scope="s", key="k", rate="100/m", now=1000.0) for _ in range(2)]

    assert [r.allowed for r in results] == [True, False]


def test_ratelimit_hit_concurrent_on_redis_loses_no_hit(redis_cache):
    def hit(_):
        return ratelimit_hit(scope="burst", key="ip:9.9.9.9", rate="10/h", now=5000.0).allowed

    with ThreadPoolExecutor(max_workers=8) as pool:
        allowed = list(pool.map(hit, range(40)))

    assert allowed.count(True) == 10


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.66, 203.0.113.9", "203.0.113.9"),  # the left entry is client-supplied
        (2, "198.51.100.66, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, "", "10.0.0.1"),
    ],
)
def test_client_ip_trusts_only_configured_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


@pytest.mark.urls("tests.exchangeportal.urls")
def test_ratelimit_decorator_answers_429_page_in_language(client):
    responses = [client.post("/limited/", headers={"accept-language": "ja"}) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 429]
    assert responses[0].content == b"sent"
    body = responses[2].content.decode()
    assert re.search(r"<h1>(.*?)</h1>", body).group(1) == "リクエストが多すぎます"
    seconds = int(responses[2]["Retry-After"])
    assert 1 <= seconds <= 3600
    assert f"{seconds} 秒待ってから" in body


@pytest.mark.urls("tests.exchangeportal.urls")
def test_ratelimit_decorator_counts_only_posts(client):
    responses = [client.get("/limited/") for _ in range(5)]

    assert [r.status_code for r in responses] == [200] * 5


@pytest.mark.urls("tests.exchangeportal.urls")
def test_ratelimit_decorator_per_key_across_addresses(client):
    responses = [
        client.post("/limited-login/", {"username": "nara"}, REMOTE_ADDR=f"192.0.2.{n}")
        for n in range(1, 5)
    ]

    assert [r.status_code for r in responses] == [200, 200, 200, 429]


@pytest.mark.urls("tests.exchangeportal.urls")
def test_ratelimit_decorator_off_when_disabled(client, settings):
    settings.RATELIMIT_ENABLED = False

    responses = [client.post("/limited/") for _ in range(4)]

    assert [r.status_code for r in responses] == [200] * 4


def test_rate_limit_exceeded_true_after_limit():
    results = [
        rate_limit_exceeded(scope="signup", key="ip:1.2.3.4", rate="2/3600") for _ in range(3)
    ]

    assert results == [False, False, True]
