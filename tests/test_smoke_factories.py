import pytest

from tests import factories


@pytest.mark.django_db
def test_factories_build_valid_objects():
    event = factories.ExchangeEventFactory()
    link = factories.FriendshipLinkFactory()

    event.full_clean()
    link.full_clean()

    assert str(link) == f"{link.city_a} — {link.city_b} (friendship city, 1995)"
