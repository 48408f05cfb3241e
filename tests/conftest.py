import io

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder, never the project's media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def _demo_data_dump(django_db_setup, django_db_blocker, tmp_path_factory):
    """Run `load_demo` once per session and keep its result as a fixture file."""
    path = tmp_path_factory.mktemp("demo") / "demo.json"
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        call_command("dumpdata", "cities", "events", output=str(path), verbosity=0)
        transaction.set_rollback(True)
    return path


@pytest.fixture
def demo_data(db, _demo_data_dump):
    """The real demo data, as `make run` loads it (loaded once, restored per test)."""
    call_command("loaddata", str(_demo_data_dump), verbosity=0)
