"""Partial dates: sources give "1995", "2002-11" or "2010-05-23"; we keep the precision.

A partial date is stored as a `DateField` holding the first day of what is known
(1995-01-01 for "1995") plus a `DatePrecision`. These helpers parse, format
(localised: "1995" / "1995年" / "1995년") and write the ISO partial form.
"""

import datetime
import re

from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _


class DatePrecision(models.TextChoices):
    YEAR = "year", _("year")
    MONTH = "month", _("month")
    DAY = "day", _("day")


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_partial_date(text: str) -> tuple[datetime.date, str]:
    """Parse "1995", "2002-11" or "2010-05-23" into (date, precision); ValueError otherwise."""
    match = _PARTIAL_DATE.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    try:
        value = datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError as error:
        raise ValueError(f"'{text}' is not a real date ({error})") from None
    if day:
        return value, DatePrecision.DAY
    if month:
        return value, DatePrecision.MONTH
    return value, DatePrecision.YEAR


def partial_date_iso(value: datetime.date | None, precision: str) -> str:
    """The ISO partial form: "1995", "2002-11", "2010-05-23"; "" when unknown."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def _year_format() -> str:
    for module in formats.get_format_modules():
        if hasattr(module, "YEAR_FORMAT"):
            return module.YEAR_FORMAT
    return "Y"


def format_partial_date(value: datetime.date | None, precision: str) -> str:
    """Show only what is known, in the active language: "23 May 2010", "Nov 2002", "1995"."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return formats.date_format(value, _year_format())
    if precision == DatePrecision.MONTH:
        return formats.date_format(value, "YEAR_MONTH_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")
