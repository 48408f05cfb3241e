"""Structured logs: one JSON object per line, each carrying the id of the request it belongs to.

The request id lives in a context variable set by `RequestIDMiddleware`, so every log record
made while a request is handled (Django's own error log included) names it.
"""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

# Attributes every LogRecord has; anything else on a record was passed with `extra=`.
_STANDARD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys()
    | {"message", "asctime", "request_id", "taskName"}
)


class RequestIDFilter(logging.Filter):
    """Stamp each record with the current request id ("-" outside a request).

    Django logs 4xx/5xx responses after the middleware chain has returned, with the request
    attached to the record: the id is then taken from that request.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or request_id_var.get()
        return True


class JSONFormatter(logging.Formatter):
    """Format a record as one line of JSON: time, level, logger, message, request id, extras.

    The `request` object Django attaches to its error records is left out (it is not JSON and
    could carry cookies); the exception's traceback is included as text.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for key, value in record.__dict__.items():
            if key in _STANDARD_ATTRIBUTES or key in entry or key == "request":
                continue
            entry[key] = value if isinstance(value, str | int | float | bool | None) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
