DATE_FORMAT = "Y年n月j日"
YEAR_MONTH_FORMAT = "Y年n月"
YEAR_FORMAT = "Y年"
SHORT_DATE_FORMAT = "Y/m/d"
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
TIME_FORMAT = "H:i"
# Populations and budgets read "1,584,237" here too (Django has no separator for zh-hans).
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
