import json
import logging
import sys

from exchangeportal.infra.logging import JSONFormatter, RequestIDFilter, request_id_var


def _record(**extra) -> logging.LogRecord:
    record = logging.LogRecord(
        "exchangeportal.request", logging.INFO, "x.py", 1, "GET %s", ("/",), None
    )
    record.created = 1_800_000_000.25
    for key, value in extra.items():
        setattr(record, key, value)
    RequestIDFilter().filter(record)
    return record


def test_json_formatter_one_line_with_extras():
    token = request_id_var.set("req-0001-abcd")
    try:
        line = JSONFormatter().format(_record(status=200, duration_ms=12.5, path="/"))
    finally:
        request_id_var.reset(token)

    assert "\n" not in line
    assert json.loads(line) == {
        "time": "2027-01-15T08:00:00.250+00:00",
        "level": "INFO",
        "logger": "exchangeportal.request",
        "message": "GET /",
        "request_id": "req-0001-abcd",
        "status": 200,
        "duration_ms": 12.5,
        "path": "/",
    }


def test_json_formatter_outside_request_has_dash_id():
    line = JSONFormatter().format(_record())

    assert json.loads(line)["request_id"] == "-"


def test_json_formatter_error_has_exception_and_no_request_object():
    class FakeRequest:  # stands in for the HttpRequest Django attaches to error records
        request_id = "req-0002-abcd"
        COOKIES = {"sessionid": "secret-session"}

    try:
        raise ValueError("boom")
    except ValueError:
        record = _record(request=FakeRequest())
        record.exc_info = sys.exc_info()

    entry = json.loads(JSONFormatter().format(record))

    assert entry["request_id"] == "req-0002-abcd"
    assert entry["exception"].splitlines()[-1] == "ValueError: boom"
    assert "request" not in entry
    assert "secret-session" not in json.dumps(entry)


def test_json_formatter_keeps_cjk_readable():
    record = _record()
    record.msg = "揚州 – 奈良"
    record.args = ()

    assert '"message": "揚州 – 奈良"' in JSONFormatter().format(record)
