import datetime

import icalendar

from exchangeportal.infra.ical import all_day_component, build_calendar


def test_a_calendar_with_no_event_holds_the_time_zone_so_it_stays_valid():
    calendar = build_calendar([], name="Exchange events of Yeosu", time_zone="Asia/Seoul")

    parsed = icalendar.Calendar.from_ical(calendar.to_ical())
    assert [component.name for component in parsed.subcomponents] == ["VTIMEZONE"]
    assert str(parsed.subcomponents[0]["TZID"]) == "Asia/Seoul"
    assert str(parsed["VERSION"]) == "2.0"


def test_a_calendar_with_events_gets_no_extra_time_zone():
    event = all_day_component(
        uid="anniversary-1",
        day=datetime.date(2026, 5, 1),
        summary="Nara and Yangzhou: 16 years",
        description="",
        url="",
        stamp=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )

    calendar = build_calendar([event], name="Anniversaries", time_zone="Asia/Tokyo")

    assert [component.name for component in calendar.subcomponents] == ["VEVENT"]
