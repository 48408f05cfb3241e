# English dates the way the portal's sources write them: "23 May 2010", "Nov 2002", "1995".
DATE_FORMAT = "j M Y"
YEAR_MONTH_FORMAT = "M Y"
YEAR_FORMAT = "Y"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
