"""Private storage for proposal files: outside MEDIA_ROOT, never given a public URL."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """Files under `PRIVATE_MEDIA_ROOT`; served only by the permission-checked file view."""

    @cached_property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    def url(self, name):
        raise ValueError("Private files have no public URL; use the proposal file view.")


def private_storage() -> PrivateStorage:
    """Callable used by the model fields (keeps the location out of migrations)."""
    return PrivateStorage()
