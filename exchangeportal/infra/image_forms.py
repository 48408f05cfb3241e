"""Admin/model forms whose image fields go through the one image pipeline."""

import secrets

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from .images import ACCEPT_ATTRIBUTE, image_replaced, process_image


class PipelineImageFormMixin:
    """Set `pipeline_image_fields = ["photo"]` on a ModelForm: each upload is checked,
    stripped and re-encoded by `process_image`, stored under an unguessable name with a
    thumbnail, and the replaced file is deleted only after the transaction commits."""

    pipeline_image_fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._thumbnails: dict[str, bytes] = {}
        self._previous = {
            name: getattr(self.instance, name).name or "" for name in self.pipeline_image_fields
        }
        for name in self.pipeline_image_fields:
            if name not in self.fields:
                continue
            old = self.fields[name]
            # A plain FileField: the pipeline gives the messages, not Django's generic one.
            self.fields[name] = forms.FileField(
                label=old.label,
                required=old.required,
                help_text=old.help_text,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
            )

    def _post_clean(self):
        for name in self.pipeline_image_fields:
            value = self.cleaned_data.get(name)
            if isinstance(value, UploadedFile):
                try:
                    processed = process_image(value)
                except forms.ValidationError as error:
                    self.add_error(name, error)
                    continue
                token = secrets.token_urlsafe(24)
                self.cleaned_data[name] = ContentFile(
                    processed.content, name=f"{token}.{processed.extension}"
                )
                self._thumbnails[name] = processed.thumbnail
        super()._post_clean()

    def save(self, commit=True):
        instance = super().save(commit=commit)
        for name in self.pipeline_image_fields:
            image_replaced(
                field_file=getattr(instance, name),
                previous=self._previous.get(name, ""),
                thumbnail=self._thumbnails.get(name),
            )
        return instance
