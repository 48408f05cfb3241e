# English dates the way the portal's sources write them: "23 May 2010", "Nov 2002", "1995".
DATE_FORMAT = "j M Y"
YEAR_MONTH_FORMAT = "M Y"
YEAR_FORMAT = "Y"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "j M Y, H:i"
# One style per language: a short date and time reads like the long one (never Django's
# "11/30/2026 11:43 a.m." beside "30 Nov 2026").
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
