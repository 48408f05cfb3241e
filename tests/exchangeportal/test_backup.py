import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from PIL import Image

from cities.models import City
from events.models import ExchangeEvent
from exchangeportal.backup import backed_up_models
from tests.factories import CityFactory, ExchangeEventFactory, UserFactory


def _jpeg(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, "JPEG")
    return buffer.getvalue()


def _counts() -> dict[str, int]:
    return {m._meta.label_lower: m._base_manager.count() for m in backed_up_models()}


def _media_checksums(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def portal_with_media(demo_data):
    """The demo data plus a curator and two uploaded images, as on a running portal."""
    curator = UserFactory(username="curator-nara", is_staff=True)
    curator.groups.add(Group.objects.get(name="Curator"))
    nara = City.objects.get(name_en="Nara")
    nara.photo.save("nara.jpg", ContentFile(_jpeg("red")))
    event = ExchangeEvent.objects.order_by("pk").first()
    event.image.save("poster.jpg", ContentFile(_jpeg("blue")))


@pytest.fixture
def small_portal(db):
    """A few rows and one image: enough for the refusals, quicker than the demo data."""
    CityFactory.create_batch(2)
    ExchangeEventFactory().image.save("poster.jpg", ContentFile(_jpeg("green")))


def _backup(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    return out.getvalue()


def _empty_database_and_media(settings, tmp_path: Path) -> Path:
    """Empty every table (as a new, migrated database) and point MEDIA_ROOT at a new folder."""
    # PostgreSQL refuses to TRUNCATE with deferred foreign-key checks pending in the test's
    # transaction: run them now.
    connection.check_constraints()
    call_command("flush", interactive=False, verbosity=0)
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    return settings.MEDIA_ROOT


def test_backup_restore_round_trip_identical(portal_with_media, settings, tmp_path):
    counts_before = _counts()
    media_before = _media_checksums(Path(settings.MEDIA_ROOT))
    nara_photo = City.objects.get(name_en="Nara").photo.name
    archive = tmp_path / "portal.tar.gz"
    _backup(archive)
    new_media_root = _empty_database_and_media(settings, tmp_path)
    assert _counts()["cities.city"] == 0

    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)

    assert _counts() == counts_before
    assert _media_checksums(new_media_root) == media_before
    assert len(media_before) == 2
    assert City.objects.get(name_en="Nara").photo.name == nara_photo
    assert list(Group.objects.get(name="Curator").user_set.values_list("username", flat=True)) == [
        "curator-nara"
    ]
    assert out.getvalue().splitlines()[-1] == (
        f"Restored {archive}: {sum(counts_before.values())} rows, 2 media files; "
        "counts and checksums match the manifest."
    )


def test_backup_manifest_lists_counts_and_checksums(portal_with_media, settings, tmp_path):
    archive = tmp_path / "portal.tar.gz"

    _backup(archive)

    with tarfile.open(archive) as tar:
        names = sorted(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
        data = tar.extractfile("data.json").read()
    media_names = sorted(
        f"media/default/{name}" for name in _media_checksums(Path(settings.MEDIA_ROOT))
    )
    assert names == sorted(["data.json", "manifest.json", *media_names])
    assert manifest["counts"] == _counts()
    assert manifest["counts"]["cities.city"] == 110
    assert manifest["counts"]["events.exchangeevent"] == 42
    assert manifest["files"]["data.json"] == {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    assert sorted(manifest["files"]) == sorted(["data.json", *media_names])


def test_restore_refuses_non_empty_database(small_portal, tmp_path):
    archive = tmp_path / "portal.tar.gz"
    _backup(archive)
    counts = _counts()

    with pytest.raises(CommandError, match=r"^The database is not empty: cities\.city \(3 rows\)"):
        call_command("restore", str(archive))

    assert _counts() == counts


def test_restore_refuses_non_empty_media(small_portal, settings, tmp_path):
    archive = tmp_path / "portal.tar.gz"
    _backup(archive)
    media_root = _empty_database_and_media(settings, tmp_path)
    default_storage.save("places/left-over.jpg", ContentFile(b"x"))

    with pytest.raises(CommandError, match="The media storage 'default' is not empty"):
        call_command("restore", str(archive))

    assert _counts()["cities.city"] == 0
    assert list(_media_checksums(media_root)) == ["places/left-over.jpg"]


@pytest.mark.parametrize("target_name", ["data.json", "media"])
def test_restore_refuses_tampered_archive(small_portal, settings, tmp_path, target_name):
    archive = tmp_path / "portal.tar.gz"
    _backup(archive)
    tampered = tmp_path / "tampered.tar.gz"
    changed = None
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name.startswith(target_name):
                content = content[:-1] + bytes([content[-1] ^ 1])  # one bit flipped
                changed = member.name
            target.addfile(member, io.BytesIO(content))
    media_root = _empty_database_and_media(settings, tmp_path)

    with pytest.raises(
        CommandError, match=f"^Checksum mismatch for {changed}: the archive is damaged"
    ):
        call_command("restore", str(tampered))

    assert _counts()["cities.city"] == 0
    assert _media_checksums(media_root) == {}


def test_restore_refuses_file_that_is_not_an_archive(db, tmp_path):
    bogus = tmp_path / "notes.tar.gz"
    bogus.write_text("not a backup")

    with pytest.raises(CommandError, match="is not a readable backup archive"):
        call_command("restore", str(bogus))


def test_backup_refuses_existing_path(db, tmp_path):
    archive = tmp_path / "portal.tar.gz"
    archive.write_bytes(b"precious")

    with pytest.raises(CommandError, match="exists already"):
        _backup(archive)

    assert archive.read_bytes() == b"precious"
