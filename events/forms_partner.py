"""Public forms for partners: sign-up and the proposal form."""

import contextlib
import functools

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cities.models import City, FriendshipLink
from cities.selectors import place_reference, places_answering_to, ties_among
from exchangeportal.infra.images import ACCEPT_ATTRIBUTE, process_image
from exchangeportal.infra.locale_names import CURRENCY_CODES, country_choices, currency_choices
from exchangeportal.infra.mail import Message, mail_queue
from exchangeportal.infra.translation import CONTENT_LANGUAGE_SUFFIXES, language_suffix

from .models import (
    PROPOSAL_IMAGE_FIELDS,
    PROPOSAL_PARTNER_FIELDS,
    PROPOSAL_SUMMARY_FIELDS,
    EventProposal,
    PartnerKind,
)
from .validators import REQUIRED_ON_SUBMIT, proposal_errors, proposal_values, validate_pdf

HONEYPOT_FIELD = "homepage"
# A hidden input beside the "ties served" checkboxes: the ties the page has shown.
TIES_SHOWN_FIELD = "ties_shown"


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


class CodeChoiceField(forms.ChoiceField):
    """A select of codes (countries, currencies) that also takes a code typed in lower case by
    a script or an older page ("cn", "jpy")."""

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class CurrencyField(CodeChoiceField):
    """The select of `currency_choices`. Whether a code is a currency in use is the proposal
    rule's to say (`events.validators.proposal_budget_currency_rule`), so the form, the API
    and the services refuse an unknown code in the same words."""

    def validate(self, value):
        forms.Field.validate(self, value)  # required or not; not the choice check


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password reset, its mail queued like every other (`exchangeportal.infra.mail`): a
    mail server outage is recorded for a retry instead of answering 500."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = render_to_string(subject_template_name, context)
        html = (
            render_to_string(html_email_template_name, context) if html_email_template_name else ""
        )
        mail_queue(
            messages=[
                Message(
                    to=to_email,
                    subject=" ".join(subject.split()),
                    body=render_to_string(email_template_name, context),
                    html_body=html,
                )
            ],
            from_email=from_email or "",
        )


PLACE_SUGGESTIONS_ID = "place-suggestions"  # the <datalist> static/js/place-suggest.js fills
MAX_PARTNER_PLACES = 20


def _as_places(value) -> list[City]:
    """Initial values as places: City objects kept, primary keys loaded in one query."""
    items = list(value) if isinstance(value, list | tuple | set) else [value]
    places = [item for item in items if isinstance(item, City)]
    ids = [item for item in items if not isinstance(item, City) and item not in (None, "")]
    if ids:
        with contextlib.suppress(TypeError, ValueError):  # not primary keys: nothing to show
            places += list(City.objects.filter(pk__in=ids).order_by("name_en", "pk"))
    return places


def resolve_place(reference: str, *, answers: dict[str, list[City]] | None = None) -> City:
    """The one place a typed reference means, or a ValidationError that says what to type.

    `answers` remembers what each reference answered, so a form that looks its places up
    before cleaning (to offer the ties between them) does not ask the database twice.
    """
    if answers is None:
        places = places_answering_to(reference)
    else:
        if reference not in answers:
            answers[reference] = places_answering_to(reference)
        places = answers[reference]
    if len(places) == 1:
        return places[0]
    if not places:
        raise ValidationError(
            _(
                "No place on the portal is called “%(value)s”. Pick one of the suggestions, "
                "or type the name as it is written on the place's page."
            ),
            code="unknown_place",
            params={"value": reference},
        )
    raise ValidationError(
        _("Several places are called “%(value)s”: type the one you mean — %(places)s."),
        code="ambiguous_place",
        params={"value": reference, "places": "; ".join(map(place_reference, places))},
    )


class OnePlaceField(forms.CharField):
    """One place, typed: its name in any script, or "Name (slug)" as the suggestions give it.

    Not a <select> of every place (20,000 at synthetic scale): the browser suggests
    places from the open API as the partner types (static/js/place-suggest.js); without
    JavaScript the typed name alone works. Two queries at most to resolve it.
    """

    answers = None  # set by the form: what each reference answered (see `resolve_place`)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 300)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"list": PLACE_SUGGESTIONS_ID, "autocomplete": "off", "data-place-suggest": ""}
        )

    def prepare_value(self, value):
        if isinstance(value, str):
            return value  # what the partner typed, kept as typed
        places = _as_places(value)
        return place_reference(places[0]) if places else ""

    def clean(self, value):
        reference = super().clean(value)
        return resolve_place(reference, answers=self.answers) if reference else None


class PlaceListField(forms.CharField):
    """Several places, one per line (or separated by ";"), each typed as in `OnePlaceField`.

    Each line that does not resolve is named in the error, and the text stays as typed.
    At most `MAX_PARTNER_PLACES` lines, so the work per request stays bounded.
    """

    widget = forms.Textarea(attrs={"rows": 3})
    answers = None  # set by the form, as on `OnePlaceField`

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 6000)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, str):
            return value
        return "\n".join(place_reference(place) for place in _as_places(value or []))

    def clean(self, value):
        references = place_lines(super().clean(value) or "")
        if len(references) > MAX_PARTNER_PLACES:
            raise ValidationError(
                _("Name at most %(limit)d partner places."),
                code="too_many_places",
                params={"limit": MAX_PARTNER_PLACES},
            )
        places, errors = [], []
        for reference in references:
            try:
                place = resolve_place(reference, answers=self.answers)
            except ValidationError as error:
                errors.extend(error.error_list)
                continue
            if place not in places:
                places.append(place)
        if errors:
            raise ValidationError(errors)
        return places


def place_lines(text: str) -> list[str]:
    """The references of a partner-places text: one per line or separated by ";", once each."""
    lines = [line.strip() for line in text.replace("；", ";").replace(";", "\n").splitlines()]
    return list(dict.fromkeys(line for line in lines if line))


class TieMultipleChoiceField(InRangeMultipleChoiceMixin, forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.city_a.name} — {obj.city_b.name}"


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
    country = CodeChoiceField(
        label=_("Country"),
        choices=lambda: [("", _("Choose the country")), *country_choices()],
        help_text=_("Where your organisation is based."),
    )
    place = OnePlaceField(
        label=_("Place"),
        required=False,
        help_text=_(
            "The place your organisation belongs to, if it is on the portal: type its name "
            "in any language."
        ),
    )
    website = forms.URLField(
        label=_("Website"), max_length=500, required=False, assume_scheme="https"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_honeypot()

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This user name is taken. Choose another."))
        return username

    # No check that the e-mail address is free: the form would tell anyone who has an account.
    # `partner_register` mails the address's owner instead, and the sign-up answers the same.

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


HTML_LANG = {"en": "en", "zh_hans": "zh-Hans", "ja": "ja", "ko": "ko"}


class ProposalForm(HoneypotMixin, forms.ModelForm):
    """The partner's proposal. With `require_complete` (the Submit button) every field a
    submission needs is required and the submission rules apply; a draft needs nothing but
    well-formed values. Server-owned fields are not here."""

    host = OnePlaceField(
        label=_("Host place"),
        required=False,
        help_text=_("Type its name in any language and pick it from the suggestions."),
    )
    partner_places = PlaceListField(
        label=_("Partner places"),
        required=False,
        help_text=_(
            "One place per line, typed like the host. At least one in a different country "
            "from the host."
        ),
    )
    links = TieMultipleChoiceField(
        label=_("Ties served"),
        queryset=FriendshipLink.objects.none(),
        required=False,
        help_text=_(
            "Optional: the sister or friendship ties this event serves, among the ties "
            "between the host and the partner places named above."
        ),
    )
    budget_currency = CurrencyField(
        label=_("Currency"),
        required=False,
        choices=lambda: [("", "—"), *currency_choices()],
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
            **{name: forms.Textarea(attrs={"rows": 3}) for name in PROPOSAL_SUMMARY_FIELDS},
            "description": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, require_complete: bool = False, typed_places=None, **kwargs):
        """`typed_places`: a mapping with the host and partner places as typed, for an unbound
        form that offers their ties (the fragment static/js/proposal-ties.js asks for); a
        bound form reads them from its data."""
        self.initial_from_caller = kwargs.get("initial") or {}
        super().__init__(*args, **kwargs)
        self.require_complete = require_complete
        # Only the ties between the places named (as typed in this request, else as saved):
        # a short list, not every tie of the portal (100,000 at synthetic scale). The places
        # are looked up once; the fields' cleaning reuses the answers.
        answers: dict[str, list[City]] = {}
        self.fields["host"].answers = self.fields["partner_places"].answers = answers
        self.unresolved_places: list[str] = []
        if self.is_bound or typed_places is not None:
            named = self._typed_places(answers, self.data if self.is_bound else typed_places)
        else:
            named = self._saved_places()
        self.fields["links"].queryset = ties_among(named)
        self.links_offered = len(named) >= 2  # else there is no tie to choose from
        stored_currency = self.instance.budget_currency
        if stored_currency and stored_currency not in CURRENCY_CODES:
            # An older free-text value: shown (and refused by the rule), never dropped silently.
            self.fields["budget_currency"].choices = [
                (stored_currency, stored_currency),
                *self.fields["budget_currency"].choices,
            ]
        # The browser's hint; the rules themselves are `events.validators`'.
        self.fields["participants"].widget.attrs["min"] = 1
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
        for suffix in CONTENT_LANGUAGE_SUFFIXES:
            # The browser's spelling checker and fonts follow the text's language.
            for base in ("title", "summary"):
                self.fields[f"{base}_{suffix}"].widget.attrs["lang"] = HTML_LANG[suffix]
        if self.instance.pk is None and "language" not in self.initial_from_caller:
            self.initial["language"] = default_language()
        self.add_honeypot()

    def _typed_places(self, answers: dict[str, list[City]], typed) -> list[City]:
        """The places the submitted host and partner places name, each reference looked up
        once (at most `MAX_PARTNER_PLACES` + 1); those that name no place, or several, are in
        `unresolved_places` (the fields say why when cleaned)."""
        references = [
            str(typed.get(self.add_prefix("host")) or "").strip(),
            *place_lines(str(typed.get(self.add_prefix("partner_places")) or "")),
        ]
        places: list[City] = []
        for reference in [ref for ref in references if ref][: MAX_PARTNER_PLACES + 1]:
            try:
                place = resolve_place(reference, answers=answers)
            except ValidationError:
                self.unresolved_places.append(reference)
                continue
            if place not in places:
                places.append(place)
        return places

    @functools.cached_property
    def offered_tie_ids(self) -> list[int]:
        """The ties offered as checkboxes (between the places named), by primary key."""
        if not self.links_offered:
            return []
        return list(self.fields["links"].queryset.values_list("pk", flat=True))

    @property
    def offered_tie_ids_text(self) -> str:
        """Written into the form beside the checkboxes: the ties the partner has been shown."""
        return ",".join(map(str, self.offered_tie_ids))

    def _ties_shown(self) -> set[int]:
        shown = str(self.data.get(self.add_prefix(TIES_SHOWN_FIELD)) or "")
        return {int(item) for item in shown.split(",") if item.strip().isdigit()}

    def _saved_places(self) -> list[City]:
        proposal = self.instance
        if proposal.pk is None:
            return []
        places = list(proposal.partner_places.all())
        if proposal.host_id is not None:
            places.append(proposal.host)
        return places

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

    @property
    def text_fields(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """(language suffix, title field, summary field) per language, the partner's own first:
        the language the proposal is written in (the one chosen, else the page's)."""
        chosen = language_suffix(self["language"].value() or default_language())
        order = sorted(CONTENT_LANGUAGE_SUFFIXES, key=lambda suffix: suffix != chosen)
        return [(suffix, self[f"title_{suffix}"], self[f"summary_{suffix}"]) for suffix in order]

    def clean_language(self):
        """Not sent (an older page, a script): the stored language, else the page's."""
        language = self.cleaned_data.get("language")
        if language:
            return language
        return self.instance.language if self.instance.pk else default_language()

    def clean(self):
        """The proposal rules (`events.validators`; with `require_complete` the submission
        rules too), on the fields that passed their own checks: a field already refused, or
        required and empty, gets no second message."""
        cleaned = super().clean()
        changes = {name: cleaned.get(name) for name in self.Meta.fields if name != "links"}
        errors = proposal_errors(proposal_values(**changes), submitting=self.require_complete)
        for field, messages in errors.items():
            if field not in self.errors:
                self.add_error(field, messages)
        if (
            self.require_complete
            and "links" not in self.errors
            and set(self.offered_tie_ids) - self._ties_shown()
        ):
            # Submitted before the ties between these places were on the page (no JavaScript,
            # or places changed): offer them instead of submitting without a choice.
            self.add_error(
                "links",
                _(
                    "The places you named have ties between them: tick the ones this event "
                    "serves (or none), then submit again."
                ),
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
    """The page's language as one of the four language codes."""
    suffix = language_suffix(get_language())
    return suffix.replace("_", "-")
