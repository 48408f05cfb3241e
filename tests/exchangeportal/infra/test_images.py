import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from PIL import Image

from exchangeportal.infra import images
from tests import imagefiles


def _codes(error: ValidationError) -> list[str]:
    return [item.code for item in error.error_list]


def test_process_image_jpeg_re_encoded_with_thumbnail():
    processed = images.process_image(imagefiles.jpeg_upload(size=(1200, 800)))

    stored = Image.open(io.BytesIO(processed.content))
    thumb = Image.open(io.BytesIO(processed.thumbnail))
    assert (processed.extension, stored.format, stored.size) == ("jpg", "JPEG", (1200, 800))
    assert thumb.size == (480, 320)


def test_process_image_jpeg_with_gps_exif_stores_none_and_applies_orientation():
    raw = imagefiles.jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the crafted file has GPS

    processed = images.process_image(imagefiles.upload("nara.jpg", raw))

    stored = Image.open(io.BytesIO(processed.content))
    assert dict(stored.getexif()) == {}
    assert b"Exif" not in processed.content
    assert b"Test camera" not in processed.content
    assert stored.size == (40, 80)  # orientation 6 applied: the 80×40 picture stands upright


def test_process_image_decompression_bomb_refused_before_decoding():
    bomb = imagefiles.decompression_bomb_png()
    assert len(bomb) < 1000

    with pytest.raises(ValidationError) as caught:
        images.process_image(imagefiles.upload("bomb.png", bomb))

    assert _codes(caught.value) == ["image_too_many_pixels"]
    assert caught.value.messages == [
        "The image has more than 40 megapixels. Please upload a smaller image."
    ]


def test_process_image_over_pixel_cap_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_IMAGE_PIXELS", 64 * 47)

    with pytest.raises(ValidationError) as caught:
        images.process_image(imagefiles.png_upload(size=(64, 48)))

    assert _codes(caught.value) == ["image_too_many_pixels"]


def test_process_image_truncated_jpeg_refused():
    with pytest.raises(ValidationError) as caught:
        images.process_image(imagefiles.upload("half.jpg", imagefiles.truncated_jpeg()))

    assert _codes(caught.value) == ["image_damaged"]
    assert caught.value.messages == [
        "The image file is incomplete or damaged. Please export it again."
    ]


def test_process_image_png_renamed_jpg_refused():
    with pytest.raises(ValidationError) as caught:
        images.process_image(imagefiles.upload("photo.jpg", imagefiles.image_bytes("PNG")))

    assert _codes(caught.value) == ["image_name_mismatch"]
    assert caught.value.messages == [
        "The file is named .jpg but its content is PNG. "
        "Save it with the right extension and upload it again."
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [("page.png", imagefiles.HTML), ("logo.svg", imagefiles.SVG), ("logo.png", imagefiles.SVG)],
)
def test_process_image_markup_refused(name, content):
    with pytest.raises(ValidationError) as caught:
        images.process_image(imagefiles.upload(name, content))

    assert _codes(caught.value) == ["image_markup"]


def test_process_image_gif_refused():
    with pytest.raises(ValidationError) as caught:
        images.process_image(imagefiles.upload("anim.gif", imagefiles.image_bytes("GIF")))

    assert _codes(caught.value) == ["image_format"]
    assert caught.value.messages == ["GIF images are not accepted. Upload a JPEG, PNG or WebP."]


def test_process_image_over_byte_cap_refused():
    oversized = imagefiles.upload("big.jpg", b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024))

    with pytest.raises(ValidationError) as caught:
        images.process_image(oversized)

    assert _codes(caught.value) == ["image_too_large"]
    assert caught.value.messages == ["The image is larger than 5 MB. Please upload a smaller file."]


def test_process_image_random_bytes_refused():
    with pytest.raises(ValidationError) as caught:
        images.process_image(imagefiles.upload("noise.jpg", bytes(range(256)) * 4))

    assert _codes(caught.value) == ["image_unreadable"]


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_process_image_png_and_webp_keep_their_format(fmt):
    extension = fmt.lower()

    processed = images.process_image(
        imagefiles.upload(f"a.{extension}", imagefiles.image_bytes(fmt))
    )

    assert (processed.extension, Image.open(io.BytesIO(processed.content)).format) == (
        extension,
        fmt,
    )


def test_processed_image_store_unguessable_name_with_thumbnail(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    processed = images.process_image(imagefiles.jpeg_upload(name="holiday-in-nara.jpg"))

    first = processed.store(storage=storage, folder="places")
    second = processed.store(storage=storage, folder="places")

    assert first != second
    assert "holiday" not in first
    assert first.startswith("places/") and first.endswith(".jpg")
    assert len(first.removeprefix("places/").removesuffix(".jpg")) == 32
    assert storage.exists(images.thumbnail_name(first))
