"""Rules shared by models, forms and serializers."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

validate_country_code = RegexValidator(
    r"^[A-Z]{2}$", _("Use the two-letter ISO 3166-1 code in capitals, e.g. CN, JP or KR.")
)
validate_wikidata_id = RegexValidator(
    r"^Q[1-9]\d*$", _("A Wikidata id is the letter Q followed by digits, e.g. Q57943.")
)
validate_currency_code = RegexValidator(
    r"^[A-Z]{3}$", _("Use the three-letter ISO 4217 code, e.g. CNY, JPY, KRW or USD.")
)
latitude_validators = [
    MinValueValidator(-90, _("Latitude must be between -90 and 90.")),
    MaxValueValidator(90, _("Latitude must be between -90 and 90.")),
]
longitude_validators = [
    MinValueValidator(-180, _("Longitude must be between -180 and 180.")),
    MaxValueValidator(180, _("Longitude must be between -180 and 180.")),
]
