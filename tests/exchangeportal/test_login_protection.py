import pytest
from axes.models import AccessAttempt

pytestmark = pytest.mark.django_db

LONG_NAME = "x" * 5000


@pytest.mark.parametrize("url", ["/en/partners/login/", "/admin/login/"])
def test_login_with_over_long_user_name_is_refused_and_counted_cut(client, url):
    response = client.post(url, {"username": LONG_NAME, "password": "wrong"})

    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "x" * 150
    assert attempt.failures_since_start == 1
