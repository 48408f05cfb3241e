from events.slugs import event_slug, romanise, romanised_title


def never_taken(slug: str) -> bool:
    return False


def test_romanise_chinese_is_pinyin():
    assert romanise("扬州运河论坛", language="zh-hans") == "yang zhou yun he lun tan"


def test_romanise_japanese_is_hepburn():
    assert romanise("奈良の祭り", language="ja") == "Nara no matsuri"


def test_romanise_korean_is_revised_romanization_with_sound_changes():
    assert romanise("경주 문화 포럼", language="ko") == "gyeongju munhwa poreom"
    assert romanise("신라 문화제", language="ko") == "silla munhwaje"


def test_romanise_english_is_unchanged():
    assert romanise("Canal forum", language="en") == "Canal forum"


def test_event_slug_chinese_title_plus_year():
    slug = event_slug(title="扬州运河论坛", language="zh-hans", year=2027, taken=never_taken)
    assert slug == "yang-zhou-yun-he-lun-tan-2027"


def test_event_slug_japanese_title_plus_year():
    slug = event_slug(title="奈良の祭り", language="ja", year=2027, taken=never_taken)
    assert slug == "nara-no-matsuri-2027"


def test_event_slug_korean_title_plus_year():
    slug = event_slug(title="경주 문화 포럼", language="ko", year=2027, taken=never_taken)
    assert slug == "gyeongju-munhwa-poreom-2027"


def test_event_slug_year_not_repeated_when_the_title_ends_with_it():
    slug = event_slug(title="Canal forum 2027", language="en", year=2027, taken=never_taken)
    assert slug == "canal-forum-2027"


def test_event_slug_never_the_year_alone():
    slug = event_slug(title="!!!", language="en", year=2027, taken=never_taken)
    assert slug == "event-2027"


def test_event_slug_numbers_a_clash():
    taken = {"yang-zhou-yun-he-lun-tan-2027", "yang-zhou-yun-he-lun-tan-2027-2"}
    slug = event_slug(title="扬州运河论坛", language="zh-hans", year=2027, taken=taken.__contains__)
    assert slug == "yang-zhou-yun-he-lun-tan-2027-3"


def test_event_slug_long_title_cut_at_a_word():
    title = "International canal cities youth forum " * 4
    slug = event_slug(title=title, language="en", year=2027, taken=never_taken)
    assert slug == (
        "international-canal-cities-youth-forum-international-canal-cities-youth-forum-2027"
    )


def test_romanised_title_capitalises_chinese_and_korean_words():
    assert romanised_title("扬州运河论坛", language="zh-hans") == "Yang Zhou Yun He Lun Tan"
    assert romanised_title("경주 문화 포럼", language="ko") == "Gyeongju Munhwa Poreom"
    assert romanised_title("奈良の祭り", language="ja") == "Nara no matsuri"
