import datetime

import pytest
from django.core.exceptions import ValidationError

from cities.models import (
    City,
    CitySearchKey,
    ConflictField,
    ConflictStatus,
    FriendshipLink,
    HistoryAction,
    HistoryVia,
    MilestoneKind,
    TieConflict,
    TieKind,
)
from cities.reconcile import TieFacts
from cities.search import city_search
from cities.services import (
    city_names_apply,
    city_save_names,
    city_search_keys_rebuild,
    tie_add_from_outside,
    tie_conflict_resolve,
    tie_facts_apply,
    tie_save,
)
from exchangeportal.infra.optimistic import version_stamp
from tests.factories import (
    CityFactory,
    CuratorFactory,
    FriendshipLinkFactory,
    LinkMilestoneFactory,
    SourceFactory,
)


def keys_of(city: City) -> list[str]:
    whole = CitySearchKey.objects.filter(city=city, is_suffix=False)
    return sorted(whole.values_list("key", flat=True))


@pytest.mark.django_db
def test_city_search_keys_rebuild_writes_the_keys_of_every_name_and_their_ends():
    city = CityFactory(
        name_en="Kanazawa",
        name_zh_hans="金泽",
        name_zh_hant="金澤",
        name_ja="金沢市",
        name_ko="가나자와",
        romanization="Kanazawa-shi",
        aliases="Kanazawa City",
        country="JP",
        name_kana="かなざわ",  # the stored reading (the gazetteer's)
    )
    CitySearchKey.objects.all().delete()

    written = city_search_keys_rebuild(cities=[city])

    assert keys_of(city) == [
        "kanazawa",
        "kanazawacity",
        "kanazawashi",
        "カナザワ",  # the reading かなざわ(し), confirmed by "Kanazawa-shi"
        "カナザワシ",
        "金泽",
        "金泽市",
        "가나자와",
    ]
    ends = CitySearchKey.objects.filter(city=city, is_suffix=True)
    assert sorted(ends.values_list("key", flat=True)) == [
        "acity",
        "anazawa",
        "anazawacity",
        "anazawashi",
        "ashi",
        "awa",
        "awacity",
        "awashi",
        "azawa",
        "azawacity",
        "azawashi",
        "city",
        "ity",
        "nazawa",
        "nazawacity",
        "nazawashi",
        "shi",
        "wacity",
        "washi",
        "zawa",
        "zawacity",
        "zawashi",
        "ザワ",
        "ザワシ",
        "シ",
        "ナザワ",
        "ナザワシ",
        "ワ",
        "ワシ",
        "市",
        "泽",
        "泽市",
        "나자와",
        "와",
        "자와",
    ]
    assert written == 8 + 35


@pytest.mark.django_db
def test_city_search_keys_rebuild_adds_pinyin_for_chinese_places_only():
    chinese = CityFactory(name_en="Yz", name_zh_hans="扬州市", country="CN")
    japanese = CityFactory(name_en="Jp", name_zh_hans="奈良", name_ja="奈良", country="JP")

    assert "yangzhoshi" in keys_of(chinese)
    assert "yangzho" in keys_of(chinese)
    assert "naliang" not in keys_of(japanese)


@pytest.mark.django_db
def test_city_search_keys_rebuild_adds_the_stored_kana_readings_only():
    only = {"name_zh_hans": "", "name_zh_hant": "", "name_ko": "", "romanization": ""}
    nara = CityFactory(
        name_en="Nara", name_ja="奈良", aliases="奈良市", country="JP", name_kana="なら", **only
    )
    # The gazetteer stores no reading for a Chinese place; none is guessed from its kanji.
    yangzhou = CityFactory(name_en="Yangzhou", name_ja="揚州", country="CN", **only)
    CitySearchKey.objects.all().delete()

    city_search_keys_rebuild(cities=[nara, yangzhou])

    assert keys_of(nara) == ["nara", "narashi", "ナラ", "ナラシ", "奈良", "奈良市"]
    assert keys_of(yangzhou) == ["yangzho", "扬州"]
    assert list(city_search("ならし")) == [nara]


@pytest.mark.django_db
def test_city_search_keys_rebuild_of_all_places_replaces_stale_keys():
    city = CityFactory(name_en="Nara")
    City.objects.filter(pk=city.pk).update(name_en="Sakai")

    city_search_keys_rebuild()

    assert list(city_search("Sakai")) == [city]
    assert list(city_search("Nara")) == []


@pytest.mark.django_db
def test_city_save_names_saves_and_makes_the_new_name_searchable():
    city = CityFactory(name_en="Taegu", slug="daegu")

    city_save_names(city=city, name_en="Daegu", aliases="Taegu\nDaegu Metropolitan City")

    city.refresh_from_db()
    assert (city.name_en, city.alias_list) == ("Daegu", ["Taegu", "Daegu Metropolitan City"])
    assert list(city_search("Daegu")) == [city]
    assert list(city_search("Taegu")) == [city]


@pytest.mark.django_db
def test_city_save_names_refuses_an_invalid_name_and_saves_nothing():
    city = CityFactory(name_en="Nara")

    with pytest.raises(ValidationError) as error:
        city_save_names(city=city, name_en="")

    assert list(error.value.message_dict) == ["name_en"]
    city.refresh_from_db()
    assert city.name_en == "Nara"
    assert list(city_search("Nara")) == [city]


@pytest.mark.django_db
def test_city_save_names_refuses_a_field_that_is_not_a_name():
    city = CityFactory()

    with pytest.raises(TypeError, match="not a name field of a place: population"):
        city_save_names(city=city, population=5)


@pytest.mark.django_db
def test_tie_save_keeps_the_kind_in_step_with_a_later_upgrade():
    tie = FriendshipLinkFactory(kind=TieKind.FRIENDSHIP)
    LinkMilestoneFactory(
        link=tie,
        kind=MilestoneKind.UPGRADE,
        kind_after=TieKind.SISTER,
        date=datetime.date(2005, 4, 1),
    )
    tie.kind = TieKind.FRIENDSHIP  # an editor sets it back, the upgrade still stands

    tie_save(tie=tie)

    tie.refresh_from_db()
    assert tie.kind == TieKind.SISTER


@pytest.mark.django_db
def test_tie_save_refuses_a_tie_changed_since_it_was_opened():
    tie = FriendshipLinkFactory(public_note_en="")
    opened = version_stamp(tie.updated_at)
    other = FriendshipLink.objects.get(pk=tie.pk)
    other.public_note_en = "Renewed in 2015."
    other.save()
    tie.public_note_en = "A second editor's note."

    with pytest.raises(ValidationError) as refused:
        tie_save(tie=tie, loaded_version=opened)

    assert refused.value.code == "stale"
    assert FriendshipLink.objects.get(pk=tie.pk).public_note_en == "Renewed in 2015."


@pytest.mark.django_db
def test_city_save_names_marks_a_corrected_reading_as_the_curators():
    city = CityFactory(
        name_en="Tsuno", name_ja="都濃", country="JP", name_kana="つの", name_kana_basis="machine"
    )

    city_save_names(city=city, name_kana=" つのう ")

    city.refresh_from_db()
    assert (city.name_kana, city.name_kana_basis) == ("つのう", "curator")
    assert list(city_search("ツノウ")) == [city]


# --- History, and facts from outside -------------------------------------------------------------


@pytest.mark.django_db
def test_tie_save_records_the_creation_then_each_change_with_who_and_source():

    curator = CuratorFactory()
    tie = FriendshipLink(
        city_a=CityFactory(name_en="Yangzhou"),
        city_b=CityFactory(name_en="Nara", country="JP"),
        kind=TieKind.FRIENDSHIP,
    )
    tie_save(tie=tie, changed_by=curator)
    source = SourceFactory()
    tie.kind = TieKind.SISTER
    tie.established_on, tie.established_precision = datetime.date(2010, 4, 1), "month"

    tie_save(tie=tie, changed_by=curator, source=source, via_detail="checked")

    changed, created = tie.history.order_by("-created_at", "-id")
    assert (created.action, created.via, created.changed_by) == (
        HistoryAction.CREATED,
        HistoryVia.CURATOR,
        curator,
    )
    assert created.changes["city_a"] == ["", "Yangzhou"]
    assert (changed.action, changed.changes, changed.source, changed.via_detail) == (
        HistoryAction.CHANGED,
        {"kind": ["friendship", "sister"], "established_on": ["", "2010-04"]},
        source,
        "checked",
    )
    assert list(tie.sources.all()) == [source]


@pytest.mark.django_db
def test_tie_save_without_a_change_records_nothing():
    tie = FriendshipLinkFactory()
    tie_save(tie=tie)

    assert tie.history.count() == 0


@pytest.mark.django_db
def test_city_save_names_records_the_names_changed():
    city = CityFactory(name_en="Taegu", name_ko="")

    city_save_names(city=city, name_en="Daegu", name_ko="대구")

    assert list(city.history.values_list("changes", flat=True)) == [
        {"name_en": ["Taegu", "Daegu"], "name_ko": ["", "대구"]}
    ]


@pytest.mark.django_db
def test_tie_add_from_outside_on_a_tied_pair_upgrades_the_tie_and_puts_labels_on_their_sides():

    nara, yangzhou = CityFactory(country="JP"), CityFactory(country="CN")
    tie = FriendshipLinkFactory(
        city_a=nara,
        city_b=yangzhou,
        kind=TieKind.FRIENDSHIP,
        established_on=datetime.date(1997, 10, 8),
        label_a="",
        label_b="",
    )
    source = SourceFactory()

    outcome = tie_add_from_outside(
        place=yangzhou,
        partner=nara,
        facts=TieFacts(
            kind=TieKind.SISTER,
            established_on=datetime.date(2000, 5, 10),
            established_precision="day",
            label_a="友好城市",
            label_b="姉妹都市",
        ),
        source=source,
    )

    tie.refresh_from_db()
    assert (outcome.created, outcome.tie, outcome.conflicts) == (False, tie, [])
    assert (tie.kind, tie.label_a, tie.label_b) == (TieKind.SISTER, "姉妹都市", "友好城市")
    assert [(m.kind, m.date) for m in outcome.milestones] == [
        (MilestoneKind.UPGRADE, datetime.date(2000, 5, 10))
    ]
    assert source in tie.sources.all()


@pytest.mark.django_db
def test_tie_facts_apply_queues_a_different_label_instead_of_writing_it():

    tie = FriendshipLinkFactory(label_a="友好城市")

    outcome = tie_facts_apply(
        tie=tie, facts=TieFacts(label_a="友好合作城市"), source=SourceFactory(), via_detail="x"
    )

    tie.refresh_from_db()
    assert tie.label_a == "友好城市"
    assert [(c.field, c.current_value, c.incoming_value) for c in outcome.conflicts] == [
        (ConflictField.LABEL_A, "友好城市", "友好合作城市")
    ]
    assert TieConflict.objects.count() == 1


@pytest.mark.django_db
def test_city_names_apply_fills_an_empty_name_and_queues_a_different_one():

    city = CityFactory(name_en="Yangzhou", name_ja="")
    source = SourceFactory()

    outcome = city_names_apply(
        city=city, names={"name_ja": "揚州", "name_en": "Yangchow"}, source=source
    )

    city.refresh_from_db()
    assert (city.name_ja, city.name_en, outcome.changes) == (
        "揚州",
        "Yangzhou",
        {"name_ja": "揚州"},
    )
    (conflict,) = outcome.conflicts
    assert (conflict.place, conflict.tie, conflict.field, conflict.incoming_value) == (
        city,
        None,
        "name_en",
        "Yangchow",
    )

    tie_conflict_resolve(conflict=conflict, accept=True, user=CuratorFactory())

    city.refresh_from_db()
    conflict.refresh_from_db()
    assert (city.name_en, conflict.status) == ("Yangchow", ConflictStatus.ACCEPTED)
    assert city.history.order_by("-created_at", "-id").first().changes == {
        "name_en": ["Yangzhou", "Yangchow"]
    }
