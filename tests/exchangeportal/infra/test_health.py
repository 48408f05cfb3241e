import json

import pytest


@pytest.mark.django_db
def test_healthz_answers_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert json.loads(response.content) == {"status": "ok"}


def test_healthz_needs_no_database(client):
    # No django_db mark: any database access would raise here.
    response = client.get("/healthz")

    assert json.loads(response.content) == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_ok_when_database_and_cache_answer(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok"},
    }


@pytest.mark.django_db
def test_readyz_ok_with_redis_cache(client, redis_cache):
    response = client.get("/readyz")

    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok"},
    }


def test_readyz_503_when_database_unavailable(client, caplog):
    # Without the django_db mark every query fails, as with a database that is down.
    response = client.get("/readyz")

    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "unavailable",
        "checks": {"database": "failed", "cache": "ok"},
    }
    assert [
        record.getMessage()
        for record in caplog.records
        if record.name == "exchangeportal.infra.health"
    ] == ["Readiness check 'database' failed"]


@pytest.mark.django_db
def test_readyz_503_when_cache_unavailable_without_leaking_its_address(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }

    response = client.get("/readyz")

    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "failed"},
    }
    assert b"127.0.0.1" not in response.content


def test_health_checks_not_language_prefixed(client):
    responses = [client.get(path) for path in ("/healthz", "/en/healthz", "/ja/readyz")]

    assert [response.status_code for response in responses] == [200, 404, 404]


def test_health_checks_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    responses = [client.get(path) for path in ("/healthz", "/no-such-page/")]

    assert [response.status_code for response in responses] == [200, 301]
    assert responses[1]["Location"] == "https://testserver/no-such-page/"


def test_healthz_answers_any_host(client):
    # Load balancers probe with the server's IP address as Host, not in ALLOWED_HOSTS.
    response = client.get("/healthz", headers={"host": "10.0.0.7:8000"})

    assert json.loads(response.content) == {"status": "ok"}
