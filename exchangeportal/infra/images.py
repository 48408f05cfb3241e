"""The one image pipeline: place photos, event images and proposal images all pass here.

What it guarantees for every stored image (pretalx's `common/image.py` is the model):

- only JPEG, PNG and WebP, recognised by their content, and the content must match the
  file name's extension (a PNG renamed `.jpg` is refused);
- the byte cap and the pixel cap are checked *before* any pixel is decoded, so a
  decompression bomb never reaches memory;
- SVG, HTML and other text are refused with their own message;
- truncated or damaged files are refused (`verify()` then a full decode);
- orientation from EXIF is applied, then the image is re-encoded without any metadata
  (EXIF, GPS, XMP, ICC comments are all dropped);
- a thumbnail is made; both are stored under unguessable names.
"""

import dataclasses
import io
import secrets
import warnings
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MAX_STORED_SIDE = 2400  # longer side of the stored image, in pixels
THUMBNAIL_SIZE = (480, 480)

# Pillow format → (stored extension, extensions a file of this format may be named with)
ALLOWED_FORMATS = {
    "JPEG": ("jpg", {"jpg", "jpeg", "jpe"}),
    "PNG": ("png", {"png"}),
    "WEBP": ("webp", {"webp"}),
}
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp"

# Never decode partial files: a truncated image is an error, not a grey half.
ImageFile.LOAD_TRUNCATED_IMAGES = False


@dataclasses.dataclass(frozen=True)
class ProcessedImage:
    """A checked, cleaned image ready to store."""

    content: bytes
    thumbnail: bytes
    extension: str
    width: int
    height: int

    def store(self, *, storage: Storage, folder: str) -> str:
        """Save the image and its thumbnail under an unguessable name; return the image's name."""
        token = secrets.token_urlsafe(24)
        name = storage.save(f"{folder}/{token}.{self.extension}", ContentFile(self.content))
        storage.save(thumbnail_name(name), ContentFile(self.thumbnail))
        return name


def thumbnail_name(name: str) -> str:
    """`proposals/abc.jpg` → `proposals/abc.thumb.jpg`."""
    path = PurePath(name)
    return str(path.with_name(f"{path.stem}.thumb{path.suffix}"))


def delete_image(*, storage: Storage, name: str) -> None:
    """Delete a stored image and its thumbnail (missing files are fine)."""
    if not name:
        return
    for candidate in (name, thumbnail_name(name)):
        if storage.exists(candidate):
            storage.delete(candidate)


def image_replaced(*, field_file, previous: str, thumbnail: bytes | None) -> None:
    """After the transaction that stored a new image in `field_file` commits: write its
    thumbnail, and delete the image it replaced (`previous`, with its thumbnail). A rollback
    leaves both files as they were. The one place an image change reaches the storage."""
    storage = field_file.storage

    def after_commit():
        current = field_file.name or ""
        if thumbnail is not None and current:
            storage.save(thumbnail_name(current), ContentFile(thumbnail))
        if previous and previous != current:
            delete_image(storage=storage, name=previous)

    transaction.on_commit(after_commit)


def _looks_like_markup(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<", b"<?xml")) or b"<svg" in text or b"<html" in text


def process_image(upload) -> ProcessedImage:
    """Check an uploaded file and return it re-encoded without metadata.

    Raises ValidationError with a message for the person who uploaded it.
    """
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("The image is larger than %(limit)s MB. Please upload a smaller file."),
            code="image_too_large",
            params={"limit": MAX_IMAGE_BYTES // (1024 * 1024)},
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="image_empty")

    upload.seek(0)
    data = upload.read()
    if _looks_like_markup(data[:1024]):
        raise ValidationError(
            _("SVG, HTML and other text files are not accepted. Upload a JPEG, PNG or WebP."),
            code="image_markup",
        )

    with warnings.catch_warnings():
        # Pillow's own bomb guard warns first; treat its warning as the error it is.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))  # reads the header only
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_many_pixels() from error
        except (UnidentifiedImageError, OSError, ValueError) as error:
            raise ValidationError(
                _("This file is not an image we can read. Upload a JPEG, PNG or WebP."),
                code="image_unreadable",
            ) from error

        if image.format not in ALLOWED_FORMATS:
            raise ValidationError(
                _("%(format)s images are not accepted. Upload a JPEG, PNG or WebP."),
                code="image_format",
                params={"format": image.format or _("This kind of")},
            )
        extension, allowed_names = ALLOWED_FORMATS[image.format]
        name_extension = PurePath(getattr(upload, "name", "") or "").suffix.lower().lstrip(".")
        if name_extension not in allowed_names:
            raise ValidationError(
                _(
                    "The file is named .%(named)s but its content is %(format)s. "
                    "Save it with the right extension and upload it again."
                ),
                code="image_name_mismatch",
                params={"named": name_extension or "?", "format": image.format},
            )
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise _too_many_pixels()

        try:
            image.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_many_pixels() from error
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise ValidationError(
                _("The image file is incomplete or damaged. Please export it again."),
                code="image_damaged",
            ) from error

    image = ImageOps.exif_transpose(image)
    image = _normalise_mode(image, image_format=_format_of(extension))
    if max(image.size) > MAX_STORED_SIDE:
        image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))
    content = _encode(image, extension)
    thumb = image.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    return ProcessedImage(
        content=content,
        thumbnail=_encode(thumb, extension),
        extension=extension,
        width=image.width,
        height=image.height,
    )


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The image has more than %(limit)s megapixels. Please upload a smaller image."),
        code="image_too_many_pixels",
        params={"limit": MAX_IMAGE_PIXELS // 1_000_000},
    )


def _format_of(extension: str) -> str:
    return next(fmt for fmt, (ext, _names) in ALLOWED_FORMATS.items() if ext == extension)


def _normalise_mode(image: Image.Image, *, image_format: str) -> Image.Image:
    if image_format == "JPEG":
        return image.convert("RGB") if image.mode != "RGB" else image
    if image.mode not in {"RGB", "RGBA", "L", "LA"}:
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        return image.convert("RGBA" if has_alpha else "RGB")
    return image


def _encode(image: Image.Image, extension: str) -> bytes:
    """Re-encode from pixels only: no `exif`, `icc_profile` or text chunks are passed on."""
    image_format = _format_of(extension)
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    buffer = io.BytesIO()
    if image_format == "JPEG":
        clean.save(buffer, "JPEG", quality=85, optimize=True)
    elif image_format == "PNG":
        clean.save(buffer, "PNG", optimize=True)
    else:
        clean.save(buffer, "WEBP", quality=85)
    return buffer.getvalue()
