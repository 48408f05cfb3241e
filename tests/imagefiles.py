"""Crafted files for the image pipeline tests, made in memory."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import pdffiles


def image_bytes(fmt="JPEG", size=(64, 48), color=(200, 30, 30), **save_kwargs) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt, **save_kwargs)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg_upload(name="photo.jpg", **kwargs):
    return upload(name, image_bytes("JPEG", **kwargs), "image/jpeg")


def png_upload(name="photo.png", **kwargs):
    return upload(name, image_bytes("PNG", **kwargs), "image/png")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def decompression_bomb_png(width=100_000, height=100_000) -> bytes:
    """A tiny PNG whose header claims 10 gigapixels (a few hundred bytes on disk)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * 3 * 16
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(row))
        + _png_chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    data = image_bytes("JPEG", size=(400, 300), color=(10, 120, 200), quality=95)
    return data[: len(data) // 2]


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF has a GPS position (Nara) and an orientation."""
    exif = Image.Exif()
    exif[0x0110] = "Test camera"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (34.0, 41.0, 7.0)
    gps[3] = "E"
    gps[4] = (135.0, 48.0, 19.0)
    buffer = io.BytesIO()
    Image.new("RGB", (80, 40), (0, 128, 0)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
PDF = pdffiles.harmless()  # a real one-page PDF: attachments are parsed (pypdf)
