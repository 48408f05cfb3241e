import io

import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder, never the project's media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo_data(db):
    """The real demo data, loaded as `make run` loads it."""
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture(scope="module")
def demo_data_readonly(django_db_setup, django_db_blocker):
    """The real demo data, loaded once for a module whose tests only read it.

    Loading takes seconds, so a module of read-only page tests shares one load;
    each test still runs in its own rolled-back transaction on top of it. The
    rows are deleted when the module ends, so other modules start empty.
    """
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        _delete_demo_rows()


def _delete_demo_rows():
    from cities.models import (
        City,
        CultureCityDesignation,
        ExchangeIndicator,
        FriendshipLink,
        Source,
        TrilateralGroup,
    )
    from events.models import EventSeries, ExchangeEvent

    for model in [
        ExchangeEvent,
        EventSeries,
        TrilateralGroup,
        ExchangeIndicator,
        CultureCityDesignation,
        FriendshipLink,
    ]:
        model.objects.all().delete()
    City.objects.update(parent=None)
    City.objects.all().delete()
    Source.objects.all().delete()


@pytest.fixture(autouse=True)
def _private_media_and_cache(settings, tmp_path):
    """Private proposal files go to a temporary folder; rate-limit counters start at zero."""
    from django.core.cache import cache
    from django.utils import translation

    translation.activate("en")  # a request in another language must not leak into the next test

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"
    # Fast hashing: the suite creates many users (production keeps Django's default).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()
