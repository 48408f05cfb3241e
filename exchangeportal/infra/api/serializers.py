"""A model serializer for the open API's read-only answers that builds its fields once per
class, not once per answer.

DRF's `ModelSerializer.get_fields` inspects the model and builds every field (labels,
validators, nested serializers) each time a serializer is made: about a third of the CPU
of an uncached API detail (`tests/bench/profile_page.py api-place`). A read-only
serializer's fields depend on its class alone, so the class keeps the fields it built the
first time in each language (DRF turns the model's verbose names into labels in the active
language) and each serializer gets copies of them (`copy.deepcopy`, as DRF itself copies
the declared fields). Not for serializers whose fields depend on the request or the
instance.
"""

import copy

from django.utils.translation import get_language
from rest_framework import serializers


class ReadModelSerializer(serializers.ModelSerializer):
    def get_fields(self):
        cls = type(self)
        if "_built_fields" not in cls.__dict__:
            cls._built_fields = {}
        language = get_language()
        built = cls._built_fields.get(language)
        if built is None:
            built = cls._built_fields[language] = super().get_fields()
        return copy.deepcopy(built)
