import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import PartnerMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LONG_NAME = "x" * 5000
PASSWORD = "correct horse battery staple"
LOGIN_URLS = ["/en/partners/login/", "/admin/login/"]


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_login_with_over_long_user_name_is_refused_and_counted_cut(client, url):
    response = client.post(url, {"username": LONG_NAME, "password": "wrong"})

    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "x" * 150
    assert attempt.failures_since_start == 1


def behind_proxy(address: str) -> Client:
    """A client as nginx forwards it: the connection from the proxy, the client in the header."""
    return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address)


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_lockout_behind_a_proxy_locks_only_the_attacking_client(settings, url):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 5
    user = UserFactory(username="partnerd", is_staff=True)
    attacker, owner = behind_proxy("203.0.113.66"), behind_proxy("198.51.100.7")
    for _attempt in range(5):
        attacker.post(url, {"username": "partnerd", "password": "wrong"})

    locked = attacker.post(url, {"username": "partnerd", "password": PASSWORD})
    allowed = owner.post(url, {"username": "partnerd", "password": PASSWORD})

    assert (locked.status_code, allowed.status_code) == (429, 302)
    assert allowed.wsgi_request.user == user
    assert list(AccessAttempt.objects.values_list("ip_address", "failures_since_start")) == [
        ("203.0.113.66", 6)
    ]


def test_lockout_answer_says_when_to_try_again(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = 0.5  # hours
    UserFactory(username="partnerd")
    for _attempt in range(2):
        client.post("/en/partners/login/", {"username": "partnerd", "password": "wrong"})

    response = client.post("/en/partners/login/", {"username": "partnerd", "password": PASSWORD})

    assert (response.status_code, response["Retry-After"]) == (429, "1800")
    assert "Too many failed log-ins" in response.content.decode()


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_password_spraying_locks_the_address_across_user_names(client, settings, url):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10
    UserFactory(username="victim", is_staff=True)
    statuses = [
        client.post(url, {"username": f"user-{number}", "password": "Summer2026!"}).status_code
        for number in range(12)
    ]

    correct = client.post(url, {"username": "victim", "password": PASSWORD})
    elsewhere = Client(REMOTE_ADDR="198.51.100.7").post(
        url, {"username": "victim", "password": PASSWORD}
    )

    assert statuses == [200] * 9 + [429] * 3
    assert (correct.status_code, correct["Retry-After"]) == (429, "3600")
    assert elsewhere.status_code == 302


def test_address_limit_counts_only_failures_within_the_cool_off(client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    member = PartnerMembershipFactory().user
    for number in range(2):
        client.post("/en/partners/login/", {"username": f"user-{number}", "password": "x"})
    AccessAttempt.objects.update(attempt_time="2000-01-01T00:00:00Z")

    response = client.post(
        "/en/partners/login/", {"username": member.username, "password": PASSWORD}
    )

    assert response.status_code == 302


def test_token_endpoint_answers_429_while_the_account_is_locked(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="partnerd")
    statuses = [
        client.post("/api/v1/token/", {"username": "partnerd", "password": "wrong"}).status_code
        for _attempt in range(3)
    ]

    response = client.post("/api/v1/token/", {"username": "partnerd", "password": PASSWORD})

    assert statuses == [400, 400, 429]
    assert (response.status_code, response["Retry-After"]) == (429, "3600")
    assert response.json() == {
        "detail": "Too many failed log-ins: try again later. Expected available in 3600 seconds."
    }


def test_token_endpoint_counts_the_client_behind_the_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="partnerd")
    attacker = behind_proxy("203.0.113.66")
    for _attempt in range(2):
        attacker.post("/api/v1/token/", {"username": "partnerd", "password": "wrong"})

    response = behind_proxy("198.51.100.7").post(
        "/api/v1/token/", {"username": "partnerd", "password": PASSWORD}
    )

    assert response.status_code == 200
    assert list(response.json()) == ["token"]
