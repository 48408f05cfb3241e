"""Countries and currencies as choices named in the reader's language (CLDR data via Babel)."""

import pytest
from django.utils import translation

from exchangeportal.infra.locale_names import (
    COUNTRY_CODES,
    CURRENCY_CODES,
    country_choices,
    country_name,
    currency_choices,
    currency_name,
    default_currency,
)


def test_country_codes_are_iso_3166_alpha_2_without_groupings():
    assert {"CN", "JP", "KR", "TW", "HK", "MO", "FR", "US"} <= COUNTRY_CODES
    assert COUNTRY_CODES.isdisjoint({"EU", "UN", "ZZ", "XK", "EZ", "QO", "AC", "IC"})
    assert all(len(code) == 2 and code.isupper() for code in COUNTRY_CODES)


def test_currency_codes_are_those_in_use():
    assert {"CNY", "JPY", "KRW", "USD", "EUR", "TWD", "HKD", "MOP"} <= CURRENCY_CODES
    assert CURRENCY_CODES.isdisjoint({"DEM", "FRF", "XAU", "XDR", "RMB"})


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", [("CN", "China"), ("JP", "Japan"), ("KR", "South Korea")]),
        ("zh-hans", [("CN", "中国"), ("JP", "日本"), ("KR", "韩国")]),
        ("ja", [("CN", "中国"), ("JP", "日本"), ("KR", "韓国")]),
        ("ko", [("CN", "중국"), ("JP", "일본"), ("KR", "대한민국")]),
    ],
)
def test_country_choices_put_china_japan_korea_first_in_the_readers_language(language, expected):
    choices = country_choices(language)

    assert choices[:3] == expected
    assert len(choices) == len(COUNTRY_CODES)
    rest = [name for _code, name in choices[3:]]
    assert rest == sorted(rest)


def test_country_choices_follow_the_active_language():
    with translation.override("ja"):
        assert country_choices()[2] == ("KR", "韓国")
        assert country_name("FR") == "フランス"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ("CNY", "CNY — Chinese Yuan")),
        ("zh-hans", ("CNY", "CNY — 人民币")),
        ("ja", ("JPY", "JPY — 日本円")),
        ("ko", ("KRW", "KRW — 대한민국 원")),
    ],
)
def test_currency_choices_named_in_the_readers_language(language, expected):
    choices = currency_choices(language)

    assert [code for code, _label in choices[:5]] == ["CNY", "JPY", "KRW", "USD", "EUR"]
    assert expected in choices
    assert [code for code, _label in choices] == [
        "CNY",
        "JPY",
        "KRW",
        "USD",
        "EUR",
        *sorted(CURRENCY_CODES - {"CNY", "JPY", "KRW", "USD", "EUR"}),
    ]


def test_currency_name_and_default_currency():
    assert currency_name("EUR", "ko") == "유로"
    assert [default_currency(country) for country in ("CN", "JP", "KR", "FR", "ZZ")] == [
        "CNY",
        "JPY",
        "KRW",
        "EUR",
        "",
    ]
