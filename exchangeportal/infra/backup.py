"""Backup and restore of the whole portal: data, uploaded files and a manifest, in one archive.

The archive (`.tar.gz`) holds:

- `data.json`: Django's JSON serialization of every model of our apps plus auth users and
  groups (natural keys for users, groups, permissions and content types, so it loads into any
  freshly migrated database);
- `media/<storage>/<name>`: every file of every file storage in `settings.STORAGES` except
  static files (`default` = place photos and event images; private storages too);
- `manifest.json`: format version, when, the number of rows per model and the SHA-256 and size
  of every other file in the archive;
- `manifest.sig`: the HMAC-SHA256 of `manifest.json` with the backup key (`BACKUP_KEY`, env
  `DJANGO_BACKUP_KEY`; derived from `SECRET_KEY` when unset), so an archive edited and given new
  checksums (an injected superuser …) is refused.

The archive is created readable by its owner only (0600): it holds password hashes, API tokens
and private proposal files. The data are dumped straight into a temporary file (0600, next to the
archive) and streamed into the archive: the dump is never held in memory.

`backup_restore` refuses an unsigned or mis-signed archive, anything but an empty database (no
users, no rows in our apps) and empty storages, checks every checksum before it writes
anything, and loads data and files in one database transaction that is rolled back (and the
files written removed) if the counts or checksums read back do not match the manifest.
"""

import hashlib
import hmac
import io
import json
import os
import re
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

FORMAT = "exchangeportal-backup"
VERSION = 2  # 2: a signed manifest (manifest.sig); API tokens included
AUTH_MODELS = ["auth.user", "auth.group", "authtoken.token"]
SIGNATURE_NAME = "manifest.sig"
SIGNATURE_SALT = "exchangeportal.infra.backup.manifest"
ARCHIVE_MODE = 0o600
CHUNK_SIZE = 1024 * 1024
MAX_MANIFEST_BYTES = 256 * 1024 * 1024  # about a million media files


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    counts: dict[str, int]
    files: int


def local_app_labels() -> list[str]:
    """Labels of the project's own apps that have models (not Django's, not installed ones)."""
    base = Path(settings.BASE_DIR).resolve()
    labels = []
    for app_config in apps.get_app_configs():
        path = Path(app_config.path).resolve()
        if (
            path.is_relative_to(base)
            and "site-packages" not in path.parts
            and any(True for _ in app_config.get_models())
        ):
            labels.append(app_config.label)
    return sorted(labels)


def backed_up_models() -> list:
    models = [
        model for label in local_app_labels() for model in apps.get_app_config(label).get_models()
    ]
    return models + [apps.get_model(label) for label in AUTH_MODELS]


def media_storage_aliases() -> list[str]:
    return sorted(alias for alias in settings.STORAGES if alias != "staticfiles")


def _walk(storage, folder: str = ""):
    """Every file name in `storage`, recursively, as the storage names it ("a/b.jpg")."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from _walk(storage, f"{folder}/{sub}" if folder else sub)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _HashingReader:
    """A file wrapper that computes the SHA-256 of what is read through it."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


def _hash_stream(handle) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK_SIZE):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = ARCHIVE_MODE
    tar.addfile(info, io.BytesIO(data))


def manifest_signature(manifest_bytes: bytes) -> str:
    """HMAC-SHA256 of the manifest with `BACKUP_KEY` (or, unset, a key derived from
    `SECRET_KEY`): only someone holding the key can write a manifest a restore accepts."""
    key = settings.BACKUP_KEY or settings.SECRET_KEY
    return salted_hmac(SIGNATURE_SALT, manifest_bytes, secret=key, algorithm="sha256").hexdigest()


def _private_file(path: Path):
    """Create `path` (it must not exist) readable and writable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, ARCHIVE_MODE)
    os.fchmod(descriptor, ARCHIVE_MODE)  # whatever the umask
    return os.fdopen(descriptor, "wb")


def _dump_data(*, path: Path, labels: list[str]) -> dict[str, int]:
    """Dump the data of `labels` into `path` (streamed: `dumpdata` writes row by row) and count
    the rows per model, all from one snapshot of the database; returns the counts."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            # One snapshot for the dump and the counts (READ COMMITTED would give each query its
            # own); it must be the transaction's first statement, so only when this is the
            # transaction (inside a caller's, the caller's isolation applies).
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        with _private_file(path) as handle, io.TextIOWrapper(handle, encoding="utf-8") as text:
            call_command(
                "dumpdata",
                *labels,
                natural_foreign=True,
                natural_primary=True,
                use_base_manager=True,
                stdout=text,
            )
        return {
            model._meta.label_lower: model._base_manager.count() for model in backed_up_models()
        }


def backup_create(*, path: Path) -> BackupSummary:
    """Write one archive of all data and media to `path` (refused if `path` exists), readable
    by its owner only, with a signed manifest.

    The data are read in one transaction (one snapshot on PostgreSQL), so they are consistent
    with each other, and streamed through a temporary file. The archive is written to a
    temporary name next to `path` and renamed when complete.
    """
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} exists already: choose a new file name (nothing was written).")
    labels = local_app_labels() + AUTH_MODELS
    partial = path.with_name(path.name + ".partial")
    dump = path.with_name(path.name + ".data.json.partial")
    try:
        counts = dict(sorted(_dump_data(path=dump, labels=labels).items()))
        with dump.open("rb") as handle:
            data_digest, data_size = _hash_stream(handle)
        files = {"data.json": {"sha256": data_digest, "size": data_size}}
        with _private_file(partial) as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            info = tarfile.TarInfo("data.json")
            info.size = data_size
            info.mtime = int(timezone.now().timestamp())
            info.mode = ARCHIVE_MODE
            with dump.open("rb") as handle:
                tar.addfile(info, handle)  # streamed from the file
            for alias in media_storage_aliases():
                storage = storages[alias]
                for name in _walk(storage):
                    archive_name = f"media/{alias}/{name}"
                    info = tarfile.TarInfo(archive_name)
                    info.size = storage.size(name)
                    info.mtime = int(timezone.now().timestamp())
                    info.mode = ARCHIVE_MODE
                    with storage.open(name, "rb") as handle:
                        reader = _HashingReader(handle)
                        tar.addfile(info, reader)  # streamed: media never held in memory
                    files[archive_name] = {"sha256": reader.hexdigest(), "size": info.size}
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().isoformat(),
                "django_version": django.get_version(),
                "database_vendor": connection.vendor,
                "counts": counts,
                "files": files,
            }
            manifest_bytes = json.dumps(manifest, indent=2).encode()
            _add_bytes(tar, "manifest.json", manifest_bytes)
            _add_bytes(tar, SIGNATURE_NAME, manifest_signature(manifest_bytes).encode())
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
        dump.unlink(missing_ok=True)
    return BackupSummary(path=path, counts=counts, files=len(files) - 1)


def _read_archive(path: Path, *, data_path: Path) -> dict:
    """Verify the archive's signature and every file against its manifest; return the manifest.

    `data.json` is copied to `data_path` as it is checked; media files are checked by streaming
    them through SHA-256. Nothing is held in memory but the manifest.
    """
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    found: dict[str, tuple[str, int]] = {}
    manifest_bytes = signature = None
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                name = PurePosixPath(member.name)
                if not member.isfile() or name.is_absolute() or ".." in name.parts:
                    raise BackupError(f"The archive holds an unexpected entry: {member.name!r}.")
                handle = tar.extractfile(member)
                if member.name == "manifest.json":
                    if member.size > MAX_MANIFEST_BYTES:
                        raise BackupError("The archive's manifest.json is implausibly large.")
                    manifest_bytes = handle.read()
                elif member.name == SIGNATURE_NAME:
                    signature = handle.read(256)
                elif member.name == "data.json":
                    with data_path.open("wb") as copy:
                        reader = _HashingReader(handle)
                        size = 0
                        while chunk := reader.read(CHUNK_SIZE):
                            copy.write(chunk)
                            size += len(chunk)
                    found[member.name] = (reader.hexdigest(), size)
                else:
                    found[member.name] = _hash_stream(handle)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise BackupError(f"{path} is not a readable backup archive ({error}).") from error
    if manifest_bytes is None:
        raise BackupError("The archive has no readable manifest.json.")
    if signature is None:
        raise BackupError(
            f"The archive is not signed (no {SIGNATURE_NAME}): it was not written by `backup` "
            "of this version, or was altered. Nothing was changed."
        )
    if not hmac.compare_digest(signature.strip(), manifest_signature(manifest_bytes).encode()):
        raise BackupError(
            "The manifest's signature does not match: the archive was altered, or was signed "
            "with another key (set DJANGO_BACKUP_KEY, or DJANGO_SECRET_KEY, as where it was "
            "written). Nothing was changed."
        )
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as error:
        raise BackupError("The archive has no readable manifest.json.") from error
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(
            f"The archive is not a backup of this portal in format version {VERSION}."
        )
    expected = manifest.get("files", {})
    for name in expected:
        if name != "data.json" and not re.fullmatch(r"media/[A-Za-z0-9_-]+/.+", name):
            raise BackupError(f"The manifest lists an unexpected file: {name!r}.")
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    if missing or extra or "data.json" not in found:
        raise BackupError(
            f"The archive does not match its manifest (missing: {missing or 'none'}, "
            f"not listed: {extra or 'none'})."
        )
    for name, entry in sorted(expected.items()):
        if found[name] != (entry["sha256"], entry["size"]):
            raise BackupError(f"Checksum mismatch for {name}: the archive is damaged.")
    return manifest


def _model_for(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError) as error:
        raise BackupError(
            f"The backup holds {label!r}, which this version does not know."
        ) from error


def _refuse_unless_empty(manifest: dict) -> None:
    busy = [
        f"{model._meta.label_lower} ({model._base_manager.count()} rows)"
        for model in backed_up_models()
        if model._meta.label_lower != "auth.group" and model._base_manager.exists()
    ]
    if busy:
        raise BackupError(
            "The database is not empty: "
            + ", ".join(busy)
            + ". Restore only into a new, migrated database (nothing was changed)."
        )
    for alias in sorted({name.split("/")[1] for name in manifest["files"] if name != "data.json"}):
        if alias not in settings.STORAGES:
            raise BackupError(f"The backup holds files of storage {alias!r}, not configured here.")
        if next(_walk(storages[alias]), None) is not None:
            raise BackupError(
                f"The media storage {alias!r} is not empty: restore only into an empty "
                "media folder or bucket (nothing was changed)."
            )


def backup_restore(*, path: Path) -> BackupSummary:
    """Load the archive at `path` into this (empty) database and (empty) media storages.

    Raises BackupError, having changed nothing, if the archive is damaged or does not match its
    manifest, if the database or a storage is not empty, or if what was loaded does not match
    the manifest's counts and checksums.
    """
    path = Path(path)
    with tempfile.TemporaryDirectory() as folder:
        data_file = Path(folder) / "data.json"
        manifest = _read_archive(path, data_path=data_file)
        counts = manifest["counts"]
        for label in counts:
            _model_for(label)
        _refuse_unless_empty(manifest)
        return _load(path=path, manifest=manifest, data_file=data_file)


def _load(*, path: Path, manifest: dict, data_file: Path) -> BackupSummary:
    counts = manifest["counts"]
    written: list[tuple[str, str]] = []
    try:
        with transaction.atomic():
            call_command("loaddata", str(data_file), verbosity=0)
            for label, expected in counts.items():
                actual = _model_for(label)._base_manager.count()
                if actual != expected:
                    raise BackupError(
                        f"After loading, {label} has {actual} rows, the manifest says "
                        f"{expected}: nothing was restored."
                    )
            with tarfile.open(path, "r:gz") as tar:
                for member in tar:
                    if member.name in {"data.json", "manifest.json", SIGNATURE_NAME}:
                        continue
                    _media, alias, name = member.name.split("/", 2)
                    storage = storages[alias]
                    saved = storage.save(name, File(tar.extractfile(member), name=name))
                    written.append((alias, saved))
                    if saved != name:
                        raise BackupError(f"{name} could not be stored under its own name.")
                    with storage.open(saved, "rb") as handle:
                        entry = manifest["files"][member.name]
                        if _hash_stream(handle) != (entry["sha256"], entry["size"]):
                            raise BackupError(f"{name} reads back with another checksum.")
    except BackupError:
        _remove(written)
        raise
    except Exception as error:
        _remove(written)
        raise BackupError(f"Restoring failed, nothing was restored: {error}") from error
    return BackupSummary(path=path, counts=counts, files=len(written))


def _remove(written: list[tuple[str, str]]) -> None:
    for alias, name in written:
        storages[alias].delete(name)
