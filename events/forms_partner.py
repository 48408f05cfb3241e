"""Public forms for partners: sign-up and the proposal form."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cities.models import City, FriendshipLink, country_label
from cities.validators import validate_country_code
from exchangeportal.images import ACCEPT_ATTRIBUTE, process_image

from .models import PROPOSAL_IMAGE_FIELDS, PROPOSAL_PARTNER_FIELDS, EventProposal, PartnerKind
from .services import REQUIRED_ON_SUBMIT, partner_place_errors
from .validators import validate_pdf

HONEYPOT_FIELD = "homepage"


class HoneypotMixin:
    """A field people never see (hidden by CSS) and bots fill in."""

    def add_honeypot(self):
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            required=False,
            label=_("Leave this field empty"),
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))


# Larger primary keys make SQLite's driver raise OverflowError (a 500), which Django's
# choice fields do not catch: found by the fuzz tests. Such values are simply invalid choices.
MAX_PK = 2**63 - 1


def pk_out_of_range(value) -> bool:
    try:
        return abs(int(str(value).strip())) > MAX_PK
    except (TypeError, ValueError):
        return False  # not a number: Django's own checks refuse it


class InRangeChoiceMixin:
    def to_python(self, value):
        if value not in self.empty_values and pk_out_of_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class InRangeMultipleChoiceMixin:
    def _check_values(self, value):
        for item in value:
            if pk_out_of_range(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(value)


class PlaceChoiceField(InRangeChoiceMixin, forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({country_label(obj.country)})"


class PlaceMultipleChoiceField(InRangeMultipleChoiceMixin, forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({country_label(obj.country)})"


class TieMultipleChoiceField(InRangeMultipleChoiceMixin, forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.city_a.name} — {obj.city_b.name}"


def place_queryset():
    return City.objects.order_by("name_en")


class PartnerRegistrationForm(HoneypotMixin, forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only."),
        validators=[get_user_model().username_validator],
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We send a link to confirm it before your first submission."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    name_en = forms.CharField(
        label=_("Organisation name (English)"), max_length=300, required=False
    )
    name_zh_hans = forms.CharField(
        label=_("Organisation name (simplified Chinese)"), max_length=300, required=False
    )
    name_ja = forms.CharField(
        label=_("Organisation name (Japanese)"), max_length=300, required=False
    )
    name_ko = forms.CharField(label=_("Organisation name (Korean)"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind of organisation"), choices=PartnerKind.choices)
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        help_text=_("Two-letter code: CN, JP, KR, or any other ISO code."),
    )
    place = PlaceChoiceField(
        label=_("Place"),
        queryset=place_queryset(),
        required=False,
        help_text=_("The place your organisation belongs to, if it is on the portal."),
    )
    website = forms.URLField(
        label=_("Website"), max_length=500, required=False, assume_scheme="https"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = place_queryset()
        self.add_honeypot()

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This user name is taken. Choose another."))
        return username

    def clean_email(self):
        email = self.cleaned_data["email"]
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _("An account with this e-mail address exists. Log in or reset the password.")
            )
        return email

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        validate_country_code(country)
        return country

    def clean(self):
        cleaned = super().clean()
        names = [cleaned.get(f"name_{code}") for code in ("en", "zh_hans", "ja", "ko")]
        if not any(names):
            self.add_error("name_en", _("Give the organisation's name in at least one language."))
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            user = get_user_model()(
                username=cleaned.get("username", ""), email=cleaned.get("email", "")
            )
            try:
                password_validation.validate_password(password1, user)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    @property
    def partner_names(self) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(f"name_{code.replace('-', '_')}", "")
            for code in ("en", "zh-hans", "ja", "ko")
        }


class ProposalForm(HoneypotMixin, forms.ModelForm):
    """The partner's proposal. With `require_complete` (the Submit button) every field a
    submission needs is required and the submission rules apply; a draft needs nothing but
    well-formed values. Server-owned fields are not here."""

    host = PlaceChoiceField(label=_("Host place"), queryset=City.objects.none(), required=False)
    partner_places = PlaceMultipleChoiceField(
        label=_("Partner places"),
        queryset=City.objects.none(),
        required=False,
        help_text=_("At least one in a different country from the host."),
    )
    links = TieMultipleChoiceField(
        label=_("Ties served"),
        queryset=FriendshipLink.objects.none(),
        required=False,
        help_text=_("Optional: the sister or friendship ties this event serves."),
    )
    online_url = forms.URLField(
        label=_("Online link"), max_length=500, required=False, assume_scheme="https"
    )
    source_url = forms.URLField(
        label=_("Public announcement"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("A public page about the event; it becomes the event's source."),
    )
    image_1 = forms.FileField(label=_("Image 1"), required=False)
    image_2 = forms.FileField(label=_("Image 2"), required=False)
    image_3 = forms.FileField(label=_("Image 3"), required=False)
    remove_image_1 = forms.BooleanField(label=_("Remove image 1"), required=False)
    remove_image_2 = forms.BooleanField(label=_("Remove image 2"), required=False)
    remove_image_3 = forms.BooleanField(label=_("Remove image 3"), required=False)
    document = forms.FileField(
        label=_("PDF document"), required=False, help_text=_("Optional, at most 10 MB.")
    )
    remove_document = forms.BooleanField(label=_("Remove the PDF"), required=False)

    class Meta:
        model = EventProposal
        fields = list(PROPOSAL_PARTNER_FIELDS)
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, require_complete: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_complete = require_complete
        self.fields["host"].queryset = place_queryset()
        self.fields["partner_places"].queryset = place_queryset()
        self.fields["links"].queryset = FriendshipLink.objects.select_related(
            "city_a", "city_b"
        ).order_by("city_a__name_en", "city_b__name_en")
        self.fields["participants"].validators.append(
            MinValueValidator(1, _("Expect at least one participant."))
        )
        self.fields["participants"].widget.attrs["min"] = 1
        self.fields["budget_amount"].validators.append(
            MinValueValidator(0, _("A budget cannot be negative."))
        )
        self.fields["budget_amount"].widget.attrs["min"] = 0
        for name in PROPOSAL_IMAGE_FIELDS:
            self.fields[name].widget.attrs["accept"] = ACCEPT_ATTRIBUTE
        self.fields["document"].widget.attrs["accept"] = "application/pdf,.pdf"
        self.fields["privacy_consent"].label = _(
            "I agree that the portal stores these details to review the proposal and, "
            "if it is accepted, publishes the event."
        )
        for name in self.fields:
            self.fields[name].required = False
        for name in (*REQUIRED_ON_SUBMIT, "partner_places", "privacy_consent"):
            # Marked with * in the template; enforced only when submitting.
            self.fields[name].required_to_submit = True
            self.fields[name].required = require_complete
        self.add_honeypot()

    def _clean_image(self, name):
        upload = self.cleaned_data.get(name)
        if not upload:
            return None
        return process_image(upload)

    def clean_image_1(self):
        return self._clean_image("image_1")

    def clean_image_2(self):
        return self._clean_image("image_2")

    def clean_image_3(self):
        return self._clean_image("image_3")

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload:
            validate_pdf(upload)
        return upload

    def clean_budget_currency(self):
        return (self.cleaned_data.get("budget_currency") or "").upper()

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end date is before the start date."))
        host, places = cleaned.get("host"), list(cleaned.get("partner_places") or [])
        if host is not None and any(place.pk == host.pk for place in places):
            self.add_error(
                "partner_places", _("The host place cannot also be one of its own partners.")
            )
        if cleaned.get("budget_amount") is not None and not cleaned.get("budget_currency"):
            self.add_error("budget_currency", _("Give the currency of the budget."))
        if self.require_complete:
            if starts_on and starts_on < timezone.localdate():
                self.add_error(
                    "starts_on", _("The start date is in the past. Propose a date from today on.")
                )
            if host is not None and places:
                for message in partner_place_errors(host=host, partner_places=places):
                    if "own partners" not in message:
                        self.add_error("partner_places", message)
            event_format = cleaned.get("format")
            if event_format in ("in_person", "hybrid") and not cleaned.get("venue"):
                self.add_error("venue", _("Give the venue of an in-person or hybrid event."))
            if event_format in ("online", "hybrid") and not cleaned.get("online_url"):
                self.add_error(
                    "online_url", _("Give the online link of an online or hybrid event.")
                )
        return cleaned

    # What the view hands to `proposal_save`.

    def content_fields(self) -> dict:
        plain = [name for name in self.Meta.fields if name not in ("partner_places", "links")]
        return {name: self.cleaned_data.get(name) for name in plain if name in self.cleaned_data}

    def image_changes(self) -> dict:
        changes = {}
        for name in PROPOSAL_IMAGE_FIELDS:
            if self.cleaned_data.get(name):
                changes[name] = self.cleaned_data[name]
            elif self.cleaned_data.get(f"remove_{name}"):
                changes[name] = None
        return changes

    def valid_uploads(self) -> dict:
        """Images that passed the pipeline even though another field failed: kept with the
        draft so the partner never uploads them twice."""
        return {
            name: self.cleaned_data[name]
            for name in PROPOSAL_IMAGE_FIELDS
            if self.cleaned_data.get(name) and name not in self.errors
        }

    def valid_document(self):
        if "document" in self.errors:
            return None
        return self.cleaned_data.get("document")


def default_language() -> str:
    return get_language() or "en"
