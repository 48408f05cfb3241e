"""Read-only API of exchange events and their series (lists, details, CSV)."""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from cities.api.views import csv_format_parameter, list_responses, slug_parameter
from exchangeportal.infra.api.filters import PortalFilterBackend, SearchFilter, StrictOrderingFilter
from exchangeportal.infra.api.parsers import StrictMultiPartParser
from exchangeportal.infra.api.viewsets import ReadOnlyResourceViewSet
from exchangeportal.infra.ratelimit import client_ip

from ..filters import EventApiFilterSet, ProposalFilterSet
from ..models import PROPOSAL_IMAGE_FIELDS
from ..selectors import (
    PROPOSAL_ACTIONS,
    event_open_data_list,
    event_text_search,
    partner_for_user,
    proposal_api_queryset,
    series_list,
    series_name_search,
)
from ..services import TRANSITION_SERVICES, SubmissionLimited, proposal_save
from .columns import EVENT_COLUMNS, SERIES_COLUMNS
from .serializers import (
    EventSerializer,
    ProposalDecisionSerializer,
    ProposalMessageSerializer,
    ProposalSerializer,
    SeriesSerializer,
)

# A real record of the demo data (from the researched CSVs), as the API answers.
EVENT_EXAMPLE = OpenApiExample(
    "CJK Go tournament",
    response_only=True,
    value={
        "slug": "cjk-go-tournament-18",
        "url": "https://portal.example/api/v1/events/cjk-go-tournament-18/",
        "page_url": "https://portal.example/en/events/cjk-go-tournament-18/",
        "title_en": "CJK Sister/Friendship Cities Go Exchange Tournament (18)",
        "title_zh_hans": "",
        "title_ja": "",
        "title_ko": "",
        "summary_en": "",
        "summary_zh_hans": "",
        "summary_ja": "",
        "summary_ko": "",
        "description": "",
        "starts": "2016-11-11",
        "ends": "2016-11-13",
        "date_precision": "day",
        "starts_at": None,
        "host": {
            "slug": "karatsu",
            "url": "https://portal.example/api/v1/cities/karatsu/",
            "country": "JP",
            "name_en": "Karatsu",
            "name_zh_hans": "唐津",
            "name_zh_hant": "唐津",
            "name_ja": "唐津",
            "name_ko": "가라쓰",
        },
        "partners": [
            {
                "slug": "yangzhou",
                "url": "https://portal.example/api/v1/cities/yangzhou/",
                "country": "CN",
                "name_en": "Yangzhou",
                "name_zh_hans": "扬州",
                "name_zh_hant": "揚州",
                "name_ja": "揚州",
                "name_ko": "양저우",
            },
            {
                "slug": "yeosu",
                "url": "https://portal.example/api/v1/cities/yeosu/",
                "country": "KR",
                "name_en": "Yeosu",
                "name_zh_hans": "丽水",
                "name_zh_hant": "麗水",
                "name_ja": "麗水",
                "name_ko": "여수",
            },
        ],
        "partner_organisations": [],
        "category": "sports",
        "format": "in_person",
        "status": "held",
        "venue": "",
        "online_url": "",
        "series": {
            "slug": "cjk-go-tournament",
            "url": "https://portal.example/api/v1/series/cjk-go-tournament/",
            "name_en": "CJK Sister/Friendship Cities Go Exchange Tournament",
            "name_zh_hans": "",
            "name_ja": "",
            "name_ko": "",
        },
        "edition": 18,
        "ties": [
            {
                "slug": "karatsu--yangzhou",
                "url": "https://portal.example/api/v1/ties/karatsu--yangzhou/",
                "kind": "friendship",
            },
            {
                "slug": "karatsu--yeosu",
                "url": "https://portal.example/api/v1/ties/karatsu--yeosu/",
                "kind": "sister",
            },
        ],
        "designation": None,
        "budget_amount": None,
        "budget_currency": "",
        "participants": None,
        "outcome_en": "",
        "outcome_zh_hans": "",
        "outcome_ja": "",
        "outcome_ko": "",
        "image": None,
        "sources": [
            {
                "id": 3,
                "url": "https://en.tcs-asia.org/en/cooperation/database_view.php?idx=1&pNo=1&topics=31",
                "title": "",
                "publisher": "en.tcs-asia.org",
                "accessed_on": None,
            }
        ],
    },
)


@extend_schema_view(
    list=extend_schema(
        summary="List events",
        description=(
            "Published exchange events with the events page's filters, newest first "
            "(`when=upcoming`: soonest first). `format` is the event's format "
            "(in_person, online, hybrid) or, with `csv` / `json`, the output format; to "
            "filter by event format and get CSV, send `Accept: text/csv`."
        ),
        parameters=[csv_format_parameter(["in_person", "online", "hybrid"])],
        responses=list_responses(EventSerializer),
        examples=[EVENT_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="One event",
        description="A published event by its slug.",
        examples=[EVENT_EXAMPLE],
        parameters=[slug_parameter("The event's slug.")],
    ),
)
class EventViewSet(ReadOnlyResourceViewSet):
    """Published exchange events."""

    serializer_class = EventSerializer
    filterset_class = EventApiFilterSet
    ordering_fields = [("starts", "starts_on"), ("ends", "ends_on"), ("title", "title_en")]
    search_description = _(
        "Events whose title (any language) contains this text, or whose host answers to it."
    )
    csv_columns = EVENT_COLUMNS
    csv_filename = "events.csv"

    def get_queryset(self):
        return event_open_data_list()

    def search_queryset(self, queryset, term):
        return event_text_search(queryset, term)


@extend_schema_view(
    list=extend_schema(
        summary="List event series",
        description="Recurring exchanges (a tournament held every year …), by name.",
        parameters=[csv_format_parameter()],
        responses=list_responses(SeriesSerializer),
    ),
    retrieve=extend_schema(
        summary="One event series",
        description="A series by its slug.",
        parameters=[slug_parameter("The series' slug, e.g. `cjk-go-tournament`.")],
    ),
)
class SeriesViewSet(ReadOnlyResourceViewSet):
    """Event series."""

    serializer_class = SeriesSerializer
    filter_backends = [SearchFilter, StrictOrderingFilter]
    ordering_fields = [("name", "name_en"), "event_count"]
    search_description = _("Series whose name (any language) contains this text.")
    csv_columns = SERIES_COLUMNS
    csv_filename = "series.csv"

    def get_queryset(self):
        return series_list()

    def search_queryset(self, queryset, term):
        return series_name_search(queryset, term)


# --- Proposals ----------------------------------------------------------------------------------

PROPOSAL_ACTION_DOCS = {
    "submit": ("Submit a proposal", "draft / changes requested → submitted (the partner's users)."),
    "withdraw": ("Withdraw a proposal", "Any open state → withdrawn (the partner's users)."),
    "start-review": ("Start reviewing", "submitted → under review (reviewers)."),
    "request-changes": (
        "Request changes",
        "under review → changes requested, with a required `message` (reviewers).",
    ),
    "accept": (
        "Accept a proposal",
        "under review → accepted; publishes the event (reviewers).",
    ),
    "reject": (
        "Reject a proposal",
        "under review → rejected, with a required `message` (reviewers).",
    ),
}


class IsPartnerUser(permissions.BasePermission):
    """Creating and editing proposals: only a partner's own users."""

    message = _("Only a partner organisation's users can propose events.")

    def has_permission(self, request, view):
        if view.action in ("create", "update", "partial_update"):
            return partner_for_user(user=request.user) is not None
        return True


def _proposal_action(action_name: str):
    summary, description = PROPOSAL_ACTION_DOCS[action_name]
    body_serializer = (
        ProposalDecisionSerializer
        if action_name in ("request-changes", "reject")
        else ProposalMessageSerializer
    )

    def perform(self, request, pk=None):
        proposal = self.get_object()
        body = body_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        service = TRANSITION_SERVICES[PROPOSAL_ACTIONS[action_name]]
        kwargs = {"proposal": proposal, "actor": request.user}
        if action_name == "submit":
            kwargs["client_address"] = client_ip(request)
        else:
            kwargs["message"] = body.validated_data.get("message", "")
        try:
            service(**kwargs)
        except SubmissionLimited as error:
            raise Throttled(wait=error.retry_after, detail=" ".join(error.messages)) from None
        proposal = self.get_queryset().get(pk=proposal.pk)
        return Response(self.get_serializer(proposal).data)

    # The router maps the method to the function by name: name it before decorating.
    perform.__name__ = action_name.replace("-", "_")
    routed = action(detail=True, methods=["post"], url_path=action_name, url_name=action_name)(
        perform
    )
    return extend_schema(
        summary=summary,
        description=(
            f"{description} Calls the same service as the partner pages and the review desk; "
            "a transition the proposal's state does not allow answers 400 with a readable "
            "`detail`, a user not allowed to make it 403."
        ),
        request=body_serializer,
        responses=ProposalSerializer,
        parameters=[PROPOSAL_ID_PARAMETER],
        tags=["proposals"],
    )(routed)


PROPOSAL_ID_PARAMETER = OpenApiParameter(
    "id", int, OpenApiParameter.PATH, description="The proposal's id."
)


@extend_schema_view(
    list=extend_schema(
        summary="List proposals",
        description=(
            "A partner's users see their organisation's proposals; reviewers see all. "
            "Newest change first."
        ),
        tags=["proposals"],
    ),
    retrieve=extend_schema(
        summary="One proposal",
        description="Another partner's proposal answers 404.",
        parameters=[PROPOSAL_ID_PARAMETER],
        tags=["proposals"],
    ),
    create=extend_schema(
        summary="Start a proposal",
        description=(
            "Creates a draft for the user's partner organisation. A draft may be incomplete; "
            "`submit` checks completeness."
        ),
        tags=["proposals"],
    ),
    update=extend_schema(
        summary="Replace a proposal's content",
        description="Only while it is a draft or changes are requested.",
        parameters=[PROPOSAL_ID_PARAMETER],
        tags=["proposals"],
    ),
    partial_update=extend_schema(
        summary="Change some of a proposal's content",
        description="Only while it is a draft or changes are requested.",
        parameters=[PROPOSAL_ID_PARAMETER],
        tags=["proposals"],
    ),
)
class ProposalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Event proposals: partners write and submit them, reviewers decide.

    JSON; or multipart/form-data to send images and the PDF (the same checks as the web form).
    """

    serializer_class = ProposalSerializer
    parser_classes = [JSONParser, StrictMultiPartParser]
    permission_classes = [permissions.IsAuthenticated, IsPartnerUser]
    filter_backends = [PortalFilterBackend]
    filterset_class = ProposalFilterSet
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return proposal_api_queryset(user=self.request.user)

    def _save(self, serializer, *, proposal):
        data = dict(serializer.validated_data)
        places = data.pop("partner_places", None)
        links = data.pop("links", None)
        images = {name: data.pop(name) for name in PROPOSAL_IMAGE_FIELDS if name in data}
        document_given = "document" in data
        document = data.pop("document", None)
        saved = proposal_save(
            proposal=proposal,
            partner=partner_for_user(user=self.request.user),
            actor=self.request.user,
            fields=data,
            partner_places=places,
            links=links,
            images=images,
            document=document,
            remove_document=document_given and document is None,
            language=get_language() or "en",
        )
        serializer.instance = self.get_queryset().get(pk=saved.pk)

    def perform_create(self, serializer):
        self._save(serializer, proposal=None)

    def perform_update(self, serializer):
        self._save(serializer, proposal=serializer.instance)

    submit = _proposal_action("submit")
    withdraw = _proposal_action("withdraw")
    start_review = _proposal_action("start-review")
    request_changes = _proposal_action("request-changes")
    accept = _proposal_action("accept")
    reject = _proposal_action("reject")
