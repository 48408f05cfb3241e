import hashlib
import io
import json
import stat
import tarfile
import tracemalloc
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from PIL import Image
from rest_framework.authtoken.models import Token

from cities.models import City, Source
from events.models import ExchangeEvent
from exchangeportal.infra.backup import backed_up_models, backup_create
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
    assert names == sorted(["data.json", "manifest.json", "manifest.sig", *media_names])
    assert manifest["counts"] == _counts()
    assert manifest["counts"]["cities.city"] == 614
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


# --- Hardening (issue 15): private archive, tokens, signed manifest, streamed dump ---------------


def test_backup_archive_is_readable_by_its_owner_only(small_portal, tmp_path):
    archive = tmp_path / "portal.tar.gz"

    _backup(archive)

    with tarfile.open(archive) as tar:
        modes = {member.name: member.mode for member in tar.getmembers()}
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert set(modes.values()) == {0o600}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["media", "portal.tar.gz"]


def test_backup_restore_keeps_the_api_tokens(small_portal, settings, tmp_path):
    for _number in range(4):
        Token.objects.create(user=UserFactory())
    tokens_before = sorted(Token.objects.values_list("key", "user__username"))
    archive = tmp_path / "portal.tar.gz"
    _backup(archive)
    _empty_database_and_media(settings, tmp_path)
    assert Token.objects.count() == 0

    call_command("restore", str(archive), stdout=io.StringIO())

    assert len(tokens_before) == 4
    assert sorted(Token.objects.values_list("key", "user__username")) == tokens_before


def _rewrite(archive: Path, target: Path, *, data=None, manifest=None, drop=()) -> None:
    """Copy `archive` to `target`, changing data.json (and, with it, its checksum in the
    manifest, as an attacker would) or the manifest, or dropping members."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        contents = {m.name: source.extractfile(m).read() for m in source.getmembers()}
        if data is not None:
            contents["data.json"] = data(contents["data.json"])
            document = json.loads(contents["manifest.json"])
            document["files"]["data.json"] = {
                "sha256": hashlib.sha256(contents["data.json"]).hexdigest(),
                "size": len(contents["data.json"]),
            }
            contents["manifest.json"] = json.dumps(document, indent=2).encode()
        if manifest is not None:
            contents["manifest.json"] = manifest(contents["manifest.json"])
        for name, content in contents.items():
            if name in drop:
                continue
            info = tarfile.TarInfo(name)
            info.size = len(content)
            copy.addfile(info, io.BytesIO(content))


def _inject_superuser(data: bytes) -> bytes:
    rows = json.loads(data)
    rows.append(
        {
            "model": "auth.user",
            "fields": {
                "username": "intruder",
                "password": "md5$salt$0123",
                "is_superuser": True,
                "is_staff": True,
                "is_active": True,
                "groups": [],
                "user_permissions": [],
                "first_name": "",
                "last_name": "",
                "email": "",
                "date_joined": "2026-01-01T00:00:00Z",
            },
        }
    )
    return json.dumps(rows).encode()


def test_restore_refuses_data_edited_with_recomputed_checksums(small_portal, settings, tmp_path):
    archive, edited = tmp_path / "portal.tar.gz", tmp_path / "edited.tar.gz"
    _backup(archive)
    _rewrite(archive, edited, data=_inject_superuser)
    _empty_database_and_media(settings, tmp_path)

    with pytest.raises(CommandError, match="^The manifest's signature does not match"):
        call_command("restore", str(edited))

    assert get_user_model().objects.filter(username="intruder").exists() is False
    assert _counts()["cities.city"] == 0


def test_restore_refuses_an_unsigned_archive(small_portal, settings, tmp_path):
    archive, unsigned = tmp_path / "portal.tar.gz", tmp_path / "unsigned.tar.gz"
    _backup(archive)
    _rewrite(archive, unsigned, drop={"manifest.sig"})
    _empty_database_and_media(settings, tmp_path)

    with pytest.raises(CommandError, match=r"^The archive is not signed \(no manifest\.sig\)"):
        call_command("restore", str(unsigned))

    assert _counts()["cities.city"] == 0


def test_restore_refuses_an_archive_signed_with_another_key(small_portal, settings, tmp_path):
    archive = tmp_path / "portal.tar.gz"
    settings.BACKUP_KEY = "the key of another installation"
    _backup(archive)
    settings.BACKUP_KEY = "our own backup key"
    _empty_database_and_media(settings, tmp_path)

    with pytest.raises(CommandError, match="^The manifest's signature does not match"):
        call_command("restore", str(archive))


def test_restore_with_the_same_backup_key_but_another_secret_key(small_portal, settings, tmp_path):
    archive = tmp_path / "portal.tar.gz"
    settings.BACKUP_KEY = "kept in the secret store"
    _backup(archive)
    settings.SECRET_KEY = "a rotated secret key"
    _empty_database_and_media(settings, tmp_path)

    call_command("restore", str(archive), stdout=io.StringIO())

    assert _counts()["cities.city"] == 3


def test_backup_streams_the_dump_instead_of_holding_it_in_memory(db, tmp_path):
    # Many more rows than dumpdata reads at a time (2,000), so what a chunk holds stays small
    # next to the whole dump.
    Source.objects.bulk_create(
        Source(title=f"{number:06d} " + "x" * 400, publisher="Registry") for number in range(12000)
    )
    archive = tmp_path / "portal.tar.gz"

    tracemalloc.start()
    try:
        backup_create(path=archive)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    with tarfile.open(archive) as tar:
        data_size = tar.getmember("data.json").size
    assert data_size > 5_000_000
    # What one chunk of rows takes, not the dump: less than one copy of it at the peak (held in
    # memory, the dump took three: the text, its bytes and the parsed rows).
    assert peak < data_size
