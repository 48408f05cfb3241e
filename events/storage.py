"""Private storage for proposal files: outside MEDIA_ROOT, never given a public URL."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Files under `PRIVATE_MEDIA_ROOT`; served only by the permission-checked file view."""

    # Read on every use (not cached) so the location follows the setting, also in tests.
    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL; use the proposal file view.")


def private_storage() -> PrivateStorage:
    """Callable used by the model fields (keeps the location out of migrations)."""
    return PrivateStorage()
