import datetime

import pytest
from django.utils import translation

from cities.dates import DatePrecision, format_partial_date

YEAR = (datetime.date(1995, 1, 1), DatePrecision.YEAR)
MONTH = (datetime.date(2002, 11, 1), DatePrecision.MONTH)
DAY = (datetime.date(2010, 5, 23), DatePrecision.DAY)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["1995", "Nov 2002", "23 May 2010"]),
        ("zh-hans", ["1995年", "2002年11月", "2010年5月23日"]),
        ("ja", ["1995年", "2002年11月", "2010年5月23日"]),
        ("ko", ["1995년", "2002년 11월", "2010년 5월 23일"]),
    ],
)
def test_format_partial_date_reads_naturally_in_each_language(language, expected):
    with translation.override(language):
        shown = [format_partial_date(value, precision) for value, precision in (YEAR, MONTH, DAY)]

    assert shown == expected


def test_format_partial_date_of_an_unknown_date_is_empty():
    with translation.override("ja"):
        assert format_partial_date(None, DatePrecision.DAY) == ""
