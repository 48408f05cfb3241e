"""Countries (ISO 3166-1 alpha-2) and currencies (ISO 4217) as choices named in the reader's
language, from the Unicode CLDR data that Babel ships.

The sign-up form offers the countries, the proposal form the currencies; the proposal rules
accept exactly `CURRENCY_CODES`, so the select and the check cannot drift. China, Japan and
Korea (and their currencies, the dollar and the euro) come first.
"""

import datetime
import functools

from babel import Locale
from babel.numbers import get_currency_name, get_territory_currencies
from django.utils.translation import get_language

# CLDR's two-letter territories that are not ISO 3166-1 countries: exceptionally reserved
# codes (Ascension, Clipperton, Diego Garcia, Ceuta and Melilla, Canary Islands, Tristan da
# Cunha), groupings (EU, eurozone, UN, outlying Oceania), private-use and unknown codes.
_NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
)
FIRST_COUNTRIES = ("CN", "JP", "KR")
FIRST_CURRENCIES = ("CNY", "JPY", "KRW", "USD", "EUR")
_BABEL_LOCALES = {"en": "en", "zh-hans": "zh_Hans", "ja": "ja", "ko": "ko"}

_ENGLISH = Locale.parse("en")
COUNTRY_CODES = frozenset(
    code
    for code in _ENGLISH.territories
    if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
)
# The currencies that are legal tender somewhere today (CLDR's territory data): real ISO 4217
# codes in use, not the historic ones (DEM, FRF) nor funds and metals (XAU, XDR).
CURRENCY_CODES = frozenset(
    currency
    for country in COUNTRY_CODES
    for currency in get_territory_currencies(country, datetime.date.today(), tender=True)
)


def _locale(language: str | None) -> Locale:
    code = (language or get_language() or "en").lower()
    return Locale.parse(_BABEL_LOCALES.get(code, "en"))


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in `language` (the active one by default); the code if unknown."""
    locale = _locale(language)
    return locale.territories.get(code) or _ENGLISH.territories.get(code) or code


def currency_name(code: str, language: str | None = None) -> str:
    return get_currency_name(code, locale=_locale(language))


@functools.cache
def _country_choices(locale_code: str) -> tuple[tuple[str, str], ...]:
    locale = Locale.parse(locale_code)
    others = sorted(
        (code for code in COUNTRY_CODES if code not in FIRST_COUNTRIES),
        key=lambda code: locale.territories.get(code, code),
    )
    return tuple((code, locale.territories.get(code, code)) for code in (*FIRST_COUNTRIES, *others))


@functools.cache
def _currency_choices(locale_code: str) -> tuple[tuple[str, str], ...]:
    others = sorted(code for code in CURRENCY_CODES if code not in FIRST_CURRENCIES)
    return tuple(
        (code, f"{code} — {get_currency_name(code, locale=locale_code)}")
        for code in (*FIRST_CURRENCIES, *others)
    )


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(code, name) for every ISO 3166-1 country, China, Japan and Korea first, then by name,
    named in `language` (the active one by default)."""
    return list(_country_choices(str(_locale(language))))


def currency_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(code, "CNY — name") for every currency in use, CNY, JPY, KRW, USD and EUR first, then by
    code, named in `language` (the active one by default)."""
    return list(_currency_choices(str(_locale(language))))


def default_currency(country: str) -> str:
    """The currency of `country` (CN → CNY), or "" when the data knows none."""
    currencies = get_territory_currencies(country, datetime.date.today(), tender=True)
    return currencies[0] if currencies and currencies[0] in CURRENCY_CODES else ""
