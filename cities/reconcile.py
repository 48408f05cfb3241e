"""Reconciling a fact from outside with a curated tie: the rules, written once.

Every writer that brings tie facts from outside (the tie import, the demo loader, a city
office's suggestion) asks `tie_reconcile` what the incoming facts may change. The answer
never makes the record worse:

- an empty or "other" kind never replaces a specific kind;
- a year never replaces a full date of that year (a more precise date of the same
  year or month fills it in);
- an unverified row never unverifies a verified tie;
- a curated note is never replaced: a different incoming note is kept beside it;
- an empty cell never erases anything.

A real disagreement (another date, another kind) is a conflict: reported with both values,
left for a curator, never written; each side's label and the date's basis are only ever
filled in (sources word them differently). A more specific kind with a later date
(friendship in 1989, sister cities in 2007) is an upgrade: a milestone, and the tie takes
the new kind; a looser kind with an earlier date is the agreement that came before: a
milestone too, and the tie keeps its kind.
"""

import datetime
from dataclasses import dataclass, field

from .dates import DatePrecision, partial_date_iso
from .models import ConflictField, DateBasis, MilestoneKind, TieKind

# How specific a kind is: an upgrade goes up this scale, never down.
KIND_RANK = {
    TieKind.OTHER: 0,
    TieKind.PARTNERSHIP: 1,
    TieKind.FRIENDLY_EXCHANGE: 1,
    TieKind.FRIENDSHIP: 2,
    TieKind.SISTER: 3,
}
_PRECISION_RANK = {DatePrecision.YEAR: 0, DatePrecision.MONTH: 1, DatePrecision.DAY: 2}


@dataclass(frozen=True)
class TieFacts:
    """What a tie says, or what a row says of it; empty values mean "not given"."""

    kind: str = ""
    established_on: datetime.date | None = None
    established_precision: str = DatePrecision.YEAR
    date_basis: str = ""
    label_a: str = ""
    label_b: str = ""
    verified: bool | None = None
    note: str = ""
    public_note_en: str = ""  # the import's `public_note` column is the English note


@dataclass
class Conflict:
    field: str  # a ConflictField value
    current: str
    incoming: str


@dataclass
class Upgrade:
    """A milestone to add: the tie became `kind_after` on `date`."""

    date: datetime.date
    precision: str
    kind_after: str
    kind: str = MilestoneKind.UPGRADE


@dataclass
class Reconciliation:
    changes: dict[str, object] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    upgrade: Upgrade | None = None
    earlier_step: Upgrade | None = None  # an agreement before the curated one
    kept_notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.upgrade or self.earlier_step)

    @property
    def milestones(self) -> list[Upgrade]:
        return [step for step in (self.earlier_step, self.upgrade) if step is not None]


def _parts(value: datetime.date, precision: str) -> tuple[int, ...]:
    return (value.year, value.month, value.day)[: _PRECISION_RANK[precision] + 1]


def dates_agree(a: datetime.date, a_precision: str, b: datetime.date, b_precision: str) -> bool:
    """Whether two partial dates can be the same day: equal as far as both are known."""
    common = min(_PRECISION_RANK[a_precision], _PRECISION_RANK[b_precision])
    return (a.year, a.month, a.day)[: common + 1] == (b.year, b.month, b.day)[: common + 1]


def _later(a: datetime.date, a_precision: str, b: datetime.date | None, b_precision: str) -> bool:
    """Whether `a` is certainly after `b` (an unknown `b` is never before anything)."""
    if b is None:
        return False
    common = min(_PRECISION_RANK[a_precision], _PRECISION_RANK[b_precision])
    return _parts(a, list(_PRECISION_RANK)[common]) > _parts(b, list(_PRECISION_RANK)[common])


def _dated_before(first: TieFacts, second: TieFacts) -> bool:
    """Whether `first`'s date is certainly before `second`'s (False when either is unknown)."""
    if first.established_on is None:
        return False
    return (
        _later(
            second.established_on,
            second.established_precision,
            first.established_on,
            first.established_precision,
        )
        if second.established_on is not None
        else False
    )


def _step(facts: TieFacts, kind: str, kind_after: str) -> Upgrade:
    """A milestone on the date `facts` give."""
    return Upgrade(
        date=facts.established_on,
        precision=facts.established_precision,
        kind_after=kind_after,
        kind=kind,
    )


def tie_reconcile(*, current: TieFacts, incoming: TieFacts) -> Reconciliation:
    """What `incoming` may change in the curated `current` facts (see the module docstring)."""
    result = Reconciliation()
    date_used_by_upgrade = False

    # Kind: fill "other"; an upgrade later or a looser agreement earlier is a step of the
    # tie's life (a milestone); anything else is a conflict.
    if incoming.kind and incoming.kind != TieKind.OTHER and incoming.kind != current.kind:
        if current.kind in ("", TieKind.OTHER):
            result.changes["kind"] = incoming.kind
        elif KIND_RANK[incoming.kind] > KIND_RANK[current.kind] and _dated_before(
            current, incoming
        ):
            result.changes["kind"] = incoming.kind
            result.upgrade = _step(incoming, MilestoneKind.UPGRADE, incoming.kind)
            date_used_by_upgrade = True
        elif (
            # Only a distinct, looser kind of agreement (friendly exchange, partnership):
            # "friendship" against "sister" is mostly each side's word for one agreement.
            KIND_RANK[incoming.kind] <= KIND_RANK[TieKind.FRIENDLY_EXCHANGE]
            and KIND_RANK[incoming.kind] < KIND_RANK[current.kind]
            and _dated_before(incoming, current)
        ):
            # An earlier, looser agreement (friendly exchange in 1989, sister cities in
            # 2007): a step of the tie's history, not a disagreement.
            result.earlier_step = _step(incoming, MilestoneKind.AGREEMENT, incoming.kind)
            date_used_by_upgrade = True
        else:
            result.conflicts.append(Conflict(ConflictField.KIND, current.kind, incoming.kind))

    # A memorandum dated before the agreement is the step that led to it.
    if (
        not date_used_by_upgrade
        and incoming.date_basis == DateBasis.MEMORANDUM
        and _dated_before(incoming, current)
    ):
        result.earlier_step = _step(incoming, MilestoneKind.MEMORANDUM, "")
        date_used_by_upgrade = True

    # Date: fill it, make it more precise, never vaguer; another date is a conflict.
    if incoming.established_on is not None and not date_used_by_upgrade:
        if current.established_on is None:
            result.changes["established_on"] = incoming.established_on
            result.changes["established_precision"] = incoming.established_precision
        elif dates_agree(
            current.established_on,
            current.established_precision,
            incoming.established_on,
            incoming.established_precision,
        ):
            if (
                _PRECISION_RANK[incoming.established_precision]
                > _PRECISION_RANK[current.established_precision]
            ):
                result.changes["established_on"] = incoming.established_on
                result.changes["established_precision"] = incoming.established_precision
        else:
            result.conflicts.append(
                Conflict(
                    ConflictField.ESTABLISHED,
                    partial_date_iso(current.established_on, current.established_precision),
                    partial_date_iso(incoming.established_on, incoming.established_precision),
                )
            )

    # Basis and labels: fill what is empty. Sources word a label differently (자매결연,
    # 자매도시) and date a ceremony or a signing: a variant is no disagreement.
    for name, empty in (
        ("date_basis", DateBasis.UNKNOWN),
        ("label_a", ""),
        ("label_b", ""),
    ):
        new, old = getattr(incoming, name), getattr(current, name)
        if new and new != empty and (not old or old == empty):
            result.changes[name] = new

    # Evidence only ever improves.
    if incoming.verified and current.verified is False:
        result.changes["verified"] = True

    # Notes: fill an empty one; a different one is kept beside the curated note.
    for name in ("note", "public_note_en"):
        new, old = getattr(incoming, name).strip(), getattr(current, name).strip()
        if not new or new == old:
            continue
        if not old:
            result.changes[name] = new
        else:
            result.kept_notes.append(new)
    return result
