"""The events calendar's month: a grid of weeks, each day with the events held on it.

Plain data for the template (no queries here: the view passes the month's events from
`selectors.events_in_period`). The week starts on the day the active language's formats
say (`FIRST_DAY_OF_WEEK`: Sunday for English, Japanese and Korean, Monday for Chinese).
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.dates import WEEKDAYS
from django.utils.translation import pgettext

from cities.dates import DatePrecision

# Years a calendar page exists for; any other year answers 404 (no endless crawlable pages).
FIRST_YEAR = 1950
LAST_YEAR = 2100


def _short_weekdays() -> dict[int, str]:
    """Column headings, as a calendar in each language writes them (Mon / 周一 / 月 / 월);
    Python's numbering, 0 = Monday."""
    return {
        0: pgettext("weekday, short, calendar column", "Mon"),
        1: pgettext("weekday, short, calendar column", "Tue"),
        2: pgettext("weekday, short, calendar column", "Wed"),
        3: pgettext("weekday, short, calendar column", "Thu"),
        4: pgettext("weekday, short, calendar column", "Fri"),
        5: pgettext("weekday, short, calendar column", "Sat"),
        6: pgettext("weekday, short, calendar column", "Sun"),
    }


@dataclass(frozen=True)
class Weekday:
    number: int  # 0 = Monday
    short: str
    name: str

    @property
    def is_weekend(self) -> bool:
        return self.number >= 5


@dataclass
class CalendarDay:
    date: datetime.date
    in_month: bool
    is_today: bool
    weekday: Weekday
    events: list = field(default_factory=list)


@dataclass
class CalendarMonth:
    first_day: datetime.date
    title: str
    weekdays: list[Weekday]
    weeks: list[list[CalendarDay]]
    month_events: list  # known only to the month
    year_events: list  # known only to the year
    previous: datetime.date | None
    next: datetime.date | None

    @property
    def previous_title(self) -> str:
        return month_title(self.previous) if self.previous else ""

    @property
    def next_title(self) -> str:
        return month_title(self.next) if self.next else ""

    @property
    def event_count(self) -> int:
        dated = {event.pk for week in self.weeks for day in week for event in day.events}
        return len(dated | {e.pk for e in self.month_events} | {e.pk for e in self.year_events})


def month_is_shown(year: int, month: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)


def month_title(first_day: datetime.date) -> str:
    """ "December 2026", "2026年12月", "2026년 12월"."""
    return formats.date_format(first_day, pgettext("date format of a calendar's month", "F Y"))


def _neighbour(first_day: datetime.date, step: int) -> datetime.date | None:
    index = first_day.year * 12 + first_day.month - 1 + step
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, 1) if month_is_shown(year, month + 1) else None


def first_weekday() -> int:
    """Python's number (0 = Monday) of the first day of the week in the active language."""
    django_day = int(formats.get_format("FIRST_DAY_OF_WEEK"))  # Django: 0 = Sunday
    return (django_day - 1) % 7


def month_calendar(*, year: int, month: int, today: datetime.date, events: list) -> CalendarMonth:
    """The month's grid (whole weeks; days of the neighbouring months are marked, and left
    empty). An event known to the day is on every day it lasts within the month; one known
    only to the month or the year is listed apart, never spread over every day."""
    first_day, last_day = month_bounds(year, month)
    short = _short_weekdays()
    start = first_weekday()
    weekdays = [
        Weekday(
            number=(start + i) % 7,
            short=short[(start + i) % 7],
            name=str(WEEKDAYS[(start + i) % 7]),
        )
        for i in range(7)
    ]
    by_number = {weekday.number: weekday for weekday in weekdays}
    grid = calendar.Calendar(firstweekday=start).monthdatescalendar(year, month)
    days = {}
    weeks = []
    for week in grid:
        row = []
        for date in week:
            day = CalendarDay(
                date=date,
                in_month=date.month == month,
                is_today=date == today,
                weekday=by_number[date.weekday()],
            )
            if day.in_month:
                days[date] = day
            row.append(day)
        weeks.append(row)
    month_events, year_events = [], []
    for event in events:
        if event.date_precision == DatePrecision.YEAR:
            year_events.append(event)
        elif event.date_precision == DatePrecision.MONTH:
            month_events.append(event)
        else:
            date = max(event.starts_on, first_day)
            while date <= min(event.ends_on, last_day):
                days[date].events.append(event)
                date += datetime.timedelta(days=1)
    return CalendarMonth(
        first_day=first_day,
        title=month_title(first_day),
        weekdays=weekdays,
        weeks=weeks,
        month_events=month_events,
        year_events=year_events,
        previous=_neighbour(first_day, -1),
        next=_neighbour(first_day, 1),
    )
