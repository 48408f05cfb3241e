import datetime

import pytest
from django.utils import translation

from cities.dates import format_partial_date, parse_partial_date, partial_date_iso


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1995", (datetime.date(1995, 1, 1), "year")),
        ("2002-11", (datetime.date(2002, 11, 1), "month")),
        ("2010-05-23", (datetime.date(2010, 5, 23), "day")),
        (" 2010-5-3 ", (datetime.date(2010, 5, 3), "day")),
    ],
)
def test_parse_partial_date_keeps_the_precision(text, expected):
    assert parse_partial_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("May 2010", "'May 2010' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2010-02-30", "'2010-02-30' is not a real date (day is out of range for month)"),
        ("2010-13", "'2010-13' is not a real date (month must be in 1..12)"),
    ],
)
def test_parse_partial_date_refuses_bad_dates_with_a_reason(text, message):
    with pytest.raises(ValueError) as error:
        parse_partial_date(text)

    assert str(error.value) == message


@pytest.mark.parametrize("text", ["1995", "2002-11", "2010-05-23"])
def test_partial_date_iso_round_trips(text):
    assert partial_date_iso(*parse_partial_date(text)) == text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["1995", "Nov 2002", "23 May 2010"]),
        ("zh-hans", ["1995年", "2002年11月", "2010年5月23日"]),
        ("ja", ["1995年", "2002年11月", "2010年5月23日"]),
        ("ko", ["1995년", "2002년 11월", "2010년 5월 23일"]),
    ],
)
def test_partial_dates_read_naturally_in_each_language(language, expected):
    dates = [parse_partial_date(text) for text in ("1995", "2002-11", "2010-05-23")]

    with translation.override(language):
        shown = [format_partial_date(value, precision) for value, precision in dates]

    assert shown == expected
