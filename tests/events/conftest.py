"""Fixtures shared by the events tests: a partner's member and a reviewer, each with an
e-mail address the tests look for in the outbox."""

import pytest

from tests.factories import PartnerMembershipFactory, ReviewerFactory


@pytest.fixture
def member():
    return PartnerMembershipFactory(user__email="partner@example.org").user


@pytest.fixture
def reviewer():
    return ReviewerFactory(email="reviewer@example.org")
