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
