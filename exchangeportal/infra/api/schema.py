"""The OpenAPI schema's shared parts: error answers, authentication answers, the description."""

from .fields import TEXT_PATTERN
from .throttling import rate_from_settings

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: `detail` says what went wrong.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": (
        "Invalid input: each key names a parameter or field (or `detail` / "
        "`non_field_errors`) and holds the list of what is wrong with it."
    ),
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "description": "Errors of a list's items, by position."},
        ]
    },
}

_ERROR_RESPONSES = {
    "400": ("BadRequest", "Invalid parameter or field values, or a refused action (see the body)."),
    "404": ("Error", "Not found, or a page number past the last page."),
    "429": ("Error", "Too many requests: see the throttling rates in the description."),
}
_AUTH_RESPONSES = {
    "401": ("Error", "No valid credentials (send `Authorization: Token <key>` or sign in)."),
    "403": ("Error", "Signed in, but not allowed to do this."),
}


API_DESCRIPTION = """\
Everything the CJK City Exchange Portal shows — places, ties, Culture City of East Asia
designations, exchange events and series — with the sources of every fact.

* **Read-only resources** (`cities`, `ties`, `designations`, `events`, `series`) need no
  account. Lists take the portal's filters plus `search`, `ordering`, `page` and
  `page_size` (at most 100). A malformed filter value answers 400 naming the parameter.
* **CSV**: add `format=csv` to any list (or send `Accept: text/csv`) for every matching row,
  streamed, with the same filters. `/api/v1/dump.zip` holds all open data as CSV files with
  a README of every column and the licence.
* **Dates** are partial ISO strings — `"1995"`, `"2002-11"`, `"2010-05-23"` — with their
  precision alongside.
* **Authentication** (partners' proposals only): a session, or `Authorization: Token <key>`.
* **Throttling**: anonymous clients {anon} per IP address, signed-in clients {user} per user;
  past the limit the API answers 429 with a `Retry-After` header.
* **Empty parameters** (`?country=`) count as absent, as in the portal's forms.
* **Errors** are JSON: `{{"detail": "…"}}`, or `{{"field": ["…"]}}` for invalid input.
* **CORS**: any web page may read the API anonymously (GET); nothing else cross-origin.
"""


def postprocess_error_responses(result, generator, request, public):
    """Document the JSON error answers on every operation (and 401/403 where auth is needed),
    the throttling rates in force, and a description on fields that only had a title."""
    result["info"]["description"] = API_DESCRIPTION.format(
        anon=rate_from_settings("anon") or "unlimited",
        user=rate_from_settings("user") or "unlimited",
    )
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    components["FieldErrors"] = FIELD_ERRORS_SCHEMA
    components["BadRequest"] = {
        "description": "Field errors, or one `detail` message (e.g. a refused transition).",
        "anyOf": [
            {"$ref": "#/components/schemas/FieldErrors"},
            {"$ref": "#/components/schemas/Error"},
        ],
    }
    for component in components.values():
        for spec in component.get("properties", {}).values():
            if not spec.get("description") and spec.get("title"):
                spec["description"] = spec["title"]
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True  # an empty value counts as absent
            extra = dict(_ERROR_RESPONSES)
            if operation.get("security") and {} not in operation["security"]:
                extra.update(_AUTH_RESPONSES)
            for status, (schema, description) in extra.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{schema}"}
                            }
                        },
                    },
                )
    return result


def _forbid_nul(schema: dict) -> None:
    """Give a free text (a string with no format, choices or pattern of its own) the pattern
    that refuses the NUL character, as the server does; into lists and alternatives too."""
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not {"format", "enum", "pattern"} & set(schema):
        schema["pattern"] = TEXT_PATTERN
    for key in ("items", "additionalProperties"):
        _forbid_nul(schema.get(key))
    for key in ("oneOf", "anyOf", "allOf"):
        for member in schema.get(key, []):
            _forbid_nul(member)
    for member in schema.get("properties", {}).values():
        _forbid_nul(member)


def postprocess_text_patterns(result, generator, request, public):
    """State that free text refuses NUL (Django's and DRF's text fields answer 400 to it), in
    query parameters and in request bodies (the `…Request` components)."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            _forbid_nul(component)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    _forbid_nul(parameter.get("schema"))
    return result
