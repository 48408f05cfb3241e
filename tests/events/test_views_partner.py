import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cities.models import Country
from events import selectors, services
from events.models import EventProposal, Partner, PartnerMembership, ProposalState
from exchangeportal.infra.images import process_image
from tests import imagefiles
from tests.factories import (
    CityFactory,
    EventProposalFactory,
    ExchangeEventFactory,
    FriendshipLinkFactory,
    PartnerFactory,
    PartnerMembershipFactory,
    ReviewerFactory,
    UserFactory,
)

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def places():
    return {
        "host": CityFactory(country=Country.CHINA, name_en="Yangzhou"),
        "abroad": CityFactory(country=Country.JAPAN, name_en="Nara"),
        "home": CityFactory(country=Country.CHINA, name_en="Suzhou"),
    }


def proposal_data(places, **overrides):
    start = timezone.localdate() + datetime.timedelta(days=30)
    data = {
        "language": "en",
        "title_en": "Canal cities youth forum",
        "summary_en": "Students of canal cities meet.",
        "description": "Three days of talks and boat visits.",
        "category": "education_youth",
        "format": "in_person",
        "starts_on": start.isoformat(),
        "ends_on": (start + datetime.timedelta(days=2)).isoformat(),
        "host": "Yangzhou",
        "partner_places": "Nara",
        "venue": "Yangzhou Canal Museum",
        "online_url": "",
        "participants": "120",
        "budget_amount": "50000",
        "budget_currency": "CNY",
        "source_url": "",
        "contact_name": "Li Wei",
        "contact_email": "li.wei@example.org",
        "contact_phone": "+86 514 0000",
        "privacy_consent": "on",
        "homepage": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def error_list(response, field):
    return response.context["form"].errors.get(field)


# --- Sign-up, verification, log-in -------------------------------------------------------------


def registration_data(**overrides):
    data = {
        "username": "yangzhou-fao",
        "email": "fao@example.org",
        "password1": "Grand Canal 2014!",
        "password2": "Grand Canal 2014!",
        "name_en": "Yangzhou Foreign Affairs Office",
        "name_zh_hans": "扬州市外事办公室",
        "name_ja": "",
        "name_ko": "",
        "kind": "city_government",
        "country": "cn",
        "website": "https://www.yangzhou.gov.cn/",
        "homepage": "",
    }
    data.update(overrides)
    return data


def test_register_creates_user_partner_and_sends_verification(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partners:register"), registration_data())

    partner = Partner.objects.get()
    membership = PartnerMembership.objects.select_related("user").get()
    assert response.status_code == 302
    assert response["Location"] == "/en/partners/login/"
    assert "_auth_user_id" not in client.session
    assert (partner.name_en, partner.name_zh_hans, partner.country, partner.kind) == (
        "Yangzhou Foreign Affairs Office",
        "扬州市外事办公室",
        "CN",
        "city_government",
    )
    assert (membership.user.username, membership.partner, membership.email_verified) == (
        "yangzhou-fao",
        partner,
        False,
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["fao@example.org"], "Confirm your e-mail address")
    ]
    assert "http://127.0.0.1:8000/en/partners/verify/" in mail.outbox[0].body


def test_register_in_japanese_mails_japanese_links(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/ja/partners/register/", registration_data())

    assert PartnerMembership.objects.get().language == "ja"
    assert "http://127.0.0.1:8000/ja/partners/verify/" in mail.outbox[0].body


def test_register_bad_input_keeps_what_was_typed(client):
    response = client.post(
        reverse("partners:register"),
        registration_data(password2="something else", name_en="", name_zh_hans=""),
    )

    assert response.status_code == 400
    assert error_list(response, "password2") == ["The two passwords differ."]
    assert error_list(response, "name_en") == [
        "Give the organisation's name in at least one language."
    ]
    assert 'value="fao@example.org"' in response.content.decode()
    assert get_user_model().objects.count() == 0


def test_register_honeypot_refused(client):
    response = client.post(reverse("partners:register"), registration_data(homepage="http://x"))

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["Your sign-up could not be accepted."]
    assert (get_user_model().objects.count(), Partner.objects.count()) == (0, 0)


def test_register_with_a_taken_address_answers_as_a_new_one_and_mails_the_owner(
    client, django_capture_on_commit_callbacks
):
    owner = PartnerMembershipFactory(user__email="fao@example.org", language="ja").user
    with django_capture_on_commit_callbacks(execute=True):
        new = client.post(
            reverse("partners:register"),
            registration_data(username="newcomer", email="new@example.org"),
            follow=True,
        )
        taken = client.post(
            reverse("partners:register"),
            registration_data(username="someone-else", email="FAO@example.org"),
            follow=True,
        )

    def answer(response):
        return (
            response.status_code,
            response.redirect_chain,
            [
                str(m).replace("new@", "@").replace("FAO@", "@")
                for m in response.context["messages"]
            ],
        )

    assert answer(taken) == answer(new)
    assert answer(new) == (
        200,
        [("/en/partners/login/", 302)],
        [
            "Thank you! We sent a message to @example.org: open the link in it to confirm your "
            "address, then log in."
        ],
    )
    assert sorted(get_user_model().objects.values_list("username", flat=True)) == sorted(
        [owner.username, "newcomer"]
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["new@example.org"], "Confirm your e-mail address"),
        (["fao@example.org"], "誰かがあなたのメールアドレスでパートナー登録しようとしました"),
    ]
    assert "http://127.0.0.1:8000/ja/partners/password/reset/" in mail.outbox[1].body


def test_register_with_a_taken_user_name_says_so(client):
    UserFactory(username="yangzhou-fao")

    response = client.post(reverse("partners:register"), registration_data())

    assert response.status_code == 400
    assert error_list(response, "username") == ["This user name is taken. Choose another."]


def test_register_rate_limited_per_ip(client, settings):
    settings.PARTNER_SIGNUP_RATE = "2/3600"
    for number in range(2):
        client.post(
            reverse("partners:register"),
            registration_data(username=f"user-{number}", email=f"u{number}@example.org"),
        )
        client.logout()

    response = client.post(
        reverse("partners:register"), registration_data(username="third", email="t@example.org")
    )

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert response.context["form"].non_field_errors() == [
        "Too many sign-ups from your network. Please try again in an hour."
    ]
    assert sorted(get_user_model().objects.values_list("username", flat=True)) == [
        "user-0",
        "user-1",
    ]


def test_verify_email_link_marks_address_verified(client):
    membership = PartnerMembershipFactory(email_verified_at=None)
    token = services.partner_verification_token(user=membership.user)

    response = client.get(reverse("partners:verify_email", kwargs={"token": token}))

    membership.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, "/en/partners/login/")
    assert membership.email_verified


def test_verify_email_bad_link_shows_message(client):
    response = client.get(reverse("partners:verify_email", kwargs={"token": "forged"}), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "This verification link is not valid."
    ]


def test_login_then_dashboard(client, member):
    response = client.post(
        reverse("partners:login"),
        {"username": member.username, "password": "correct horse battery staple"},
    )

    assert (response.status_code, response["Location"]) == (302, "/en/partner/proposals/")


def test_login_locked_out_after_repeated_failures(client, member, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _attempt in range(3):
        client.post(reverse("partners:login"), {"username": member.username, "password": "wrong"})

    response = client.post(
        reverse("partners:login"),
        {"username": member.username, "password": "correct horse battery staple"},
    )

    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_by_post(member_client):
    response = member_client.post(reverse("partners:logout"))

    assert (response.status_code, response["Location"]) == (302, "/en/partners/login/")
    assert "_auth_user_id" not in member_client.session


def test_password_reset_mails_link(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partners:password_reset"), {"email": "partner@example.org"})

    assert (response.status_code, response["Location"]) == (
        302,
        "/en/partners/password/reset/sent/",
    )
    assert [m.subject for m in mail.outbox] == [
        "Choose a new password for the CJK City Exchange Portal"
    ]
    assert "/en/partners/password/reset/" in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_password_reset_link_sets_new_password(client, member, django_capture_on_commit_callbacks):
    import re

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partners:password_reset"), {"email": "partner@example.org"})
    link = re.search(r"http://testserver(/en/partners/password/reset/\S+/)", mail.outbox[0].body)

    form_page = client.get(link.group(1), follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Lanterns on the canal 7", "new_password2": "Lanterns on the canal 7"},
    )

    member.refresh_from_db()
    assert form_page.context["validlink"] is True
    assert done["Location"] == "/en/partners/password/reset/complete/"
    assert member.check_password("Lanterns on the canal 7")


def test_password_change(member_client, member):
    response = member_client.post(
        reverse("partners:password_change"),
        {
            "old_password": "correct horse battery staple",
            "new_password1": "Canal boats at dusk 9",
            "new_password2": "Canal boats at dusk 9",
        },
    )

    member.refresh_from_db()
    assert response["Location"] == "/en/partners/password/change/done/"
    assert member.check_password("Canal boats at dusk 9")


@pytest.mark.parametrize(
    "url_name",
    ["login", "register", "password_reset", "password_reset_done", "password_reset_complete"],
)
def test_account_pages_render_in_korean(client, url_name):
    with_language = reverse(f"partners:{url_name}").replace("/en/", "/ko/", 1)

    response = client.get(with_language)

    assert response.status_code == 200
    assert '<html lang="ko">' in response.content.decode()


@pytest.mark.parametrize(
    ("language", "heading"),
    [("zh-hans", "合作方登录"), ("ja", "パートナーのログイン"), ("ko", "파트너 로그인")],
)
def test_login_page_translated(client, language, heading):
    response = client.get(f"/{language}/partners/login/")

    assert f"<h1>{heading}</h1>" in response.content.decode()


def test_proposal_form_error_translated(member_client, places):
    data = {**proposal_data(places, ends_on="2020-01-01"), "submit": "1"}

    response = member_client.post("/ja/partner/proposals/new/", data)

    assert error_list(response, "ends_on") == ["終了日が開始日より前です。"]


# --- Dashboard -----------------------------------------------------------------------------------


def test_dashboard_lists_only_own_proposals(member_client, member):
    own = EventProposalFactory(partner=member.partner_membership.partner, title_en="Own")
    EventProposalFactory(title_en="Someone else's")

    response = member_client.get(reverse("partners:proposal_list"))

    assert [p.title for p in response.context["proposals"]] == [own.title]


def test_dashboard_anonymous_redirected_to_login(client):
    response = client.get(reverse("partners:proposal_list"))

    assert response["Location"] == "/en/partners/login/?next=/en/partner/proposals/"


def test_dashboard_user_without_partner_gets_explanation(client):
    client.force_login(UserFactory())

    response = client.get(reverse("partners:proposal_list"))

    assert response.status_code == 403
    assert "does not serve a partner organisation" in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_dashboard_query_count_fixed(member_client, member, django_assert_num_queries, count):
    EventProposalFactory.create_batch(count, partner=member.partner_membership.partner)

    # session, user, membership+partner, count, page of proposals
    with django_assert_num_queries(5):
        response = member_client.get(reverse("partners:proposal_list"))

    assert len(response.context["proposals"]) == count


# --- The proposal form ---------------------------------------------------------------------------


def test_proposal_create_save_draft_with_little_data(member_client, member):
    response = member_client.post(
        reverse("partners:proposal_create"), {"title_en": "Idea for 2027", "draft": "1"}
    )

    proposal = EventProposal.objects.get()
    assert response["Location"] == f"/en/partner/proposals/{proposal.pk}/edit/"
    assert (proposal.title, proposal.state, proposal.partner) == (
        "Idea for 2027",
        S.DRAFT,
        member.partner_membership.partner,
    )


def test_proposal_create_submit_complete(
    member_client, member, places, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            reverse("partners:proposal_create"), {**proposal_data(places), "submit": "1"}
        )

    proposal = EventProposal.objects.get()
    assert response["Location"] == f"/en/partner/proposals/{proposal.pk}/"
    assert proposal.state == S.SUBMITTED
    assert list(proposal.partner_places.all()) == [places["abroad"]]
    assert [m.subject for m in mail.outbox] == [
        "Proposal received: Canal cities youth forum",
    ] * 2  # the member and the contact person (no reviewers exist)
    assert sorted(m.to[0] for m in mail.outbox) == ["li.wei@example.org", "partner@example.org"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"ends_on": "2020-01-01"},
            "ends_on",
            "The end date is before the start date.",
        ),
        (
            {"starts_on": "2020-01-01", "ends_on": "2020-01-02"},
            "starts_on",
            "The start date is in the past. Propose a date from today on.",
        ),
        ({"budget_amount": "-5"}, "budget_amount", "A budget cannot be negative."),
        ({"participants": "0"}, "participants", "Expect at least one participant."),
        ({"title_en": ""}, "title_en", "Give the title in at least one language."),
        ({"privacy_consent": None}, "privacy_consent", "This field is required."),
        ({"budget_currency": ""}, "budget_currency", "Give the currency of the budget."),
        ({"venue": ""}, "venue", "Give the venue of an in-person or hybrid event."),
    ],
)
def test_proposal_create_submit_bad_input_message_kept_values(
    member_client, places, overrides, field, message
):
    response = member_client.post(
        reverse("partners:proposal_create"), {**proposal_data(places, **overrides), "submit": "1"}
    )

    assert response.status_code == 200
    assert message in error_list(response, field)
    assert 'value="Li Wei"' in response.content.decode()
    assert not EventProposal.objects.filter(state=S.SUBMITTED).exists()


def test_proposal_create_submit_host_among_partners_refused(member_client, places):
    data = proposal_data(places, partner_places="Yangzhou\nNara")

    response = member_client.post(reverse("partners:proposal_create"), {**data, "submit": "1"})

    assert error_list(response, "partner_places") == [
        "The host place cannot also be one of its own partners."
    ]


def test_proposal_create_submit_no_partner_abroad_refused(member_client, places):
    data = proposal_data(places, partner_places="Suzhou")

    response = member_client.post(reverse("partners:proposal_create"), {**data, "submit": "1"})

    assert error_list(response, "partner_places") == [
        "At least one partner place must be in a different country from the host."
    ]


def test_proposal_failing_submit_keeps_uploaded_images_with_draft(member_client, places):
    data = proposal_data(places, ends_on="2020-01-01")
    data["image_1"] = imagefiles.jpeg_upload()
    data["image_2"] = imagefiles.upload("page.png", imagefiles.HTML)

    response = member_client.post(reverse("partners:proposal_create"), {**data, "submit": "1"})

    proposal = EventProposal.objects.get()
    assert proposal.state == S.DRAFT
    assert proposal.image_1.name.startswith("proposals/")
    assert proposal.image_2.name == ""
    assert proposal.title == "Canal cities youth forum"
    assert error_list(response, "image_2") == [
        "SVG, HTML and other text files are not accepted. Upload a JPEG, PNG or WebP."
    ]
    assert error_list(response, "ends_on") == ["The end date is before the start date."]
    assert f"/en/partner/proposals/{proposal.pk}/edit/" in response.content.decode()


def test_proposal_draft_keeps_files_and_replacing_deletes_old_after_commit(
    member_client, member, places, settings, django_capture_on_commit_callbacks
):
    data = {**proposal_data(places), "draft": "1", "image_1": imagefiles.jpeg_upload()}
    data["document"] = imagefiles.upload("plan.pdf", imagefiles.PDF, "application/pdf")
    member_client.post(reverse("partners:proposal_create"), data)
    proposal = EventProposal.objects.get()
    first = proposal.image_1.name

    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(
            reverse("partners:proposal_edit", kwargs={"pk": proposal.pk}),
            {**proposal_data(places), "draft": "1", "image_1": imagefiles.png_upload()},
        )

    proposal.refresh_from_db()
    assert proposal.image_1.name.endswith(".png")
    assert proposal.document_name == "plan.pdf"
    assert not (settings.PRIVATE_MEDIA_ROOT / first).exists()
    assert (settings.PRIVATE_MEDIA_ROOT / proposal.image_1.name).exists()


def test_proposal_pdf_checked_by_content(member_client, places):
    data = {**proposal_data(places), "draft": "1"}
    data["document"] = imagefiles.upload("plan.pdf", imagefiles.HTML, "application/pdf")

    response = member_client.post(reverse("partners:proposal_create"), data)

    assert error_list(response, "document") == [
        "This file is not a PDF (its content does not start like one)."
    ]


def test_proposal_honeypot_refused(member_client, places):
    response = member_client.post(
        reverse("partners:proposal_create"),
        {**proposal_data(places, homepage="spam"), "submit": "1"},
    )

    assert response.status_code == 400
    assert EventProposal.objects.count() == 0


def test_proposal_submit_rate_limited_keeps_draft(member_client, places, settings):
    settings.PROPOSAL_SUBMIT_RATE_PARTNER = "1/3600"
    member_client.post(
        reverse("partners:proposal_create"), {**proposal_data(places), "submit": "1"}
    )

    response = member_client.post(
        reverse("partners:proposal_create"), {**proposal_data(places), "submit": "1"}, follow=True
    )

    assert sorted(EventProposal.objects.values_list("state", flat=True)) == ["draft", "submitted"]
    assert "Too many submissions in a short time. Your draft is saved: submit it later." in [
        str(m) for m in response.context["messages"]
    ]


def test_proposal_submit_unverified_email_keeps_draft(member_client, member, places):
    PartnerMembership.objects.filter(user=member).update(email_verified_at=None)

    response = member_client.post(
        reverse("partners:proposal_create"), {**proposal_data(places), "submit": "1"}
    )

    assert EventProposal.objects.get().state == S.DRAFT
    assert response.context["form"].non_field_errors() == [
        "Please verify your e-mail address before submitting a proposal."
    ]


def test_proposal_create_open_cap_message(member_client, member, settings):
    settings.PROPOSAL_OPEN_LIMIT = 1
    EventProposalFactory(partner=member.partner_membership.partner)

    response = member_client.post(
        reverse("partners:proposal_create"), {"title_en": "More", "draft": "1"}
    )

    assert response.context["form"].non_field_errors() == [
        "Your organisation already has 1 open proposals, the most allowed. "
        "Withdraw one or wait for a decision before starting another."
    ]
    assert EventProposal.objects.count() == 1


def test_proposal_edit_refused_when_submitted(member_client, member):
    proposal = EventProposalFactory(partner=member.partner_membership.partner, state=S.SUBMITTED)

    response = member_client.get(reverse("partners:proposal_edit", kwargs={"pk": proposal.pk}))

    assert response["Location"] == f"/en/partner/proposals/{proposal.pk}/"


def test_proposal_detail_shows_timeline_without_internal_notes(member_client, member):
    proposal = EventProposalFactory(partner=member.partner_membership.partner)
    reviewer = ReviewerFactory()
    services.proposal_submit(proposal=proposal, actor=member)
    services.proposal_start_review(proposal=proposal, actor=reviewer)
    services.proposal_add_note(proposal=proposal, actor=reviewer, message="SECRET NOTE")
    services.proposal_request_changes(proposal=proposal, actor=reviewer, message="Add a venue map.")

    response = member_client.get(proposal.get_absolute_url())

    content = response.content.decode()
    assert [(a.from_state, a.to_state) for a in response.context["timeline"]] == [
        ("draft", "submitted"),
        ("submitted", "under_review"),
        ("under_review", "changes_requested"),
    ]
    assert "Add a venue map." in content
    assert "SECRET NOTE" not in content


def test_proposal_withdraw_button(member_client, member):
    proposal = EventProposalFactory(partner=member.partner_membership.partner, state=S.SUBMITTED)

    member_client.post(reverse("partners:proposal_withdraw", kwargs={"pk": proposal.pk}))

    proposal.refresh_from_db()
    assert proposal.state == S.WITHDRAWN


# --- Cross-partner access and private files -----------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "method", "extra"),
    [
        ("proposal_detail", "get", {}),
        ("proposal_edit", "get", {}),
        ("proposal_edit", "post", {}),
        ("proposal_submit", "post", {}),
        ("proposal_withdraw", "post", {}),
        ("proposal_file", "get", {"field": "image_1"}),
    ],
)
def test_other_partners_proposal_is_404(member_client, url_name, method, extra):
    other = EventProposalFactory(title_en="Their proposal")
    services.proposal_save(
        proposal=other,
        partner=other.partner,
        actor=PartnerMembershipFactory(partner=other.partner).user,
        fields={},
        images={"image_1": process_image(imagefiles.jpeg_upload())},
    )
    url = reverse(f"partners:{url_name}", kwargs={"pk": other.pk, **extra})
    data = {"title_en": "hijack", "submit": "1"} if method == "post" else {}

    response = getattr(member_client, method)(url, data)

    other.refresh_from_db()
    assert response.status_code == 404
    assert (other.state, other.title) == (S.DRAFT, "Their proposal")


def test_proposal_file_served_privately_to_own_partner_and_staff(member_client, member, client):
    member_client.post(
        reverse("partners:proposal_create"),
        {"title_en": "With photo", "draft": "1", "image_1": imagefiles.jpeg_upload()},
    )
    proposal = EventProposal.objects.get()
    url = reverse("partners:proposal_file", kwargs={"pk": proposal.pk, "field": "image_1"})

    own = member_client.get(url)
    thumb = member_client.get(url + "?size=thumb")
    member_client.logout()
    anonymous = client.get(url)
    client.force_login(ReviewerFactory())
    staff_on_draft = client.get(url)  # a draft is the partner's own until it is submitted
    EventProposal.objects.filter(pk=proposal.pk).update(state=S.SUBMITTED)
    staff = client.get(url)

    assert (own.status_code, own["Content-Type"], own["Cache-Control"]) == (
        200,
        "image/jpeg",
        "private, max-age=0",
    )
    assert b"".join(own.streaming_content)[:3] == b"\xff\xd8\xff"
    assert thumb.status_code == 200
    assert anonymous.status_code == 302
    assert (staff_on_draft.status_code, staff.status_code) == (404, 200)
    for response in (own, thumb, staff):
        response.close()
    assert proposal.image_1.name.startswith("proposals/")
    assert not proposal.image_1.name.startswith("proposals/photo")


@pytest.mark.parametrize("count", [1, 3])
def test_proposal_detail_query_count_fixed(member_client, member, django_assert_num_queries, count):
    from tests.factories import FriendshipLinkFactory, ProposalActivityFactory

    proposal = EventProposalFactory(
        partner=member.partner_membership.partner,
        partner_places=CityFactory.create_batch(count, country=Country.KOREA),
    )
    proposal.links.set(FriendshipLinkFactory.create_batch(count))
    ProposalActivityFactory.create_batch(count, proposal=proposal, actor=member)

    # session, user, membership+partner, proposal, its places, its ties with their places, timeline
    with django_assert_num_queries(7):
        response = member_client.get(proposal.get_absolute_url())

    assert len(response.context["timeline"]) == count


def test_proposal_pdf_downloaded_as_attachment_with_its_name(member_client):
    member_client.post(
        reverse("partners:proposal_create"),
        {
            "title_en": "With programme",
            "draft": "1",
            "document": imagefiles.upload("Programme 2027.pdf", imagefiles.PDF, "application/pdf"),
        },
    )
    proposal = EventProposal.objects.get()

    response = member_client.get(
        reverse("partners:proposal_file", kwargs={"pk": proposal.pk, "field": "document"})
    )

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response["Content-Disposition"] == 'attachment; filename="Programme 2027.pdf"'
    assert b"".join(response.streaming_content) == imagefiles.PDF
    response.close()
    assert "Programme" not in proposal.document.name


# --- Typed places instead of lists of every place ------------------------------------------------


def draft_post(member_client, **fields):
    return member_client.post(reverse("partners:proposal_create"), {"draft": "1", **fields})


def test_proposal_places_are_typed_in_any_script_or_by_slug(member_client):
    yangzhou = CityFactory(
        slug="yangzhou", name_en="Yangzhou", name_zh_hans="扬州", country=Country.CHINA
    )
    nara = CityFactory(slug="nara", name_en="Nara", name_ja="奈良市", country=Country.JAPAN)
    gyeongju = CityFactory(
        slug="gyeongju", name_en="Gyeongju", name_ko="경주시", country=Country.KOREA
    )

    response = draft_post(
        member_client, host="扬州", partner_places="奈良市\nGyeongju (gyeongju) ; nara"
    )

    proposal = EventProposal.objects.get()
    assert response.status_code == 302
    assert proposal.host == yangzhou
    assert sorted(proposal.partner_places.values_list("slug", flat=True)) == ["gyeongju", "nara"]
    assert {nara, gyeongju} == set(proposal.partner_places.all())


def test_an_unknown_place_is_named_in_the_error_and_the_text_kept(member_client):
    CityFactory(slug="nara", name_en="Nara", country=Country.JAPAN)

    response = draft_post(
        member_client, title_en="Forum", host="Atlantis", partner_places="Nara\nLemuria"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert error_list(response, "host") == [
        "No place on the portal is called “Atlantis”. Pick one of the suggestions, "
        "or type the name as it is written on the place's page."
    ]
    assert error_list(response, "partner_places") == [
        "No place on the portal is called “Lemuria”. Pick one of the suggestions, "
        "or type the name as it is written on the place's page."
    ]
    assert 'value="Atlantis"' in html
    assert ">\nNara\nLemuria</textarea>" in html
    assert not EventProposal.objects.exists()


def test_a_name_two_places_share_lists_both_to_choose_from(member_client):
    CityFactory(slug="fuchu-tokyo", name_en="Fuchu", country=Country.JAPAN)
    CityFactory(slug="fuchu-hiroshima", name_en="Fuchu", country=Country.JAPAN)

    response = draft_post(member_client, host="fuchu")
    chosen = draft_post(member_client, host="Fuchu (fuchu-tokyo)")

    assert error_list(response, "host") == [
        "Several places are called “fuchu”: type the one you mean — "
        "Fuchu (fuchu-hiroshima); Fuchu (fuchu-tokyo)."
    ]
    assert chosen.status_code == 302
    assert EventProposal.objects.get().host.slug == "fuchu-tokyo"


def test_at_most_twenty_partner_places(member_client):
    CityFactory(slug="nara", name_en="Nara")

    response = draft_post(member_client, partner_places="\n".join(f"p{n}" for n in range(21)))

    assert error_list(response, "partner_places") == ["Name at most 20 partner places."]


def test_edit_form_shows_the_saved_places_and_offers_only_their_ties(member_client, member):
    from tests.factories import FriendshipLinkFactory

    yangzhou = CityFactory(slug="yangzhou", name_en="Yangzhou", country=Country.CHINA)
    nara = CityFactory(slug="nara", name_en="Nara", country=Country.JAPAN)
    served = FriendshipLinkFactory(city_a=yangzhou, city_b=nara)
    elsewhere = FriendshipLinkFactory()
    proposal = EventProposalFactory(
        partner=member.partner_membership.partner, host=yangzhou, partner_places=[nara]
    )

    response = member_client.get(reverse("partners:proposal_edit", kwargs={"pk": proposal.pk}))

    html = response.content.decode()
    form = response.context["form"]
    assert 'value="Yangzhou (yangzhou)"' in html
    assert ">\nNara (nara)</textarea>" in html
    assert list(form.fields["links"].queryset) == [served]
    assert elsewhere not in form.fields["links"].queryset
    assert f'value="{served.pk}"' in html
    assert '<datalist id="place-suggestions" data-endpoint="/api/v1/cities/">' in html
    assert "/static/js/place-suggest" in html


def test_new_proposal_form_lists_no_places_and_explains_the_ties(member_client):
    CityFactory.create_batch(3)

    response = member_client.get(reverse("partners:proposal_create"))

    html = response.content.decode()
    assert "<option" not in html.split('id="id_partner_places"')[1].split('id="ties-served"')[0]
    assert "once the host and at least one partner place are named" in html


@pytest.mark.parametrize("count", [1, 3])
def test_proposal_edit_form_query_count_fixed(
    member_client, member, django_assert_num_queries, count
):
    host = CityFactory(country=Country.CHINA)
    partners = CityFactory.create_batch(count, country=Country.KOREA)
    CityFactory.create_batch(count * 5)  # places the form must not list
    proposal = EventProposalFactory(
        partner=member.partner_membership.partner, host=host, partner_places=partners
    )

    # session, user, membership+partner, proposal, its partner places (initial), host
    # (initial), the saved places for the ties, ties among them
    with django_assert_num_queries(8):
        response = member_client.get(reverse("partners:proposal_edit", kwargs={"pk": proposal.pk}))

    assert response.status_code == 200


def test_register_takes_the_place_typed_by_name(client):
    nara = CityFactory(slug="nara", name_en="Nara", name_ja="奈良市", country=Country.JAPAN)

    response = client.post(reverse("partners:register"), registration_data(place="奈良市"))

    assert response.status_code == 302
    assert Partner.objects.get().place == nara


# --- Dates and budgets in each language's own format ----------------------------------------

TYPOGRAPHY = {
    "en": ("30 Nov 2026, 11:43", "1 Feb 2027", "200,000 CNY", "1,200"),
    "zh-hans": ("2026年11月30日 11:43", "2027年2月1日", "200,000 CNY", "1,200"),
    "ja": ("2026年11月30日 11:43", "2027年2月1日", "200,000 CNY", "1,200"),
    "ko": ("2026년 11월 30일 11:43", "2027년 2월 1일", "200,000 CNY", "1,200"),
}
STAMP = datetime.datetime(2026, 11, 30, 11, 43, tzinfo=datetime.UTC)


def typography_proposal(member):
    proposal = EventProposalFactory(
        partner=member.partner_membership.partner,
        starts_on=datetime.date(2027, 2, 1),
        ends_on=datetime.date(2027, 2, 1),
        budget_amount="200000.00",
        budget_currency="CNY",
        participants=1200,
    )
    services.proposal_submit(proposal=proposal, actor=member)
    proposal.activities.update(created_at=STAMP)
    EventProposal.objects.filter(pk=proposal.pk).update(updated_at=STAMP)
    return proposal


@pytest.mark.parametrize("language", list(TYPOGRAPHY))
def test_proposal_detail_shows_dates_and_budget_in_the_language(member_client, member, language):
    stamp, _day, budget, participants = TYPOGRAPHY[language]
    proposal = typography_proposal(member)

    html = member_client.get(f"/{language}/partner/proposals/{proposal.pk}/").content.decode()

    assert f'<time datetime="2026-11-30T11:43:00+0000">{stamp}</time>' in html
    assert f"<dd>{budget}</dd>" in html
    assert f"<dd>{participants}</dd>" in html
    assert "200000.00" not in html


@pytest.mark.parametrize("language", list(TYPOGRAPHY))
def test_proposal_list_shows_dates_in_the_language(member_client, member, language):
    stamp, day, _budget, _participants = TYPOGRAPHY[language]
    typography_proposal(member)

    html = member_client.get(f"/{language}/partner/proposals/").content.decode()

    assert f"<td>{day}</td>" in html
    assert f'<time datetime="2026-11-30T11:43:00+0000">{stamp}</time>' in html


# --- The partner programme page ------------------------------------------------------------------


def accepted_event(*, partner, title, starts_on):
    event = ExchangeEventFactory(title_en=title, starts_on=starts_on, ends_on=starts_on)
    EventProposalFactory(partner=partner, state=S.ACCEPTED, event=event)
    return event


def test_programme_page_is_public_and_links_to_sign_up_and_log_in(client):
    response = client.get(reverse("partners:programme"))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["is_partner"] is False
    assert f'<a class="button" href="{reverse("partners:register")}">' in html
    assert f'<a class="button button--quiet" href="{reverse("partners:login")}">' in html
    assert "What happens after you submit" in html
    assert "Reviewers aim to decide within 14 days of submission." in html


def test_programme_page_offers_a_partner_a_new_proposal(member_client):
    response = member_client.get(reverse("partners:programme"))

    html = response.content.decode()
    assert response.context["is_partner"] is True
    assert f'<a class="button" href="{reverse("partners:proposal_create")}">' in html
    assert reverse("partners:register") not in html.split("</nav>", 3)[-1]


def test_menu_partners_leads_to_the_programme_page(client):
    response = client.get("/en/")

    assert '<a href="/en/partners/">Partners</a>' in response.content.decode()


def test_programme_examples_accepted_first_then_events_serving_a_tie():
    partner = PartnerFactory(name_en="Yangzhou Foreign Affairs Office")
    today = timezone.localdate()
    older_accepted = accepted_event(
        partner=partner, title="Canal forum", starts_on=today - datetime.timedelta(days=400)
    )
    newer_accepted = accepted_event(
        partner=partner, title="Youth Go week", starts_on=today - datetime.timedelta(days=30)
    )
    tie = FriendshipLinkFactory()
    serving = ExchangeEventFactory(title_en="Sister-city concert", starts_on=today, ends_on=today)
    serving.links.add(tie)
    ExchangeEventFactory(title_en="No tie served")  # not an example
    ExchangeEventFactory(title_en="Unpublished", is_published=False).links.add(tie)

    examples = selectors.programme_examples()

    assert [(event.title_en, event.accepted_here) for event in examples] == [
        (newer_accepted.title_en, True),
        (older_accepted.title_en, True),
        (serving.title_en, False),
    ]


def test_programme_page_links_the_examples_and_names_the_proposing_partner(client):
    partner = PartnerFactory(name_en="Nara City International Affairs Division")
    event = accepted_event(
        partner=partner, title="Deer park youth exchange", starts_on=timezone.localdate()
    )

    html = client.get(reverse("partners:programme")).content.decode()

    assert f'<a href="{event.get_absolute_url()}">Deer park youth exchange</a>' in html
    assert "Proposed by Nara City International Affairs Division" in html


def test_programme_page_says_when_no_event_is_published(client):
    response = client.get(reverse("partners:programme"))

    assert response.context["examples"] == []
    assert "No exchange event is published yet: yours could be the first." in (
        response.content.decode()
    )


def test_programme_review_time_is_the_median_of_decisions():
    submitted = timezone.now() - datetime.timedelta(days=60)
    for days, state in [(3, S.ACCEPTED), (10, S.REJECTED), (21, S.ACCEPTED)]:
        EventProposalFactory(
            state=state,
            submitted_at=submitted,
            decided_at=submitted + datetime.timedelta(days=days, hours=5),
        )
    EventProposalFactory(state=S.UNDER_REVIEW, submitted_at=submitted)  # not decided

    assert selectors.proposal_review_days() == {"days": 10, "count": 3}


def test_programme_review_time_needs_three_decisions(client):
    submitted = timezone.now() - datetime.timedelta(days=9)
    EventProposalFactory.create_batch(
        2, state=S.ACCEPTED, submitted_at=submitted, decided_at=timezone.now()
    )

    response = client.get(reverse("partners:programme"))

    assert response.context["review_time"] is None
    assert "Over the last" not in response.content.decode()


@pytest.mark.parametrize(
    ("language", "heading", "step"),
    [
        ("zh-hans", "提议交流活动", "我们会给您发送回执邮件，并通知审核人。"),
        ("ja", "交流イベントを提案する", "受付確認のメールをお送りし、審査担当者に知らせます。"),
        ("ko", "교류 행사 제안하기", "접수 확인 메일을 보내 드리고 검토자에게 알립니다."),
    ],
)
def test_programme_page_in_each_language(client, language, heading, step):
    html = client.get(f"/{language}/partners/").content.decode()

    assert f"<h1>{heading}</h1>" in html
    assert step in html


@pytest.mark.parametrize("count", [1, 3])
def test_programme_page_query_count_fixed(client, django_assert_num_queries, count):
    partner = PartnerFactory()
    for number in range(count):
        event = accepted_event(
            partner=partner, title=f"Accepted {number}", starts_on=timezone.localdate()
        )
        event.partners.add(CityFactory(), CityFactory())
        ExchangeEventFactory().links.add(FriendshipLinkFactory())

    # the examples, their partner places, the decided proposals
    with django_assert_num_queries(3):
        response = client.get(reverse("partners:programme"))

    assert len(response.context["examples"]) == 2 * count


# --- "Ties served" before any draft is saved -----------------------------------------------------


@pytest.fixture
def tied_places(places):
    """Yangzhou (host) – Nara is a tie; Suzhou – Nara another; Yangzhou – Busan one more."""
    busan = CityFactory(country=Country.KOREA, name_en="Busan")
    return {
        **places,
        "busan": busan,
        "yangzhou_nara": FriendshipLinkFactory(city_a=places["host"], city_b=places["abroad"]),
        "suzhou_nara": FriendshipLinkFactory(city_a=places["home"], city_b=places["abroad"]),
        "yangzhou_busan": FriendshipLinkFactory(city_a=places["host"], city_b=busan),
    }


def test_submit_at_once_offers_the_ties_of_the_typed_places_and_saves_nothing(
    member_client, tied_places
):
    data = proposal_data(tied_places, partner_places="Nara\nBusan")

    response = member_client.post(reverse("partners:proposal_create"), {**data, "submit": "1"})

    html = response.content.decode()
    form = response.context["form"]
    ties = [tied_places["yangzhou_busan"], tied_places["yangzhou_nara"]]
    assert EventProposal.objects.count() == 0
    assert list(form.fields["links"].queryset) == sorted(ties, key=lambda tie: tie.city_b.name_en)
    assert error_list(response, "links") == [
        "The places you named have ties between them: tick the ones this event serves (or "
        "none), then submit again."
    ]
    assert f'<input type="hidden" name="ties_shown" value="{form.offered_tie_ids_text}">' in html
    assert sorted(form.offered_tie_ids) == sorted(tie.pk for tie in ties)
    assert "Yangzhou — Nara" in html and "Yangzhou — Busan" in html
    assert "Suzhou — Nara" not in html
    assert 'value="Canal cities youth forum"' in html  # everything typed is still there


def test_submit_with_the_ties_shown_submits_with_the_ticked_ones(member_client, tied_places):
    tie = tied_places["yangzhou_nara"]
    shown = f"{tie.pk},{tied_places['yangzhou_busan'].pk}"
    data = proposal_data(tied_places, partner_places="Nara\nBusan")
    services_verified(member_client)

    response = member_client.post(
        reverse("partners:proposal_create"),
        {**data, "links": [str(tie.pk)], "ties_shown": shown, "submit": "1"},
    )

    proposal = EventProposal.objects.get()
    assert response.status_code == 302
    assert (proposal.state, list(proposal.links.all())) == (S.SUBMITTED, [tie])
    assert sorted(place.name_en for place in proposal.partner_places.all()) == ["Busan", "Nara"]


def test_submit_with_the_ties_shown_and_none_ticked_submits(member_client, tied_places):
    data = proposal_data(tied_places)
    services_verified(member_client)

    response = member_client.post(
        reverse("partners:proposal_create"),
        {**data, "ties_shown": str(tied_places["yangzhou_nara"].pk), "submit": "1"},
    )

    proposal = EventProposal.objects.get()
    assert response.status_code == 302
    assert (proposal.state, list(proposal.links.all())) == (S.SUBMITTED, [])


def test_submit_without_ties_between_the_places_is_not_held_up(member_client, places):
    services_verified(member_client)

    response = member_client.post(
        reverse("partners:proposal_create"), {**proposal_data(places), "submit": "1"}
    )

    assert response.status_code == 302
    assert EventProposal.objects.get().state == S.SUBMITTED


def test_tie_between_places_not_named_is_refused(member_client, tied_places):
    other = tied_places["suzhou_nara"]

    response = member_client.post(
        reverse("partners:proposal_create"),
        {**proposal_data(tied_places), "links": [str(other.pk)], "draft": "1"},
    )

    assert EventProposal.objects.count() == 0
    assert error_list(response, "links") == [
        f"Select a valid choice. {other.pk} is not one of the available choices."
    ]


def test_draft_saves_the_ticked_ties_of_the_typed_places(member_client, tied_places):
    tie = tied_places["yangzhou_nara"]

    member_client.post(
        reverse("partners:proposal_create"),
        {**proposal_data(tied_places), "links": [str(tie.pk)], "draft": "1"},
    )

    assert list(EventProposal.objects.get().links.all()) == [tie]


def test_ties_fragment_offers_the_ties_of_the_typed_places_keeping_the_ticked(
    member_client, tied_places
):
    ticked = tied_places["yangzhou_busan"]

    response = member_client.get(
        reverse("partners:proposal_ties"),
        {"host": "Yangzhou", "partner_places": "Nara\nBusan\nAtlantis", "links": str(ticked.pk)},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "<form" not in html and "<html" not in html
    ticked_boxes = [
        tag
        for tag in re.findall(r'<input type="checkbox" name="links"[^>]*>', html)
        if "checked" in tag
    ]
    assert [re.search(r'value="(\d+)"', tag).group(1) for tag in ticked_boxes] == [str(ticked.pk)]
    assert html.count('type="checkbox" name="links"') == 2
    assert "Not found yet (pick a suggestion or check the spelling): Atlantis" in html


def test_ties_fragment_without_two_places_explains(member_client, tied_places):
    response = member_client.get(reverse("partners:proposal_ties"), {"host": "Yangzhou"})

    html = response.content.decode()
    assert "once the host and at least one partner place are named" in html
    assert '<input type="hidden" name="ties_shown" value="">' in html


def test_ties_fragment_needs_a_partner_log_in(client):
    response = client.get(reverse("partners:proposal_ties"), {"host": "Yangzhou"})

    assert response.status_code == 302
    assert response["Location"].startswith("/en/partners/login/")


@pytest.mark.parametrize("count", [1, 3])
def test_ties_fragment_query_count_fixed(member_client, django_assert_num_queries, count):
    host = CityFactory(country=Country.CHINA, slug="yangzhou")
    partners = CityFactory.create_batch(count, country=Country.JAPAN)
    for partner in partners:
        FriendshipLinkFactory(city_a=host, city_b=partner)
    lines = "\n".join(f"{place.name_en} ({place.slug})" for place in partners)

    # session, user, membership+partner; one per place (found by slug); tie ids; ties
    with django_assert_num_queries(3 + 1 + count + 2):
        response = member_client.get(
            reverse("partners:proposal_ties"),
            {"host": "Yangzhou (yangzhou)", "partner_places": lines},
        )

    assert response.content.decode().count('type="checkbox" name="links"') == count


def services_verified(client):
    """Confirm the logged-in member's address, as submitting needs."""
    membership = PartnerMembership.objects.get(user_id=client.session["_auth_user_id"])
    membership.email_verified_at = timezone.now()
    membership.save(update_fields=["email_verified_at"])


# --- Nothing typed is lost after a failed submit with an image -----------------------------------


def test_failed_submit_with_an_image_keeps_the_partner_places_and_ties_in_the_draft(
    member_client, tied_places
):
    tie = tied_places["yangzhou_nara"]
    data = proposal_data(tied_places, partner_places="Nara\nBusan", venue="")
    data.update(links=[str(tie.pk)], ties_shown=str(tie.pk), image_1=imagefiles.jpeg_upload())

    response = member_client.post(reverse("partners:proposal_create"), {**data, "submit": "1"})

    proposal = EventProposal.objects.get()
    assert error_list(response, "venue") == ["Give the venue of an in-person or hybrid event."]
    assert proposal.state == S.DRAFT
    assert proposal.host == tied_places["host"]
    assert sorted(place.name_en for place in proposal.partner_places.all()) == ["Busan", "Nara"]
    assert list(proposal.links.all()) == [tie]
    assert proposal.image_1.name.startswith("proposals/")
    assert "Your files are saved with the draft." in response.content.decode()


def test_failed_submit_keeps_places_refused_only_by_the_submission_rules(member_client, places):
    data = proposal_data(places, partner_places="Suzhou", image_1=imagefiles.jpeg_upload())

    member_client.post(reverse("partners:proposal_create"), {**data, "submit": "1"})

    assert [place.name_en for place in EventProposal.objects.get().partner_places.all()] == [
        "Suzhou"
    ]


def test_failed_submit_with_a_refused_image_says_to_choose_it_again(member_client, places):
    data = proposal_data(places, image_1=imagefiles.upload("page.png", imagefiles.HTML))

    response = member_client.post(reverse("partners:proposal_create"), {**data, "submit": "1"})

    assert "Image 1 was not kept: choose a file again" in response.content.decode()


def test_failed_submit_whose_files_cannot_be_kept_says_so(member_client, member, places, settings):
    settings.PROPOSAL_OPEN_LIMIT = 1
    EventProposalFactory(partner=member.partner_membership.partner)
    data = proposal_data(places, venue="", image_1=imagefiles.jpeg_upload())

    response = member_client.post(reverse("partners:proposal_create"), {**data, "submit": "1"})

    assert EventProposal.objects.count() == 1
    assert response.context["form"].non_field_errors()[-1] == (
        "Your files could not be kept with the draft: choose them again after correcting the "
        "fields marked below."
    )


# --- Country and currency as choices in the reader's language ------------------------------------


def test_register_offers_countries_named_in_the_readers_language(client):
    response = client.get("/ja/partners/register/")

    html = response.content.decode()
    assert response.context["form"]["country"].value() == "JP"
    assert '<option value="JP" selected>日本</option>' in html
    assert '<option value="KR">韓国</option>' in html
    assert '<option value="FR">フランス</option>' in html
    assert html.index('value="CN"') < html.index('value="JP"') < html.index('value="KR"')
    assert html.index('value="KR"') < html.index('value="FR"')


def test_register_in_english_asks_to_choose_the_country(client):
    response = client.get(reverse("partners:register"))

    assert response.context["form"]["country"].value() == ""
    assert '<option value="" selected>Choose the country</option>' in response.content.decode()


@pytest.mark.parametrize("country", ["QQ", "EU", "CHN", ""])
def test_register_refuses_a_country_not_in_the_list(client, country):
    response = client.post(reverse("partners:register"), registration_data(country=country))

    assert response.status_code == 400
    assert Partner.objects.count() == 0
    assert error_list(response, "country") == [
        "This field is required."
        if not country
        else f"Select a valid choice. {country} is not one of the available choices."
    ]


def test_proposal_form_offers_currencies_named_in_the_readers_language(client, member):
    member.partner_membership.partner.country = "KR"
    member.partner_membership.partner.save()
    client.force_login(member)

    html = client.get("/ko/partner/proposals/new/").content.decode()

    currency = html.split('id="id_budget_currency"')[1].split("</select>")[0]
    assert '<option value="KRW" selected>KRW — 대한민국 원</option>' in currency
    assert '<option value="CNY">CNY — 중국 위안화</option>' in currency
    assert '<option value="EUR">EUR — 유로</option>' in currency
    assert currency.index('"CNY"') < currency.index('"JPY"') < currency.index('"KRW"')


def test_proposal_refuses_a_currency_not_in_use(member_client, places):
    response = member_client.post(
        reverse("partners:proposal_create"),
        {**proposal_data(places, budget_currency="XYZ"), "draft": "1"},
    )

    assert EventProposal.objects.count() == 0
    assert error_list(response, "budget_currency") == [
        "“XYZ” is not a currency in use. Choose one from the list (ISO 4217 codes such as CNY, "
        "JPY, KRW, USD or EUR)."
    ]


def test_proposal_keeps_an_older_free_text_currency_visible(member_client, member):
    proposal = EventProposalFactory(
        partner=member.partner_membership.partner, budget_amount=10, budget_currency="RMB"
    )

    response = member_client.get(reverse("partners:proposal_edit", kwargs={"pk": proposal.pk}))

    assert '<option value="RMB" selected>RMB</option>' in response.content.decode()
