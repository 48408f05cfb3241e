import io
import zipfile

import pytest
import yaml
from django.test import Client
from openapi_spec_validator import validate

from events.models import ExchangeEvent
from exchangeportal.opendata import dump_directory, open_data_version
from tests.factories import (
    CityFactory,
    CultureCityDesignationFactory,
    ExchangeEventFactory,
    FriendshipLinkFactory,
    LinkMilestoneFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- schema and docs ----------------------------------------------------------------------------


def _schema(client) -> dict:
    response = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi"})
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_is_valid_openapi_3(client):
    schema = _schema(client)

    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_schema_describes_every_operation_and_parameter(client):
    schema = _schema(client)

    undocumented = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not (operation.get("summary") or operation.get("description")):
                undocumented.append(f"{method} {path}")
            for parameter in operation.get("parameters", []):
                if not parameter.get("description"):
                    undocumented.append(f"{method} {path} ?{parameter['name']}")
            for status in ("404", "429"):
                if status not in operation["responses"]:
                    undocumented.append(f"{method} {path} {status}")
    assert undocumented == []


def test_schema_describes_every_field(client):
    schema = _schema(client)

    bare = [
        f"{name}.{field}"
        for name, component in schema["components"]["schemas"].items()
        for field, spec in component.get("properties", {}).items()
        if not (spec.get("description") or "$ref" in spec or spec.get("allOf"))
        and name not in {"Error"}
        and not name.startswith("Paginated")
    ]
    assert bare == []


def test_schema_lists_the_endpoints(client):
    paths = set(_schema(client)["paths"])

    assert {
        "/api/v1/cities/",
        "/api/v1/cities/{slug}/",
        "/api/v1/ties/",
        "/api/v1/ties/{pair}/",
        "/api/v1/designations/",
        "/api/v1/designations/{id}/",
        "/api/v1/events/",
        "/api/v1/events/{slug}/",
        "/api/v1/series/",
        "/api/v1/series/{slug}/",
        "/api/v1/dump.zip",
        "/api/v1/ties.geojson",
        "/api/v1/cities.geojson",
        "/api/v1/token/",
        "/api/v1/proposals/",
        "/api/v1/proposals/{id}/",
        "/api/v1/proposals/{id}/submit/",
        "/api/v1/proposals/{id}/withdraw/",
        "/api/v1/proposals/{id}/start-review/",
        "/api/v1/proposals/{id}/request-changes/",
        "/api/v1/proposals/{id}/accept/",
        "/api/v1/proposals/{id}/reject/",
    } <= paths


def test_schema_documents_throttling_rates(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "7/minute", "user": "70/minute"},
    }

    description = _schema(client)["info"]["description"]

    assert "7/minute" in description
    assert "70/minute" in description


@pytest.mark.parametrize(
    ("url", "asset"),
    [
        ("/api/docs/", "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"),
        ("/api/redoc/", "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"),
    ],
)
def test_docs_pages_load_their_scripts_from_static(client, url, asset):
    response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert asset in html
    assert "cdn" not in html.lower()


def test_docs_pages_have_no_inline_code_and_a_language(client):
    swagger = client.get("/api/docs/")
    redoc = client.get("/api/redoc/")

    for response in (swagger, redoc):
        html = response.content.decode()
        assert '<html lang="en">' in html
        assert "<style" not in html
        assert "<script>" not in html
        assert "fonts.googleapis" not in html
    assert "'nonce-" not in swagger["Content-Security-Policy"]
    nonce = redoc.wsgi_request.csp_nonce
    assert f"style-src 'self' 'nonce-{nonce}'" in redoc["Content-Security-Policy"]
    assert f'src="/static/js/api-redoc.js" nonce="{nonce}"' in redoc.content.decode()


def test_footer_links_the_api_docs_and_the_open_data(client):
    html = client.get("/en/").content.decode()

    assert '<a href="/api/docs/">API</a>' in html
    assert '<a href="/api/v1/dump.zip">Open data (CSV, zip)</a>' in html


# --- errors, CORS, throttling -------------------------------------------------------------------


def test_api_address_with_a_line_break_is_json_404(client):
    response = client.get("/api/v1/ties/a%0Ab/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_token_endpoint_needs_no_authentication_in_the_schema(client):
    operation = _schema(client)["paths"]["/api/v1/token/"]["post"]

    assert operation["security"] == [{}]
    assert "401" not in operation["responses"]


def test_unknown_api_address_is_json_404(client):
    response = client.get("/api/v1/planets/")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "There is no API endpoint at this address. See /api/docs/."
    }


def test_missing_slash_redirects_keeping_the_query(client):
    response = client.get("/api/v1/cities", {"country": "JP"})

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/cities/?country=JP"


def test_write_on_read_only_resource_is_json_405(client):
    response = client.post("/api/v1/cities/", {"slug": "x"})

    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.'}


def test_csv_request_with_bad_filter_gets_a_json_error(client):
    response = client.get("/api/v1/ties/", {"format": "csv", "since": "long ago"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"since": ["Enter a whole number."]}


def test_cors_open_for_anonymous_get_on_the_api(client):
    response = client.get("/api/v1/cities/", headers={"Origin": "https://research.example"})

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_cors_preflight_refuses_writes_and_credentials(client):
    response = client.options(
        "/api/v1/cities/",
        headers={
            "Origin": "https://research.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )

    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "accept, accept-language"


def test_cors_closed_outside_the_api(client):
    response = client.get("/en/cities/", headers={"Origin": "https://research.example"})

    assert "Access-Control-Allow-Origin" not in response


def test_anonymous_throttle_answers_429_with_json(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "100/minute"},
    }

    statuses = [client.get("/api/v1/series/").status_code for _ in range(3)]
    response = client.get("/api/v1/series/")

    assert statuses == [200, 200, 429]
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Request was throttled.")
    assert int(response["Retry-After"]) > 0


def test_signed_in_clients_get_the_user_rate(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/minute", "user": "3/minute"},
    }
    client.force_login(UserFactory())

    statuses = [client.get("/api/v1/series/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


# --- the open-data dump -------------------------------------------------------------------------


def _dump(client) -> zipfile.ZipFile:
    response = client.get("/api/v1/dump.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_dump_holds_every_table_and_a_readme(client):
    tie = FriendshipLinkFactory(
        city_a=CityFactory(slug="yangzhou"), city_b=CityFactory(slug="karatsu")
    )
    source = SourceFactory(url="https://example.org/tie")
    tie.sources.add(source)
    LinkMilestoneFactory(link=tie)
    CultureCityDesignationFactory(city=tie.city_a)
    ExchangeEventFactory(host=tie.city_a, slug="go-1999")
    ExchangeEventFactory(slug="hidden", is_published=False)

    dump = _dump(client)

    assert sorted(dump.namelist()) == [
        "README.md",
        "designations.csv",
        "events.csv",
        "milestones.csv",
        "places.csv",
        "series.csv",
        "sources.csv",
        "ties.csv",
    ]
    ties = dump.read("ties.csv").decode().splitlines()
    assert ties[1].startswith("karatsu--yangzhou,yangzhou,")
    assert ties[1].endswith(f",{source.pk},https://example.org/tie")
    events = dump.read("events.csv").decode().splitlines()
    assert [line.split(",")[0] for line in events[1:]] == ["go-1999"]
    readme = dump.read("README.md").decode()
    assert (
        "## Licence\n\nCreative Commons Attribution 4.0 International (CC BY 4.0), "
        "https://creativecommons.org/licenses/by/4.0/"
    ) in readme
    assert "| `established` | Partial ISO date: YYYY, YYYY-MM or YYYY-MM-DD" in readme
    assert "## milestones.csv" in readme


def test_dump_is_kept_until_the_data_changes(client, django_assert_max_num_queries):
    CityFactory()
    _dump(client)
    files = sorted(path.name for path in dump_directory().glob("*.zip"))

    with django_assert_max_num_queries(1):
        _dump(client)
    kept = sorted(path.name for path in dump_directory().glob("*.zip"))
    CityFactory(slug="newcomer")
    places = _dump(client).read("places.csv").decode()
    rebuilt = sorted(path.name for path in dump_directory().glob("*.zip"))

    assert kept == files
    assert len(rebuilt) == 1
    assert rebuilt != files
    assert "\nnewcomer," in places


def test_data_version_changes_on_update_and_delete():
    event = ExchangeEventFactory()
    first = open_data_version()
    ExchangeEvent.objects.filter(pk=event.pk).update(title_en="Renamed")
    event.refresh_from_db()
    event.save()
    second = open_data_version()
    event.delete()
    third = open_data_version()

    assert len({first, second, third}) == 3


def test_anonymous_clients_are_counted_once_by_ip(client, settings):
    """The signed-in rate never applies to anonymous clients: only the anonymous one does."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "1/minute"},
    }

    statuses = [client.get("/api/v1/series/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


@pytest.mark.parametrize("off", ["off", "OFF", "none"])
def test_a_rate_of_off_turns_the_throttle_off(client, settings, off):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": off, "user": off},
    }

    statuses = {client.get("/api/v1/series/").status_code for _ in range(5)}
    description = _schema(client)["info"]["description"]

    assert statuses == {200}
    assert "unlimited" in description


def test_anonymous_throttle_is_not_bypassed_by_varying_x_forwarded_for(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "100/minute"},
    }

    statuses = [
        client.get(
            "/api/v1/series/", headers={"X-Forwarded-For": f"203.0.113.{number}"}
        ).status_code
        for number in range(5)
    ]

    assert statuses == [200, 200, 200, 429, 429]


def test_anonymous_throttle_counts_the_client_behind_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "100/minute"},
    }

    def get(address: str, spoofed: str) -> int:
        forwarded = f"{spoofed}, {address}"  # what the client wrote, then what nginx appended
        return (
            Client(REMOTE_ADDR="127.0.0.1")
            .get("/api/v1/series/", headers={"X-Forwarded-For": forwarded})
            .status_code
        )

    first = [get("198.51.100.7", f"10.0.0.{number}") for number in range(3)]
    second = [get("198.51.100.8", "10.0.0.1") for _ in range(2)]

    assert (first, second) == ([200, 200, 429], [200, 200])
