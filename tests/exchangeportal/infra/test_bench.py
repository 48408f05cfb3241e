import pytest
from django.test import RequestFactory

from exchangeportal.infra.bench import ceiling_view


@pytest.mark.django_db
def test_bench_ceiling_is_not_routed_by_default(client):
    response = client.get("/bench/ceiling/")

    assert (response.status_code, response.content == b"ok") == (404, False)


def test_bench_ceiling_view_only_answers():
    response = ceiling_view(RequestFactory().get("/bench/ceiling/"))

    assert (response.status_code, response.content, response["Content-Type"]) == (
        200,
        b"ok",
        "text/plain",
    )
