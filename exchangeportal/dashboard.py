"""The admin index as the curators' and reviewers' dashboard.

Each section is a list of counts, each count a link to the change list (or translation desk
page) filtered to exactly the records counted. The counts come from the apps' selectors
(`events.selectors.proposal_waiting_counts`, `cities.selectors.curation_counts`) and the
translation desk (`translation_missing_totals`), and the links use the same list filters, so
a number and the list it opens cannot disagree. A fixed number of queries, whatever the data.

A new kind of work joins the dashboard by adding a section builder to `SECTION_BUILDERS`:
a function `(site, request) -> DashboardSection | None` (None: nothing the user may see).
City-office suggestions, when their model exists, add theirs here, after the proposals.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cities.admin import CoordinatesFilter, TieDateFilter, TieSourceFilter
from cities.models import City, ConflictStatus, FriendshipLink, TieConflict
from cities.selectors import curation_counts
from events.models import EventProposal, ProposalState
from events.selectors import proposal_waiting_counts, reviewers_to_notify

from .infra.translation_desk import DESK_LANGUAGES, translation_missing_totals

# What a proposal in each waiting state waits for.
PROPOSAL_WAITING_LABELS = {
    ProposalState.SUBMITTED: _("Submitted, waiting for a reviewer"),
    ProposalState.UNDER_REVIEW: _("Under review, waiting for a decision"),
    ProposalState.CHANGES_REQUESTED: _("Changes requested, waiting for the partner"),
}


@dataclass(frozen=True)
class DashboardItem:
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class DashboardSection:
    key: str
    title: str
    items: list[DashboardItem]
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (text, link or "")

    @property
    def total(self) -> int:
        return sum(item.count for item in self.items)


def _changelist(site, model, **params) -> str:
    opts = model._meta
    url = reverse(f"{site.name}:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _may_view(site, request, model) -> bool:
    model_admin = site._registry.get(model)
    return model_admin is not None and model_admin.has_view_or_change_permission(request)


def proposals_section(site, request) -> DashboardSection | None:
    if not _may_view(site, request, EventProposal):
        return None
    counts = proposal_waiting_counts()
    items = [
        DashboardItem(
            label=PROPOSAL_WAITING_LABELS[state],
            count=count,
            url=_changelist(site, EventProposal, state__exact=state),
        )
        for state, count in counts.items()
    ]
    warnings = []
    if not reviewers_to_notify().exists():
        User = get_user_model()
        link = _changelist(site, User) if _may_view(site, request, User) else ""
        warnings.append(
            (
                _(
                    "No active reviewer has an e-mail address, so nobody is told of new "
                    "proposals. Put a staff user with an e-mail address in the Reviewer group."
                ),
                link,
            )
        )
    return DashboardSection(
        key="proposals", title=_("Proposals waiting"), items=items, warnings=warnings
    )


def translations_section(site, request) -> DashboardSection | None:
    totals = translation_missing_totals(site=site, request=request)
    if totals is None:
        return None
    items = [
        DashboardItem(
            label=language,
            count=totals[code],
            url=reverse(f"{site.name}:translation_desk", args=[code]),
        )
        for code, language in DESK_LANGUAGES.items()
    ]
    return DashboardSection(key="translations", title=_("Translations missing"), items=items)


def data_section(site, request) -> DashboardSection | None:
    wanted = [
        (
            FriendshipLink,
            "ties_without_date",
            _("Ties without a date"),
            {TieDateFilter.parameter_name: TieDateFilter.GAP},
        ),
        (
            FriendshipLink,
            "ties_without_source",
            _("Ties without a source"),
            {TieSourceFilter.parameter_name: TieSourceFilter.GAP},
        ),
        (
            City,
            "places_without_coordinates",
            _("Places without coordinates"),
            {CoordinatesFilter.parameter_name: CoordinatesFilter.GAP},
        ),
        (
            TieConflict,
            "open_conflicts",
            _("Open conflicts from imports"),
            {"status__exact": ConflictStatus.OPEN},
        ),
    ]
    visible = [row for row in wanted if _may_view(site, request, row[0])]
    if not visible:
        return None
    counts = curation_counts()
    items = [
        DashboardItem(
            label=label, count=getattr(counts, name), url=_changelist(site, model, **params)
        )
        for model, name, label, params in visible
    ]
    return DashboardSection(key="data", title=_("Data needing attention"), items=items)


SECTION_BUILDERS: list[Callable] = [proposals_section, translations_section, data_section]


def dashboard_sections(*, site, request) -> list[DashboardSection]:
    """The sections the user may see, in order."""
    sections = (build(site, request) for build in SECTION_BUILDERS)
    return [section for section in sections if section is not None]
