"""PDF attachments are parsed (pypdf): scripts, automatic actions and attached files refused.
Each proposal rule is written once, and the form, the serializer and the services report it
alike."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from cities.models import Country
from events import services
from events.api.serializers import ProposalSerializer
from events.forms_partner import ProposalForm
from events.models import EventProposal
from events.services import ProposalError
from events.validators import (
    proposal_budget_currency_rule,
    proposal_budget_rule,
    proposal_consent_rule,
    proposal_dates_rule,
    proposal_errors,
    proposal_host_not_partner_rule,
    proposal_online_link_rule,
    proposal_participants_rule,
    proposal_partner_places_rule,
    proposal_required_rule,
    proposal_start_rule,
    proposal_values,
    proposal_venue_rule,
    suggestion_errors,
    validate_pdf,
)
from tests import pdffiles
from tests.factories import (
    CityFactory,
    EventProposalFactory,
    FriendshipLinkFactory,
    PartnerMembershipFactory,
)

REFUSED = (
    "This PDF contains scripts, automatic actions or attached files, which are not accepted. "
    "Save it again as a plain PDF (for example with “Print to PDF”)."
)


def upload(content: bytes, name: str = "programme.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def refusal(content: bytes) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        validate_pdf(upload(content))
    return refused.value.messages


@pytest.mark.parametrize("make", [pdffiles.harmless, pdffiles.link_to_website])
def test_validate_pdf_accepts_a_plain_pdf(make):
    document = upload(make())

    validate_pdf(document)

    assert document.tell() == 0  # ready to be stored


@pytest.mark.parametrize(
    "make",
    [
        pdffiles.open_action_javascript,
        pdffiles.document_additional_actions,
        pdffiles.page_additional_actions,
        pdffiles.annotation_launch_action,
        pdffiles.javascript_name_tree,
        pdffiles.hex_escaped_names,
        pdffiles.embedded_file,
        pdffiles.object_stream_javascript,
    ],
)
def test_validate_pdf_refuses_active_content(make):
    assert refusal(make()) == [REFUSED]


def test_hidden_constructs_are_invisible_to_a_byte_search():
    """Why the file is parsed: these two never spell "/JavaScript" in their bytes."""
    assert b"/JavaScript" not in pdffiles.hex_escaped_names()
    assert b"JavaScript" not in pdffiles.object_stream_javascript()


def test_validate_pdf_refuses_a_damaged_pdf():
    assert refusal(b"%PDF-1.7\n" + b"\x00garbage" * 50) == [
        "This PDF cannot be read: it may be damaged."
    ]


def test_validate_pdf_still_refuses_other_files_by_their_first_bytes():
    assert refusal(b"<!doctype html><script>alert(1)</script>") == [
        "This file is not a PDF (its content does not start like one)."
    ]


# --- Proposal rules: each written once, read by the form, the serializer and the services -----

TODAY = timezone.localdate()


@pytest.fixture
def rule_places(db):
    return {
        "host": CityFactory(country=Country.CHINA, name_en="Yangzhou", slug="yangzhou"),
        "abroad": CityFactory(country=Country.JAPAN, name_en="Nara", slug="nara"),
        "home": CityFactory(country=Country.CHINA, name_en="Suzhou", slug="suzhou"),
    }


def good_values(places, **changes):
    """A proposal that breaks no rule, with `changes`."""
    values = {
        "language": "en",
        "title_en": "Canal cities youth forum",
        "title_zh_hans": "",
        "title_ja": "",
        "title_ko": "",
        "summary_en": "Students of canal cities meet.",
        "summary_zh_hans": "",
        "summary_ja": "",
        "summary_ko": "",
        "description": "Three days of talks and boat visits.",
        "category": "education_youth",
        "format": "in_person",
        "starts_on": TODAY + datetime.timedelta(days=30),
        "ends_on": TODAY + datetime.timedelta(days=32),
        "host": places["host"],
        "partner_places": [places["abroad"]],
        "venue": "Yangzhou Canal Museum",
        "online_url": "",
        "participants": 120,
        "budget_amount": Decimal("50000"),
        "budget_currency": "CNY",
        "source_url": "",
        "image_alt": "",
        "image_credit": "",
        "contact_name": "Li Wei",
        "contact_email": "li.wei@example.org",
        "contact_phone": "",
        "privacy_consent": True,
    }
    return proposal_values(**{**values, **changes})


def test_proposal_errors_none_for_a_good_proposal(rule_places):
    assert proposal_errors(good_values(rule_places), submitting=True, today=TODAY) == {}


def test_proposal_dates_rule_refuses_an_end_before_the_start(rule_places):
    values = good_values(rule_places, ends_on=TODAY + datetime.timedelta(days=29))

    assert proposal_dates_rule(values) == {"ends_on": ["The end date is before the start date."]}


def test_proposal_host_not_partner_rule_refuses_the_host_among_partners(rule_places):
    values = good_values(rule_places, partner_places=[rule_places["abroad"], rule_places["host"]])

    assert proposal_host_not_partner_rule(values) == {
        "partner_places": ["The host place cannot also be one of its own partners."]
    }


def test_proposal_budget_rule_refuses_a_negative_budget(rule_places):
    values = good_values(rule_places, budget_amount=Decimal("-5"))

    assert proposal_budget_rule(values) == {"budget_amount": ["A budget cannot be negative."]}


def test_proposal_budget_currency_rule_refuses_a_budget_without_currency(rule_places):
    values = good_values(rule_places, budget_currency="")

    assert proposal_budget_currency_rule(values) == {
        "budget_currency": ["Give the currency of the budget."]
    }


@pytest.mark.parametrize("code", ["CNY", "JPY", "KRW", "USD", "EUR", "TWD", "MOP"])
def test_proposal_budget_currency_rule_takes_currencies_in_use(rule_places, code):
    assert proposal_budget_currency_rule(good_values(rule_places, budget_currency=code)) == {}


@pytest.mark.parametrize("code", ["RMB", "XAU", "DEM", "KRX"])
def test_proposal_budget_currency_rule_refuses_codes_not_in_use(rule_places, code):
    values = good_values(rule_places, budget_currency=code)

    assert proposal_budget_currency_rule(values) == {
        "budget_currency": [
            f"“{code}” is not a currency in use. Choose one from the list (ISO 4217 codes such as "
            "CNY, JPY, KRW, USD or EUR)."
        ]
    }


def test_proposal_participants_rule_refuses_no_participant(rule_places):
    values = good_values(rule_places, participants=0)

    assert proposal_participants_rule(values) == {
        "participants": ["Expect at least one participant."]
    }


def test_proposal_required_rule_names_each_missing_field(rule_places):
    values = good_values(rule_places, title_en="", host=None)

    assert proposal_required_rule(values) == {
        "title_en": ["Give the title in at least one language."],
        "host": ["This field is required to submit."],
    }


def test_proposal_consent_rule_refuses_without_consent(rule_places):
    values = good_values(rule_places, privacy_consent=False)

    assert proposal_consent_rule(values) == {
        "privacy_consent": ["Please agree to the privacy note to submit."]
    }


def test_proposal_start_rule_refuses_a_start_in_the_past_and_accepts_today(rule_places):
    past = good_values(rule_places, starts_on=TODAY - datetime.timedelta(days=1))

    assert proposal_start_rule(past, today=TODAY) == {
        "starts_on": ["The start date is in the past. Propose a date from today on."]
    }
    assert proposal_start_rule(good_values(rule_places, starts_on=TODAY), today=TODAY) == {}


@pytest.mark.parametrize("event_format", ["in_person", "hybrid"])
def test_proposal_venue_rule_refuses_an_in_person_or_hybrid_event_without_venue(
    rule_places, event_format
):
    values = good_values(rule_places, format=event_format, venue="", online_url="https://a.org")

    assert proposal_venue_rule(values) == {
        "venue": ["Give the venue of an in-person or hybrid event."]
    }
    assert proposal_venue_rule(good_values(rule_places, format="online", venue="")) == {}


@pytest.mark.parametrize("event_format", ["online", "hybrid"])
def test_proposal_online_link_rule_refuses_an_online_or_hybrid_event_without_link(
    rule_places, event_format
):
    values = good_values(rule_places, format=event_format, online_url="")

    assert proposal_online_link_rule(values) == {
        "online_url": ["Give the online link of an online or hybrid event."]
    }
    assert proposal_online_link_rule(good_values(rule_places, format="in_person")) == {}


def test_proposal_partner_places_rule_refuses_no_partner_place(rule_places):
    values = good_values(rule_places, partner_places=[])

    assert proposal_partner_places_rule(values) == {
        "partner_places": ["Name at least one partner place."]
    }


def test_proposal_partner_places_rule_refuses_no_partner_abroad(rule_places):
    values = good_values(rule_places, partner_places=[rule_places["home"]])

    assert proposal_partner_places_rule(values) == {
        "partner_places": [
            "At least one partner place must be in a different country from the host."
        ]
    }


def test_proposal_errors_gathers_the_draft_rules_and_on_submit_the_others(rule_places):
    values = good_values(rule_places, partner_places=[rule_places["host"]], participants=0)

    assert proposal_errors(values) == {
        "partner_places": ["The host place cannot also be one of its own partners."],
        "participants": ["Expect at least one participant."],
    }
    assert proposal_errors(values, submitting=True, today=TODAY) == {
        "partner_places": [
            "The host place cannot also be one of its own partners.",
            "At least one partner place must be in a different country from the host.",
        ],
        "participants": ["Expect at least one participant."],
    }


def test_proposal_errors_translated_in_the_active_language(rule_places):
    values = good_values(rule_places, budget_currency="")

    with translation.override("ja"):
        errors = proposal_errors(values)
        expected = translation.gettext("Give the currency of the budget.")

    assert expected != "Give the currency of the budget."
    assert errors == {"budget_currency": [expected]}


def test_proposal_values_reads_the_stored_proposal_under_the_changes(rule_places):
    proposal = EventProposalFactory(
        host=rule_places["host"], partner_places=[rule_places["abroad"]]
    )

    values = proposal_values(proposal, title_en="New title")

    assert (values["title_en"], values["host"], values["partner_places"]) == (
        "New title",
        rule_places["host"],
        [rule_places["abroad"]],
    )


# The same bad input through each entry point: the same field, the same words.

DRAFT_CASES = [
    pytest.param(
        {"ends_on": TODAY + datetime.timedelta(days=29)},
        {"ends_on": ["The end date is before the start date."]},
        id="dates",
    ),
    pytest.param(
        {"partner_places": ["abroad", "host"]},
        {"partner_places": ["The host place cannot also be one of its own partners."]},
        id="host-among-partners",
    ),
    pytest.param(
        {"budget_amount": Decimal("-5")},
        {"budget_amount": ["A budget cannot be negative."]},
        id="budget",
    ),
    pytest.param(
        {"budget_currency": ""},
        {"budget_currency": ["Give the currency of the budget."]},
        id="currency",
    ),
    pytest.param(
        {"budget_currency": "XYZ"},
        {
            "budget_currency": [
                "“XYZ” is not a currency in use. Choose one from the list (ISO 4217 codes such "
                "as CNY, JPY, KRW, USD or EUR)."
            ]
        },
        id="currency-not-in-use",
    ),
    pytest.param(
        {"participants": 0}, {"participants": ["Expect at least one participant."]}, id="people"
    ),
]
SUBMIT_CASES = [
    pytest.param(
        {"starts_on": TODAY - datetime.timedelta(days=1)},
        {"starts_on": ["The start date is in the past. Propose a date from today on."]},
        id="start-past",
    ),
    pytest.param(
        {"venue": ""}, {"venue": ["Give the venue of an in-person or hybrid event."]}, id="venue"
    ),
    pytest.param(
        {"format": "online", "online_url": ""},
        {"online_url": ["Give the online link of an online or hybrid event."]},
        id="online-link",
    ),
    pytest.param(
        {"partner_places": ["home"]},
        {
            "partner_places": [
                "At least one partner place must be in a different country from the host."
            ]
        },
        id="no-partner-abroad",
    ),
]


def _python_values(places, changes):
    values = dict(good_values(places))
    for name, value in changes.items():
        values[name] = [places[key] for key in value] if name == "partner_places" else value
    return values


def _as_text(value):
    return "" if value is None else str(value)


def _form_data(places, changes):
    values = _python_values(places, changes)
    data = {name: _as_text(value) for name, value in values.items()}
    data["host"] = values["host"].name_en
    data["partner_places"] = "\n".join(place.name_en for place in values["partner_places"])
    data["privacy_consent"] = "on" if values["privacy_consent"] else ""
    return data


def _as_json(value):
    """A value as a JSON client sends it: numbers as numbers, the rest as text."""
    return value if isinstance(value, int) and not isinstance(value, bool) else _as_text(value)


def _api_data(places, changes):
    values = _python_values(places, changes)
    data = {name: _as_json(value) for name, value in values.items()}
    data["host"] = values["host"].slug
    data["partner_places"] = [place.slug for place in values["partner_places"]]
    data["privacy_consent"] = values["privacy_consent"]
    return data


def _service_errors(partner, member, places, changes) -> dict:
    values = _python_values(places, changes)
    partner_places = values.pop("partner_places")
    with pytest.raises(ProposalError) as refused:
        services.proposal_save(
            proposal=None,
            partner=partner,
            actor=member,
            fields=values,
            partner_places=partner_places,
        )
    return refused.value.message_dict


@pytest.fixture
def rule_member(db):
    return PartnerMembershipFactory().user


@pytest.mark.parametrize(("changes", "expected"), DRAFT_CASES)
def test_draft_rule_reported_alike_by_form_serializer_and_service(
    rule_places, rule_member, changes, expected
):
    partner = rule_member.partner_membership.partner
    form = ProposalForm(data=_form_data(rule_places, changes))
    serializer = ProposalSerializer(data=_api_data(rule_places, changes))

    assert (form.is_valid(), serializer.is_valid()) == (False, False)
    assert form.errors == expected
    assert serializer.errors == expected
    assert _service_errors(partner, rule_member, rule_places, changes) == expected
    assert EventProposal.objects.count() == 0


@pytest.mark.parametrize(("changes", "expected"), SUBMIT_CASES)
def test_submit_rule_reported_alike_by_form_and_service(
    rule_places, rule_member, changes, expected
):
    partner = rule_member.partner_membership.partner
    form = ProposalForm(data=_form_data(rule_places, changes), require_complete=True)
    values = _python_values(rule_places, changes)
    partner_places = values.pop("partner_places")
    draft = services.proposal_save(
        proposal=None,
        partner=partner,
        actor=rule_member,
        fields=values,
        partner_places=partner_places,
    )

    assert form.is_valid() is False
    assert form.errors == expected
    assert services.proposal_submission_errors(draft, today=TODAY) == expected


def test_proposal_required_rule_a_title_in_one_language_is_enough(rule_places):
    values = good_values(
        rule_places,
        language="ko",
        title_en="",
        summary_en="",
        title_ko="경주 문화 포럼",
        summary_ko="문화 교류.",
    )

    assert proposal_errors(values, submitting=True, today=TODAY) == {}


def test_proposal_required_rule_no_title_asked_in_the_proposal_language(rule_places):
    values = good_values(rule_places, language="ja", title_en="")

    assert proposal_errors(values, submitting=True, today=TODAY) == {
        "title_ja": ["Give the title in at least one language."]
    }


# --- City offices' suggestions ----------------------------------------------------------------


def _suggestion(kind, **values):
    base = {"kind": kind, "place": values.pop("place", None) or CityFactory(), "has_document": True}
    base.update(values)
    return base


@pytest.mark.django_db
def test_suggestion_errors_new_tie_needs_partner_kind_date_and_the_pdf():
    errors = suggestion_errors(_suggestion("new_tie", has_document=False))

    assert errors == {
        "partner_place": ["This field is required."],
        "tie_kind": ["This field is required."],
        "date": ["This field is required."],
        "document": ["Attach the signed agreement as a PDF."],
    }


@pytest.mark.django_db
def test_suggestion_errors_new_tie_of_a_pair_already_tied_points_to_a_milestone():
    tie = FriendshipLinkFactory()
    errors = suggestion_errors(
        _suggestion(
            "new_tie",
            place=tie.city_a,
            partner_place=tie.city_b,
            tie_kind="sister",
            date=datetime.date(2020, 1, 1),
            existing_tie=tie,
        )
    )

    assert errors == {
        "partner_place": [
            "Your place and this place are already tied: suggest a milestone or a correction of "
            "that tie instead."
        ]
    }


@pytest.mark.django_db
def test_suggestion_errors_milestone_of_another_places_tie_in_the_future_without_source():
    errors = suggestion_errors(
        _suggestion(
            "milestone",
            tie=FriendshipLinkFactory(),
            milestone_kind="upgrade",
            date=datetime.date(2030, 1, 1),
            has_document=False,
        ),
        today=datetime.date(2026, 12, 2),
    )

    assert errors == {
        "source_url": ["Give the public page that states it, or attach the document as a PDF."],
        "tie": ["Choose one of your own place's ties."],
        "kind_after": ["Say what kind of tie it became."],
        "date": ["The date cannot be in the future."],
    }


@pytest.mark.django_db
def test_suggestion_errors_correction_of_a_name_needs_its_value():
    errors = suggestion_errors(
        _suggestion("correction", correction_field="name_ko", value=" ", source_url="https://a.kr/")
    )

    assert errors == {"value": ["Give the correct value."]}
