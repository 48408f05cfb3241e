"""The city office's suggestion form: one form, its fields chosen by the kind of suggestion."""

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cities.models import FriendshipLink

from .forms_partner import HoneypotMixin, OnePlaceField
from .models import SUGGESTION_MILESTONE_KINDS, Suggestion, SuggestionKind
from .services_suggestions import SUGGESTION_PARTNER_FIELDS, suggestion_values
from .validators import SUGGESTION_REQUIRED, suggestion_errors, validate_pdf

# The fields each kind of suggestion shows, in order.
KIND_FIELDS = {
    SuggestionKind.NEW_TIE: (
        "partner_place",
        "tie_kind",
        "date",
        "date_precision",
        "date_basis",
        "label_own",
        "label_partner",
        "document",
        "source_url",
        "note",
    ),
    SuggestionKind.MILESTONE: (
        "tie",
        "milestone_kind",
        "kind_after",
        "date",
        "date_precision",
        "document",
        "source_url",
        "note",
    ),
    SuggestionKind.CORRECTION: (
        "correction_field",
        "tie",
        "date",
        "date_precision",
        "date_basis",
        "value",
        "document",
        "source_url",
        "note",
    ),
}
KEPT_DOCUMENT_SALT = "events.suggestion-kept-document"


class TieChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        kind = obj.get_kind_display()
        year = f", {obj.established_display}" if obj.established_on else ""
        return f"{obj.city_a.name} — {obj.city_b.name} ({kind}{year})"


class SuggestionForm(HoneypotMixin, forms.ModelForm):
    partner_place = OnePlaceField(
        label=_("Partner place"),
        required=False,
        help_text=_("The place your new tie joins yours with: type its name in any script."),
    )
    document = forms.FileField(
        label=_("Signed document (PDF)"),
        required=False,
        help_text=_("The signed agreement or the decision, as a PDF of at most 10 MB."),
    )
    source_url = forms.URLField(
        label=_("Public page"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("A page of your government that states the fact, if there is one."),
    )
    kept_document = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Suggestion
        fields = [name for name in SUGGESTION_PARTNER_FIELDS if name != "partner_place"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, kind: str, partner, **kwargs):
        kwargs.setdefault(
            "instance", Suggestion(partner=partner, kind=kind, place=partner.office_of)
        )
        super().__init__(*args, **kwargs)
        self.kind, self.partner = kind, partner
        shown = KIND_FIELDS[kind]
        for name in list(self.fields):
            if name not in (*shown, "kept_document"):
                del self.fields[name]
        self.order_fields(shown)
        if "tie" in self.fields:
            self.fields["tie"] = TieChoiceField(
                label=_("Tie"),
                queryset=FriendshipLink.objects.involving(partner.office_of)
                .with_places()
                .order_by("established_on", "id"),
                required=False,
                empty_label=_("— choose one of your place's ties —"),
            )
        if "milestone_kind" in self.fields:
            self.fields["milestone_kind"].choices = [
                ("", "---------"),
                *((kind.value, kind.label) for kind in SUGGESTION_MILESTONE_KINDS),
            ]
        self.fields["document"].widget.attrs["accept"] = "application/pdf,.pdf"
        for name in SUGGESTION_REQUIRED[kind]:
            self.fields[name].required_to_submit = True
        if kind == SuggestionKind.NEW_TIE:
            self.fields["document"].required_to_submit = True
        self.add_honeypot()

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload:
            validate_pdf(upload)
        return upload

    def clean_kept_document(self):
        """A PDF that passed its checks on an earlier try of this form: its stored name."""
        token = self.cleaned_data.get("kept_document")
        if not token:
            return ""
        try:
            payload = signing.loads(token, salt=KEPT_DOCUMENT_SALT, max_age=24 * 3600)
        except signing.BadSignature:
            return ""
        if payload.get("p") != self.partner.pk:
            return ""
        return payload

    def clean(self):
        cleaned = super().clean()
        has_document = bool(cleaned.get("document") or cleaned.get("kept_document"))
        errors = suggestion_errors(
            suggestion_values(
                partner=self.partner,
                kind=self.kind,
                fields=self.content_fields(),
                has_document=has_document or "document" in self.errors,
            )
        )
        for name, messages in errors.items():
            target = name if name in self.fields else None
            if target and target in self.errors:
                continue  # the field's own check already said what is wrong
            for message in messages:
                self.add_error(target, ValidationError(message))
        return cleaned

    def content_fields(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in self.fields
            if name in SUGGESTION_PARTNER_FIELDS and name in self.cleaned_data
        }


def kept_document_token(*, partner, name: str, original: str) -> str:
    return signing.dumps({"p": partner.pk, "n": name, "o": original}, salt=KEPT_DOCUMENT_SALT)
