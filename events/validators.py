"""Rules shared by the proposal form, the API's serializer, the services and the models.

Each proposal rule is written once here, as a function returning {field: [translated
messages]}: the form adds them to its fields, the serializer raises them as a 400, and the
services refuse a save or a submission with them (the final guard).
"""

import datetime
from collections.abc import Callable, Mapping
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from exchangeportal.infra.locale_names import CURRENCY_CODES
from exchangeportal.infra.translation import language_suffix

from .models import (
    DATED_CORRECTIONS,
    PROPOSAL_PARTNER_FIELDS,
    PROPOSAL_SUMMARY_FIELDS,
    PROPOSAL_TITLE_FIELDS,
    TIE_CORRECTIONS,
    EventFormat,
    EventProposal,
    SuggestionKind,
)

MAX_PDF_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
# Objects looked at before giving up on a PDF (a proposal's programme has a few hundred).
MAX_PDF_OBJECTS = 200_000

# Keys that make a PDF run code or carry files: JavaScript (an action's /JS, the document's
# /Names /JavaScript tree), additional actions run on events (/AA: opening or closing the
# document or a page, and so on), embedded files (/EmbeddedFiles, a file specification's /EF),
# XFA forms (scripts) and rich media.
ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EF", "/XFA", "/RichMedia"}
)
# Actions (an action dictionary's /S) that run code, start programs or open embedded content.
ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/GoToE", "/RichMediaExecute", "/SubmitForm"}
)
ACTIVE_TYPES = frozenset({"/EmbeddedFile"})


class _ActiveContent(Exception):
    pass


def _walk_pdf(reader: PdfReader) -> None:
    """Visit every object reachable from the trailer (objects inside object streams too: pypdf
    resolves them), with names as pypdf decodes them (`/J#61vaScript` is `/JavaScript`).
    Raises _ActiveContent at the first active construct."""
    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(item, DictionaryObject):  # stream dictionaries too
            if ACTIVE_KEYS.intersection(item.keys()):
                raise _ActiveContent
            if item.get("/S") in ACTIVE_ACTIONS or item.get("/Type") in ACTIVE_TYPES:
                raise _ActiveContent
            stack.extend(value for name, value in item.items() if name != "/Parent")
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def validate_pdf(upload) -> None:
    """A PDF is recognised by its first bytes, not its name; at most 10 MB."""
    if upload.size > MAX_PDF_BYTES:
        raise ValidationError(
            _("The PDF is larger than %(limit)s MB."),
            code="pdf_too_large",
            params={"limit": MAX_PDF_BYTES // (1024 * 1024)},
        )
    if PurePath(upload.name or "").suffix.lower() != ".pdf":
        raise ValidationError(_("Only a PDF file (.pdf) can be attached."), code="pdf_name")
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if not head.startswith(PDF_MAGIC):
        raise ValidationError(
            _("This file is not a PDF (its content does not start like one)."), code="pdf_content"
        )
    validate_pdf_content(upload)


def validate_pdf_content(upload) -> None:
    """Parse the PDF (pypdf) and refuse JavaScript, launch and similar actions, additional
    actions, embedded files and XFA forms, wherever they are written: in the document, a page or
    an annotation, with hex-escaped names, inside object streams. Also refuses a PDF that
    cannot be read or is protected by a password (its objects cannot be checked)."""
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _("Password-protected PDFs cannot be checked: attach one without a password."),
                code="pdf_encrypted",
            )
        _walk_pdf(reader)
    except _ActiveContent:
        raise ValidationError(
            _(
                "This PDF contains scripts, automatic actions or attached files, which are not "
                "accepted. Save it again as a plain PDF (for example with “Print to PDF”)."
            ),
            code="pdf_active_content",
        ) from None
    except ValidationError:
        raise
    except Exception as error:  # pypdf raises many kinds of errors on damaged files
        raise ValidationError(
            _("This PDF cannot be read: it may be damaged."), code="pdf_unreadable"
        ) from error
    finally:
        upload.seek(0)


# --- Proposal rules ---------------------------------------------------------------------------

Errors = dict[str, list[str]]
# A proposal's values as the rules read them: PROPOSAL_PARTNER_FIELDS (but the ties) → value,
# with `host` a City or None and `partner_places` a list of City.
Values = Mapping[str, Any]

# Fields a proposal needs before it can be submitted (and so before it can be accepted).
REQUIRED_ON_SUBMIT = (
    "description",
    "category",
    "format",
    "starts_on",
    "ends_on",
    "host",
    "participants",
    "contact_name",
    "contact_email",
)
# Texts a partner writes in one or more of the four languages: to submit, at least one of each.
REQUIRED_IN_ONE_LANGUAGE = {"title": PROPOSAL_TITLE_FIELDS, "summary": PROPOSAL_SUMMARY_FIELDS}
RULE_FIELDS = tuple(name for name in PROPOSAL_PARTNER_FIELDS if name != "links")


def proposal_values(proposal: EventProposal | None = None, **changes) -> dict[str, Any]:
    """The values the rules read: `changes` over the proposal's stored values (None for a new
    proposal). Reads the stored partner places (one query) unless `partner_places` is given."""
    values = {}
    for name in RULE_FIELDS:
        if name in changes:
            values[name] = changes[name]
        elif proposal is None:
            values[name] = None
        elif name == "partner_places":
            values[name] = list(proposal.partner_places.all()) if proposal.pk else []
        else:
            values[name] = getattr(proposal, name)
    values["partner_places"] = list(values["partner_places"] or [])
    return values


def proposal_missing_texts(values: Values) -> list[str]:
    """For each text of REQUIRED_IN_ONE_LANGUAGE given in no language, its field in the
    proposal's language (`title_zh_hans` for a proposal written in Chinese)."""
    suffix = language_suffix(values.get("language") or "en")
    return [
        f"{base}_{suffix}"
        for base, names in REQUIRED_IN_ONE_LANGUAGE.items()
        if not any(values.get(name) for name in names)
    ]


def proposal_missing(values: Values) -> list[str]:
    """The fields a submission needs that have no value: a title and a summary in no
    language (named by their field in the proposal's language), then REQUIRED_ON_SUBMIT's."""
    return proposal_missing_texts(values) + [
        name for name in REQUIRED_ON_SUBMIT if values.get(name) in (None, "")
    ]


# Rules every saved proposal passes, a draft too.


def proposal_dates_rule(values: Values) -> Errors:
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        return {"ends_on": [gettext("The end date is before the start date.")]}
    return {}


def proposal_host_not_partner_rule(values: Values) -> Errors:
    host = values.get("host")
    if host is not None and any(place.pk == host.pk for place in values["partner_places"]):
        return {
            "partner_places": [gettext("The host place cannot also be one of its own partners.")]
        }
    return {}


# A budget as the API takes it: not negative, at most 14 whole digits and 2 decimals (the
# column's 16 digits); the rule below is the same for every entry point.
BUDGET_AMOUNT_PATTERN = r"^(?:[0-9]{1,14}(?:\.[0-9]{0,2})?|\.[0-9]{1,2})$"
MIN_PARTICIPANTS = 1
BUDGET_NEGATIVE_MESSAGE = _("A budget cannot be negative.")
PARTICIPANTS_MIN_MESSAGE = _("Expect at least one participant.")
# The column's limit on PostgreSQL (a positive integer), the same on every database.
MAX_PARTICIPANTS = 2_147_483_647


def proposal_budget_rule(values: Values) -> Errors:
    budget = values.get("budget_amount")
    if budget is not None and budget < 0:
        return {"budget_amount": [str(BUDGET_NEGATIVE_MESSAGE)]}
    return {}


def proposal_budget_currency_rule(values: Values) -> Errors:
    """A budget has a currency, and a currency is one in use (`CURRENCY_CODES`, the codes the
    form's select offers)."""
    currency = values.get("budget_currency")
    if currency and currency not in CURRENCY_CODES:
        return {
            "budget_currency": [
                gettext(
                    "“%(code)s” is not a currency in use. Choose one from the list "
                    "(ISO 4217 codes such as CNY, JPY, KRW, USD or EUR)."
                )
                % {"code": currency}
            ]
        }
    if values.get("budget_amount") is not None and not currency:
        return {"budget_currency": [gettext("Give the currency of the budget.")]}
    return {}


def proposal_participants_rule(values: Values) -> Errors:
    participants = values.get("participants")
    if participants is not None and participants < MIN_PARTICIPANTS:
        return {"participants": [str(PARTICIPANTS_MIN_MESSAGE)]}
    return {}


# Rules a proposal passes to be submitted.


def proposal_required_rule(values: Values) -> Errors:
    """Each missing field; a title or summary given in no language is asked for on its field
    in the proposal's language."""
    suffix = language_suffix(values.get("language") or "en")
    messages = {
        f"title_{suffix}": gettext("Give the title in at least one language."),
        f"summary_{suffix}": gettext("Give the summary in at least one language."),
    }
    default = gettext("This field is required to submit.")
    return {name: [messages.get(name, default)] for name in proposal_missing(values)}


def proposal_consent_rule(values: Values) -> Errors:
    if not values.get("privacy_consent"):
        return {"privacy_consent": [gettext("Please agree to the privacy note to submit.")]}
    return {}


def proposal_start_rule(values: Values, *, today: datetime.date | None = None) -> Errors:
    starts_on = values.get("starts_on")
    if starts_on and starts_on < (today or timezone.localdate()):
        return {
            "starts_on": [gettext("The start date is in the past. Propose a date from today on.")]
        }
    return {}


def proposal_venue_rule(values: Values) -> Errors:
    if values.get("format") in (EventFormat.IN_PERSON, EventFormat.HYBRID) and not values.get(
        "venue"
    ):
        return {"venue": [gettext("Give the venue of an in-person or hybrid event.")]}
    return {}


def proposal_online_link_rule(values: Values) -> Errors:
    if values.get("format") in (EventFormat.ONLINE, EventFormat.HYBRID) and not values.get(
        "online_url"
    ):
        return {"online_url": [gettext("Give the online link of an online or hybrid event.")]}
    return {}


def proposal_partner_places_rule(values: Values) -> Errors:
    """An exchange crosses a border: at least one partner place, one of them abroad."""
    host, places = values.get("host"), values["partner_places"]
    if not places:
        return {"partner_places": [gettext("Name at least one partner place.")]}
    if host is not None and not any(place.country != host.country for place in places):
        return {
            "partner_places": [
                gettext("At least one partner place must be in a different country from the host.")
            ]
        }
    return {}


DRAFT_RULES: tuple[Callable[[Values], Errors], ...] = (
    proposal_dates_rule,
    proposal_host_not_partner_rule,
    proposal_budget_rule,
    proposal_budget_currency_rule,
    proposal_participants_rule,
)
# And `proposal_start_rule`, which also reads today's date.
SUBMIT_RULES: tuple[Callable[[Values], Errors], ...] = (
    proposal_required_rule,
    proposal_consent_rule,
    proposal_venue_rule,
    proposal_online_link_rule,
    proposal_partner_places_rule,
)


def proposal_errors(
    values: Values, *, submitting: bool = False, today: datetime.date | None = None
) -> Errors:
    """Every rule a proposal's values break, as {field: [translated messages]}: the draft
    rules, and with `submitting` the submission rules too (the start date against `today`)."""
    errors: Errors = {}
    results = [rule(values) for rule in DRAFT_RULES]
    if submitting:
        results += [rule(values) for rule in SUBMIT_RULES]
        results.append(proposal_start_rule(values, today=today))
    for result in results:
        for field, messages in result.items():
            errors.setdefault(field, []).extend(messages)
    return errors


# --- City offices' suggestions ----------------------------------------------------------------

# The fields each kind of suggestion needs (besides a source, see `suggestion_errors`).
SUGGESTION_REQUIRED = {
    "new_tie": ("partner_place", "tie_kind", "date"),
    "milestone": ("tie", "milestone_kind", "date"),
    "correction": ("correction_field",),
}


def suggestion_errors(values: Values, *, today: datetime.date | None = None) -> Errors:
    """Every rule a city office's suggestion breaks, as {field: [translated messages]}.

    `values` holds the suggestion's fields (`kind`, `place` — the office's place —,
    `partner_place`, `tie`, `tie_kind`, `date`, `milestone_kind`, `kind_after`,
    `correction_field`, `value`, `source_url`) and `has_document` (a PDF is attached). The
    partner form and the service both ask this function, so each rule is written once.
    """
    today = today or timezone.localdate()
    errors: Errors = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    kind = values.get("kind")
    if kind not in SuggestionKind.values:
        add("kind", gettext("Choose what you suggest: a new tie, a milestone or a correction."))
        return errors
    for name in SUGGESTION_REQUIRED[kind]:
        if values.get(name) in (None, ""):
            add(name, gettext("This field is required."))
    place, partner, tie = values.get("place"), values.get("partner_place"), values.get("tie")
    if kind == SuggestionKind.NEW_TIE:
        if not values.get("has_document"):
            add("document", gettext("Attach the signed agreement as a PDF."))
        if partner is not None and place is not None and partner.pk == place.pk:
            add("partner_place", gettext("A place cannot be tied to itself."))
        elif values.get("existing_tie") is not None:
            add(
                "partner_place",
                gettext(
                    "Your place and this place are already tied: suggest a milestone or a "
                    "correction of that tie instead."
                ),
            )
    elif not values.get("has_document") and not values.get("source_url"):
        add(
            "source_url",
            gettext("Give the public page that states it, or attach the document as a PDF."),
        )
    if tie is not None and place is not None and place.pk not in (tie.city_a_id, tie.city_b_id):
        add("tie", gettext("Choose one of your own place's ties."))
    upgrade = kind == SuggestionKind.MILESTONE and values.get("milestone_kind") == "upgrade"
    if upgrade and not values.get("kind_after"):
        add("kind_after", gettext("Say what kind of tie it became."))
    if kind == SuggestionKind.CORRECTION and values.get("correction_field"):
        field = values["correction_field"]
        if field in TIE_CORRECTIONS and tie is None:
            add("tie", gettext("Choose the tie to correct."))
        if field in DATED_CORRECTIONS:
            if values.get("date") is None:
                add("date", gettext("Give the correct date."))
        elif not (values.get("value") or "").strip():
            add("value", gettext("Give the correct value."))
    date = values.get("date")
    if date is not None and date > today:
        add("date", gettext("The date cannot be in the future."))
    return errors
