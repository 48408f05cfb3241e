import re

import pytest
from django.test import Client

pytestmark = [pytest.mark.urls("tests.exchangeportal.urls"), pytest.mark.django_db]

# (Accept-Language, lang attribute, heading) per error and language.
NOT_FOUND = [
    ("en", "en", "Page not found"),
    ("zh-hans", "zh-hans", "找不到页面"),
    ("ja", "ja", "ページが見つかりません"),
    ("ko", "ko", "페이지를 찾을 수 없습니다"),
]
SERVER_ERROR = [
    ("en", "Server error"),
    ("zh-hans", "服务器错误"),
    ("ja", "サーバーエラー"),
    ("ko", "서버 오류"),
]
FORBIDDEN = [
    ("en", "Access denied"),
    ("zh-hans", "拒绝访问"),
    ("ja", "アクセスが拒否されました"),
    ("ko", "접근이 거부되었습니다"),
]
BAD_REQUEST = [
    ("en", "Bad request"),
    ("zh-hans", "请求无效"),
    ("ja", "不正なリクエスト"),
    ("ko", "잘못된 요청"),
]
CSRF = [
    ("en", "The form has expired"),
    ("zh-hans", "表单已过期"),
    ("ja", "フォームの有効期限が切れました"),
    ("ko", "양식이 만료되었습니다"),
]


def _heading(response) -> str:
    return re.search(r"<h1>(.*?)</h1>", response.content.decode()).group(1)


def _assert_leaks_nothing(response) -> None:
    body = response.content.decode()
    for secret in ("secret-detail-42", "Traceback", "/etc/exchangeportal", "SECRET_KEY", "DEBUG"):
        assert secret not in body


@pytest.mark.parametrize(("accept", "lang", "heading"), NOT_FOUND)
def test_404_page_in_each_language(client, settings, accept, lang, heading):
    assert settings.DEBUG is False

    response = client.get("/no-such-page/", headers={"accept-language": accept})

    assert response.status_code == 404
    assert _heading(response) == heading
    assert f'<html lang="{lang}">' in response.content.decode()
    assert response.templates[0].name == "404.html"
    assert response.templates[1].name == "base.html"


def test_404_page_names_request_id_not_path(client):
    response = client.get("/private-looking/path/", headers={"x-request-id": "support-ref-0001"})

    # The layout's language links point at the same path in each language; the message does
    # not repeat it.
    main = re.search(r"<main.*?</main>", response.content.decode(), re.DOTALL).group(0)
    assert "<code>support-ref-0001</code>" in main
    assert "private-looking" not in main


@pytest.mark.parametrize(("accept", "heading"), SERVER_ERROR)
def test_500_page_in_each_language_leaks_nothing(accept, heading):
    client = Client(raise_request_exception=False)

    response = client.get("/explode/", headers={"accept-language": accept})

    assert response.status_code == 500
    assert _heading(response) == heading
    _assert_leaks_nothing(response)


@pytest.mark.parametrize(("accept", "heading"), FORBIDDEN)
def test_403_page_in_each_language_leaks_nothing(client, accept, heading):
    response = client.get("/forbidden/", headers={"accept-language": accept})

    assert response.status_code == 403
    assert _heading(response) == heading
    _assert_leaks_nothing(response)


@pytest.mark.parametrize(("accept", "heading"), BAD_REQUEST)
def test_400_page_in_each_language_leaks_nothing(client, accept, heading):
    response = client.get("/suspicious/", headers={"accept-language": accept})

    assert response.status_code == 400
    assert _heading(response) == heading
    _assert_leaks_nothing(response)


def test_400_page_for_unknown_host(client):
    response = client.get("/no-such-page/", headers={"host": "attacker.example"})

    assert response.status_code == 400
    assert _heading(response) == "Bad request"
    assert "attacker.example" not in response.content.decode()


@pytest.mark.parametrize(("accept", "heading"), CSRF)
def test_csrf_failure_page_in_each_language(settings, accept, heading):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        f"/{settings.ADMIN_PATH}login/",
        {"username": "admin", "password": "x"},
        headers={"accept-language": accept},
    )

    assert response.status_code == 403
    assert _heading(response) == heading
    assert "CSRF" not in response.content.decode()


def test_500_page_falls_back_to_plain_html_when_template_breaks(settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False},
    ]
    client = Client(raise_request_exception=False)

    response = client.get("/explode/", headers={"x-request-id": "support-ref-0002"})

    assert response.status_code == 500
    assert _heading(response) == "Server error"
    assert "<p>Reference: support-ref-0002</p>" in response.content.decode()
    _assert_leaks_nothing(response)


def test_500_logged_with_request_id_and_traceback(caplog):
    client = Client(raise_request_exception=False)

    client.get("/explode/", headers={"x-request-id": "support-ref-0003"})

    errors = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.getMessage(), r.request_id, r.exc_info[0]) for r in errors] == [
        ("Internal Server Error: /explode/", "support-ref-0003", RuntimeError)
    ]
