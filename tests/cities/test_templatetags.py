from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from cities.templatetags.portal import money


@pytest.mark.parametrize("language", ["en", "zh-hans", "ja", "ko"])
def test_money_groups_digits_and_drops_whole_cents(language):
    with translation.override(language):
        shown = [
            money(Decimal("200000.00"), "CNY"),
            money(Decimal("1234.5"), "JPY"),
            money(Decimal("0"), "KRW"),
            money(Decimal("950"), ""),
            money(None, "CNY"),
        ]

    assert shown == ["200,000 CNY", "1,234.50 JPY", "0 KRW", "950", ""]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Theme: Go · Photo: Nara City · Nara, Kyoto"),
        ("zh-hans", "Theme：Go · Photo：Nara City · Nara、Kyoto"),
        ("ja", "Theme：Go · Photo：Nara City · Nara、Kyoto"),
        ("ko", "Theme: Go · Photo: Nara City · Nara, Kyoto"),
    ],
)
def test_label_and_list_separators_follow_the_language(language, expected):
    template = Template(
        "{% load portal %}Theme{% label_sep %}Go · Photo{% label_sep %}Nara City · "
        "{% for name in names %}{{ name }}{% if not forloop.last %}{% list_sep %}{% endif %}"
        "{% endfor %}"
    )

    with translation.override(language):
        rendered = template.render(Context({"names": ["Nara", "Kyoto"]}))

    assert rendered == expected
