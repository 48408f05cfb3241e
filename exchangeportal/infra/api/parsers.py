"""Request bodies the API reads: JSON, and multipart/form-data that is really a form."""

from django.utils.http import parse_header_parameters
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import MultiPartParser

# The closing delimiter alone ("--<boundary>--" and a line break) is an empty form.
_EMPTY_FORM_SLACK = len("----\r\n") + 2


class StrictMultiPartParser(MultiPartParser):
    """multipart/form-data whose content is named parts (form fields and files).

    Django's parser skips a part without `Content-Disposition: form-data; name="…"`, so a
    malformed body (a bare value between two boundaries) would read as an empty form, and an
    update or action would succeed with nothing. Such a body answers 400 instead; an empty form
    (only the closing delimiter) stays an empty form.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        if parsed.data or parsed.files:
            return parsed
        meta = parser_context["request"].META
        boundary = parse_header_parameters(media_type or "")[1].get("boundary", "")
        try:
            length = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > len(boundary) + _EMPTY_FORM_SLACK:
            raise exceptions.ParseError(
                _(
                    "Malformed multipart body: no part is a form field or a file (each part "
                    "needs a “Content-Disposition: form-data; name=…” header)."
                )
            )
        return parsed
