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
def _empty_cache():
    """Each test starts with an empty cache (API throttling counts live there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
