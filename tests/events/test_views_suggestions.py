import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cities.models import Country
from events.models import ProposalState, Suggestion
from tests import pdffiles
from tests.factories import (
    CityFactory,
    PartnerMembershipFactory,
    ReviewerFactory,
    SuggestionActivityFactory,
    SuggestionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(member):
    partner = member.partner_membership.partner
    partner.name_en = "Yangzhou Foreign Affairs Office"
    partner.office_of = CityFactory(name_en="Yangzhou", slug="yangzhou", country=Country.CHINA)
    partner.save()
    return partner


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def pdf(name="agreement.pdf", content=None):
    return SimpleUploadedFile(name, content or pdffiles.harmless(), content_type="application/pdf")


def new_tie_data(**overrides):
    data = {
        "partner_place": "Nara",
        "tie_kind": "friendship",
        "date": "2024-05-10",
        "date_precision": "day",
        "date_basis": "signed",
        "label_own": "友好城市",
        "label_partner": "友好都市",
        "source_url": "",
        "note": "",
        "submit": "",
    }
    data.update(overrides)
    return data


NEW_TIE_URL = "/en/partner/suggestions/new/new_tie/"


def test_suggestion_list_for_a_partner_not_verified_explains_what_it_takes(member_client, member):
    member.partner_membership.partner.place = CityFactory(name_en="Kanazawa")
    member.partner_membership.partner.save()

    html = member_client.get(reverse("partners:suggestion_list")).content.decode()

    assert "Your organisation names Kanazawa as its place." in html
    assert NEW_TIE_URL not in html


def test_suggestion_list_for_an_office_offers_the_three_forms(member_client, office):
    html = member_client.get(reverse("partners:suggestion_list")).content.decode()

    assert "as the office of <strong>Yangzhou</strong>" in html
    for kind in ("new_tie", "milestone", "correction"):
        assert f'href="/en/partner/suggestions/new/{kind}/"' in html
    assert "No suggestion sent yet." in html


@pytest.mark.parametrize("count", [1, 3])
def test_suggestion_list_query_count_fixed(member_client, office, django_assert_num_queries, count):
    SuggestionFactory.create_batch(count, partner=office, place=office.office_of)

    # session, user, membership+partner (with its office's place), count, page of suggestions
    with django_assert_num_queries(6):
        response = member_client.get(reverse("partners:suggestion_list"))

    assert len(response.context["suggestions"]) == count


def test_suggestion_form_for_a_partner_not_verified_goes_back_to_the_list(member_client):
    response = member_client.get(NEW_TIE_URL)

    assert response.status_code == 302
    assert response.url == reverse("partners:suggestion_list")


def test_suggestion_form_of_an_unknown_kind_is_404(member_client, office):
    assert member_client.get("/en/partner/suggestions/new/rename/").status_code == 404


def test_suggestion_form_new_tie_shows_its_fields_only(member_client, office):
    form = member_client.get(NEW_TIE_URL).context["form"]

    assert list(form.fields) == [
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
        "kept_document",
        "homepage",
    ]


def test_suggestion_new_tie_with_its_pdf_is_sent_for_review(member_client, office):
    CityFactory(name_en="Nara", country=Country.JAPAN)

    response = member_client.post(NEW_TIE_URL, {**new_tie_data(), "document": pdf()})

    suggestion = Suggestion.objects.get()
    assert response.status_code == 302
    assert response.url == suggestion.get_absolute_url()
    assert (suggestion.state, suggestion.partner_place.name_en, suggestion.label_partner) == (
        ProposalState.SUBMITTED,
        "Nara",
        "友好都市",
    )


def test_suggestion_new_tie_refuses_a_file_that_is_not_a_pdf(member_client, office):
    CityFactory(name_en="Nara", country=Country.JAPAN)

    response = member_client.post(
        NEW_TIE_URL, {**new_tie_data(), "document": pdf(content=b"MZ not a pdf")}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "document": ["This file is not a PDF (its content does not start like one)."]
    }
    assert Suggestion.objects.count() == 0


def test_suggestion_with_a_wrong_field_keeps_the_pdf_for_the_next_try(member_client, office):
    response = member_client.post(
        NEW_TIE_URL, {**new_tie_data(partner_place="Atlantis"), "document": pdf()}
    )

    form = response.context["form"]
    assert list(form.errors) == ["partner_place"]
    assert response.context["kept_name"] == "agreement.pdf"
    token = form.data["kept_document"]
    assert f'value="{token}"' in response.content.decode()

    CityFactory(name_en="Nara", country=Country.JAPAN)
    response = member_client.post(NEW_TIE_URL, new_tie_data(kept_document=token))

    suggestion = Suggestion.objects.get()
    assert response.url == suggestion.get_absolute_url()
    assert suggestion.document_name == "agreement.pdf"
    with suggestion.document.open() as stored:
        assert stored.read() == pdffiles.harmless()


def test_suggestion_kept_pdf_of_another_partner_is_not_taken(member_client, office):
    stranger = PartnerMembershipFactory().partner
    from events.forms_suggestions import kept_document_token

    token = kept_document_token(
        partner=stranger, name="suggestions/pending/x.pdf", original="x.pdf"
    )
    CityFactory(name_en="Nara", country=Country.JAPAN)

    response = member_client.post(NEW_TIE_URL, new_tie_data(kept_document=token))

    assert response.context["form"].errors == {
        "document": ["Attach the signed agreement as a PDF."]
    }


def test_suggestion_detail_of_another_partner_is_404(member_client, office):
    other = SuggestionFactory()

    response = member_client.get(reverse("partners:suggestion_detail", kwargs={"pk": other.pk}))

    assert response.status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_suggestion_detail_query_count_fixed(
    member_client, office, django_assert_num_queries, count
):
    suggestion = SuggestionFactory(partner=office, place=office.office_of)
    SuggestionActivityFactory.create_batch(count, suggestion=suggestion)

    # session, user, membership+partner, suggestion with its places and tie, timeline
    with django_assert_num_queries(5):
        response = member_client.get(suggestion.get_absolute_url())

    assert len(response.context["timeline"]) == count


def test_suggestion_document_for_its_office_and_reviewers_only(client, member, office):
    CityFactory(name_en="Nara", country=Country.JAPAN)
    client.force_login(member)
    client.post(NEW_TIE_URL, {**new_tie_data(), "document": pdf()})
    url = reverse("partners:suggestion_document", kwargs={"pk": Suggestion.objects.get().pk})

    own = client.get(url)
    client.force_login(PartnerMembershipFactory().user)
    stranger = client.get(url)
    client.force_login(ReviewerFactory())
    reviewer = client.get(url)

    assert (own.status_code, own["Content-Type"], b"".join(own.streaming_content)) == (
        200,
        "application/pdf",
        pdffiles.harmless(),
    )
    assert own["Content-Disposition"] == 'attachment; filename="agreement.pdf"'
    assert stranger.status_code == 404
    assert (reviewer.status_code, b"".join(reviewer.streaming_content)) == (
        200,
        pdffiles.harmless(),
    )
    own.close()
    reviewer.close()


def test_suggestion_withdraw_by_its_office(member_client, office):
    suggestion = SuggestionFactory(partner=office, place=office.office_of)

    response = member_client.post(
        reverse("partners:suggestion_withdraw", kwargs={"pk": suggestion.pk})
    )

    suggestion.refresh_from_db()
    assert (response.status_code, suggestion.state) == (302, ProposalState.WITHDRAWN)
