import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder, never the project's media."""
    settings.MEDIA_ROOT = tmp_path / "media"


# The gazetteer rows the demo data uses (its places and every province): the whole file
# (7,500 places) would make every test that loads the demo data slow.
DEMO_GAZETTEER = Path(__file__).resolve().parent / "data" / "gazetteer_demo.tsv"


@pytest.fixture(scope="session")
def _demo_data_dump(django_db_setup, django_db_blocker, tmp_path_factory):
    """Run `load_demo` once per session and keep its result as a fixture file."""
    path = tmp_path_factory.mktemp("demo") / "demo.json"
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", gazetteer=DEMO_GAZETTEER, stdout=io.StringIO())
        call_command("dumpdata", "cities", "events", output=str(path), verbosity=0)
        transaction.set_rollback(True)
    return path


@pytest.fixture(scope="session")
def _groups_dump(django_db_setup, django_db_blocker, tmp_path_factory):
    """The groups the data migrations made (Curator, Reviewer, Translator), with their
    permissions by natural key, kept before a transactional test flushes them."""
    path = tmp_path_factory.mktemp("groups") / "groups.json"
    with django_db_blocker.unblock():
        call_command("dumpdata", "auth.group", natural_foreign=True, output=str(path), verbosity=0)
    return path


@pytest.fixture
def demo_data(db, _demo_data_dump):
    """The real demo data, as `make run` loads it (loaded once, restored per test)."""
    call_command("loaddata", str(_demo_data_dump), verbosity=0)


@pytest.fixture(scope="module")
def demo_data_readonly(django_db_setup, django_db_blocker, _demo_data_dump):
    """The real demo data, loaded once for a module whose tests only read it.

    The module's tests run in their own rolled-back transactions inside one outer
    transaction holding the data, which is rolled back when the module ends, so
    other modules start empty.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        call_command("loaddata", str(_demo_data_dump), verbosity=0)
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _private_media_and_cache(settings, tmp_path):
    """Private proposal files go to a temporary folder; rate-limit counters and cached pages
    start empty."""
    from django.core.cache import cache
    from django.utils import translation

    from exchangeportal.infra.cache import local_pages

    translation.activate("en")  # a request in another language must not leak into the next test

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"
    settings.CITIES_GAZETTEER = DEMO_GAZETTEER  # the import's gazetteer: the demo's slice
    # Fast hashing: the suite creates many users (production keeps Django's default).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    local_pages.clear()
