"""Request fields whose server-side checks are the ones the OpenAPI schema states.

- `JsonTypesMixin`: in a JSON body each field takes the JSON type the schema gives it —
  DRF would read `{"message": 0}` as the text "0" and `{"participants": "12"}` as 12. Form
  bodies (multipart) carry only text, and are read as DRF reads them.
- `TEXT_PATTERN`: no NUL character (DRF and Django refuse it in every text field);
  `VISIBLE_TEXT_PATTERN`: also at least one character that is not a space (the same set of
  spaces in Python as in the schema's ECMA-262 `\\s`).
- `PatternTextField`, `PatternDecimalField`: text or a decimal checked against the same
  regular expression the schema publishes.
"""

import re

from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

TEXT_PATTERN = r"^[^\x00]*$"
# ECMA-262 \s, spelled out so that Python's `re` and the schema agree on what a space is.
_SPACES = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
VISIBLE_TEXT_PATTERN = rf"^[^\x00]*[^\x00{_SPACES}][^\x00]*$"


def _json_type_error(field: serializers.Field, value) -> str | None:
    """The message when `value` (from a JSON body) is not of the field's JSON type, else None."""
    if value is None:
        return None  # `allow_null` decides
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else _("Give true or false.")
    if isinstance(field, serializers.IntegerField):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else _("Give a whole number (a JSON number, not text).")
    if isinstance(field, serializers.ListField | serializers.ManyRelatedField):
        return None if isinstance(value, list) else _("Give a list.")
    if isinstance(field, serializers.FileField):
        return None  # a file comes in a form; in JSON only null (remove) is read
    if isinstance(
        field,
        serializers.CharField
        | serializers.ChoiceField
        | serializers.DateField
        | serializers.DecimalField
        | serializers.RelatedField,
    ):
        return None if isinstance(value, str) else _("Give a text (a JSON string).")
    return None


class JsonTypesMixin:
    """A serializer refusing, in a JSON body, a value of another JSON type than its field's:
    400 naming each such field. Form bodies (a QueryDict) are left to DRF."""

    def to_internal_value(self, data):
        if isinstance(data, dict) and not isinstance(data, QueryDict):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or field.source == "*" or name not in data:
                    continue
                message = _json_type_error(field, data[name])
                if message:
                    errors[name] = [message]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class PatternTextField(serializers.CharField):
    """Text that must match `pattern` (as the schema says), checked before anything else."""

    def __init__(self, *, pattern: str, message: str, **kwargs):
        self.pattern = pattern
        self.regex = re.compile(pattern)
        self.pattern_message = message
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and not self.regex.match(data):
            raise serializers.ValidationError(self.pattern_message)
        return super().to_internal_value(data)


class PatternDecimalField(serializers.DecimalField):
    """A decimal given as text matching `pattern` (the schema's): `1e3` or `-5` do not pass
    by way of Python's Decimal. `negative_message`, if given, is what a negative number that
    otherwise matches is told (the rule's words, rather than the pattern's)."""

    def __init__(self, *, pattern: str, message: str, negative_message: str = "", **kwargs):
        self.pattern = pattern
        self.regex = re.compile(pattern)
        self.pattern_message = message
        self.negative_message = negative_message
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and not self.regex.match(text := data.strip()):
            negative = text.startswith("-") and self.regex.match(text[1:])
            message = self.negative_message if negative else ""
            raise serializers.ValidationError(message or self.pattern_message)
        return super().to_internal_value(data)


class PatternFieldExtension(OpenApiSerializerFieldExtension):
    """The schema of a pattern-checked field: its usual schema, with the field's own pattern."""

    target_class = "exchangeportal.infra.api.fields.PatternTextField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        schema["pattern"] = self.target.pattern
        return schema


class PatternDecimalFieldExtension(PatternFieldExtension):
    target_class = "exchangeportal.infra.api.fields.PatternDecimalField"
