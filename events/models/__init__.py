"""Exchange events and series (`events.py`); partners and their proposals (`proposals.py`)."""

from .events import *  # noqa: F403
from .events import (  # noqa: F401
    EventCategory,
    EventFormat,
    EventSeries,
    EventStatus,
    ExchangeEvent,
    ExchangeEventQuerySet,
    GoodPractice,
)
from .proposals import *  # noqa: F403
from .proposals import (  # noqa: F401
    EDITABLE_PROPOSAL_STATES,
    OPEN_PROPOSAL_STATES,
    PROPOSAL_IMAGE_FIELDS,
    PROPOSAL_PARTNER_FIELDS,
    PROPOSAL_SUMMARY_FIELDS,
    PROPOSAL_TITLE_FIELDS,
    EventProposal,
    EventProposalQuerySet,
    Partner,
    PartnerKind,
    PartnerMembership,
    ProposalActivity,
    ProposalState,
)
from .suggestions import *  # noqa: F403
from .suggestions import (  # noqa: F401
    DATED_CORRECTIONS,
    SUGGESTION_MILESTONE_KINDS,
    TIE_CORRECTIONS,
    CorrectionField,
    Suggestion,
    SuggestionActivity,
    SuggestionKind,
    SuggestionOutcome,
)
