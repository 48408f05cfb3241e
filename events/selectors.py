"""Reads for partners and proposals, shared by the partner pages and the review desk."""

from django.db.models import Prefetch, QuerySet

from .models import EventProposal, Partner, ProposalActivity


def partner_for_user(*, user) -> Partner | None:
    """The partner a user serves, or None (staff, anonymous, users without a membership)."""
    if not user.is_authenticated:
        return None
    membership = getattr(user, "partner_membership", None)
    return membership.partner if membership else None


def proposal_list_for_partner(*, partner: Partner) -> QuerySet[EventProposal]:
    """The partner's proposals for the dashboard: newest change first, with the host place."""
    return EventProposal.objects.for_partner(partner).for_list().order_by("-updated_at", "-id")


def proposals_visible_to(*, user) -> QuerySet[EventProposal]:
    """Proposals a user may open: their own partner's; everything for reviewers/staff who
    may view proposals; nothing for anyone else (so other partners' proposals are 404s)."""
    if not user.is_authenticated:
        return EventProposal.objects.none()
    if user.is_staff and user.has_perm("events.view_eventproposal"):
        return EventProposal.objects.all()
    partner = partner_for_user(user=user)
    if partner is None:
        return EventProposal.objects.none()
    return EventProposal.objects.for_partner(partner)


def proposal_detail(*, user, pk: int) -> EventProposal:
    """One proposal with what its page shows; raises DoesNotExist when not visible."""
    return (
        proposals_visible_to(user=user)
        .select_related("host", "partner", "event")
        .prefetch_related("partner_places", "links__city_a", "links__city_b")
        .get(pk=pk)
    )


def proposal_timeline(*, proposal: EventProposal, include_internal: bool) -> list:
    """The proposal's activities in order; internal notes only for reviewers."""
    activities = ProposalActivity.objects.filter(proposal=proposal).select_related("actor")
    if not include_internal:
        activities = activities.filter(is_internal=False)
    return list(activities.order_by("created_at", "id"))


def proposal_admin_queryset(queryset: QuerySet[EventProposal]) -> QuerySet[EventProposal]:
    """The review desk's changelist: the relations its columns show, loaded up front."""
    return queryset.select_related("partner", "host", "reviewer").prefetch_related(
        Prefetch("partner_places")
    )
