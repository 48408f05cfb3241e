"""The reconciliation rules: an import never makes a curated tie worse."""

import datetime

from cities.models import ConflictField, DateBasis, TieKind
from cities.reconcile import Conflict, TieFacts, Upgrade, dates_agree, tie_reconcile

CURATED = TieFacts(
    kind=TieKind.FRIENDSHIP,
    established_on=datetime.date(2010, 5, 23),
    established_precision="day",
    date_basis=DateBasis.SIGNED,
    label_a="友好城市",
    label_b="友好都市",
    verified=True,
    note="Curated: exchanges since 2002 through the Jianzhen link.",
)


def facts(**values) -> TieFacts:
    return TieFacts(**values)


def test_tie_reconcile_other_kind_never_replaces_a_specific_kind():
    result = tie_reconcile(current=CURATED, incoming=facts(kind=TieKind.OTHER))

    assert (result.changes, result.conflicts, result.upgrade) == ({}, [], None)


def test_tie_reconcile_empty_row_changes_nothing():
    result = tie_reconcile(current=CURATED, incoming=facts())

    assert (result.changes, result.conflicts, result.kept_notes) == ({}, [], [])


def test_tie_reconcile_year_never_replaces_a_full_date_of_that_year():
    result = tie_reconcile(
        current=CURATED,
        incoming=facts(established_on=datetime.date(2010, 1, 1), established_precision="year"),
    )

    assert (result.changes, result.conflicts) == ({}, [])


def test_tie_reconcile_full_date_fills_a_year():
    current = facts(
        kind=TieKind.SISTER, established_on=datetime.date(1995, 1, 1), established_precision="year"
    )

    result = tie_reconcile(
        current=current,
        incoming=facts(established_on=datetime.date(1995, 4, 12), established_precision="day"),
    )

    assert result.changes == {
        "established_on": datetime.date(1995, 4, 12),
        "established_precision": "day",
    }
    assert result.conflicts == []


def test_tie_reconcile_another_year_is_a_conflict_not_a_write():
    result = tie_reconcile(
        current=CURATED,
        incoming=facts(established_on=datetime.date(2011, 1, 1), established_precision="year"),
    )

    assert result.changes == {}
    assert result.conflicts == [Conflict(ConflictField.ESTABLISHED, "2010-05-23", "2011")]


def test_tie_reconcile_another_kind_without_a_later_date_is_a_conflict():
    result = tie_reconcile(current=CURATED, incoming=facts(kind=TieKind.FRIENDLY_EXCHANGE))

    assert result.changes == {}
    assert result.conflicts == [Conflict(ConflictField.KIND, "friendship", "friendly_exchange")]


def test_tie_reconcile_later_upgrade_becomes_a_milestone():
    current = facts(
        kind=TieKind.FRIENDSHIP,
        established_on=datetime.date(1989, 1, 1),
        established_precision="year",
        verified=True,
    )

    result = tie_reconcile(
        current=current,
        incoming=facts(
            kind=TieKind.SISTER,
            established_on=datetime.date(2007, 2, 1),
            established_precision="month",
            verified=True,
        ),
    )

    assert result.changes == {"kind": "sister"}
    assert result.upgrade == Upgrade(
        date=datetime.date(2007, 2, 1), precision="month", kind_after="sister"
    )
    assert result.conflicts == []


def test_tie_reconcile_unverified_row_never_unverifies():
    result = tie_reconcile(current=CURATED, incoming=facts(verified=False))

    assert result.changes == {}


def test_tie_reconcile_verified_row_verifies_an_unverified_tie():
    current = facts(kind=TieKind.SISTER, verified=False)

    result = tie_reconcile(current=current, incoming=facts(kind=TieKind.SISTER, verified=True))

    assert result.changes == {"verified": True}


def test_tie_reconcile_curated_note_is_kept_and_the_incoming_one_set_aside():
    result = tie_reconcile(current=CURATED, incoming=facts(note="UNCERTAIN: from a list"))

    assert result.changes == {}
    assert result.kept_notes == ["UNCERTAIN: from a list"]


def test_tie_reconcile_fills_an_empty_note_and_empty_labels():
    current = facts(kind=TieKind.SISTER)

    result = tie_reconcile(
        current=current,
        incoming=facts(note="From the city's page.", label_a="자매도시", date_basis="ceremony"),
    )

    assert result.changes == {
        "note": "From the city's page.",
        "label_a": "자매도시",
        "date_basis": "ceremony",
    }


def test_tie_reconcile_another_label_is_kept_out_without_a_conflict():
    result = tie_reconcile(
        current=CURATED, incoming=facts(label_b="姉妹都市", date_basis=DateBasis.CEREMONY)
    )

    assert (result.changes, result.conflicts) == ({}, [])


def test_tie_reconcile_earlier_looser_agreement_becomes_a_milestone():
    current = facts(
        kind=TieKind.SISTER,
        established_on=datetime.date(2007, 2, 2),
        established_precision="day",
        verified=True,
    )

    result = tie_reconcile(
        current=current,
        incoming=facts(
            kind=TieKind.FRIENDLY_EXCHANGE,
            established_on=datetime.date(1989, 10, 24),
            established_precision="day",
        ),
    )

    assert (result.changes, result.conflicts, result.upgrade) == ({}, [], None)
    assert result.earlier_step == Upgrade(
        date=datetime.date(1989, 10, 24),
        precision="day",
        kind_after="friendly_exchange",
        kind="agreement",
    )


def test_tie_reconcile_other_kind_is_filled_by_a_specific_one():
    current = facts(kind=TieKind.OTHER)

    result = tie_reconcile(current=current, incoming=facts(kind=TieKind.SISTER))

    assert result.changes == {"kind": "sister"}


def test_dates_agree_as_far_as_both_are_known():
    assert dates_agree(datetime.date(1995, 1, 1), "year", datetime.date(1995, 4, 12), "day")
    assert dates_agree(datetime.date(1995, 4, 1), "month", datetime.date(1995, 4, 12), "day")
    assert not dates_agree(datetime.date(1995, 5, 1), "month", datetime.date(1995, 4, 12), "day")


def test_tie_reconcile_earlier_memorandum_becomes_a_milestone():
    result = tie_reconcile(
        current=CURATED,
        incoming=facts(
            kind=TieKind.FRIENDSHIP,
            established_on=datetime.date(2010, 2, 20),
            established_precision="day",
            date_basis=DateBasis.MEMORANDUM,
        ),
    )

    assert (result.changes, result.conflicts) == ({}, [])
    assert result.earlier_step == Upgrade(
        date=datetime.date(2010, 2, 20), precision="day", kind_after="", kind="memorandum"
    )


def test_tie_reconcile_earlier_friendship_against_sister_is_a_conflict_not_a_step():
    current = facts(
        kind=TieKind.SISTER,
        established_on=datetime.date(1993, 10, 23),
        established_precision="day",
    )

    result = tie_reconcile(
        current=current,
        incoming=facts(
            kind=TieKind.FRIENDSHIP,
            established_on=datetime.date(1992, 1, 1),
            established_precision="year",
        ),
    )

    assert result.earlier_step is None
    assert result.conflicts == [
        Conflict(ConflictField.KIND, "sister", "friendship"),
        Conflict(ConflictField.ESTABLISHED, "1993-10-23", "1992"),
    ]
