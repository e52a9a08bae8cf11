"""Question images: bundled drawings (static/img/signs, static/img/scenes) and uploads.

Uploads are accepted as PNG, JPEG or WebP only, recognised by their content (not by
name or declared type), limited in size and dimensions, and re-encoded, which drops
metadata and anything smuggled behind the pixels. SVG is never accepted from users.
A question's `image` is either a bundled path ("signs/x.svg") or "upload/<sha256>.<ext>".

Bundled drawings are named after what they show ("larangan-masuk.svg" for the sign a
question asks about), so pages never link them by name: `image_url` gives a neutral
alias (a keyed hash of the path) that `bundled_image_path` resolves.
"""
import hashlib
import hmac
import io
from pathlib import Path

from flask import current_app, url_for
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from core.errors import ValidationError

STATIC_IMAGES = Path(__file__).resolve().parent.parent / "static" / "img"
BUNDLED_FOLDERS = ("signs", "scenes")
UPLOAD_PREFIX = "upload/"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_DIMENSION = 4000
OUTPUT_MAX_DIMENSION = 1200
ACCEPTED_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


def bundled_images() -> list[str]:
    return sorted(
        f"{folder}/{path.name}" for folder in BUNDLED_FOLDERS for path in (STATIC_IMAGES / folder).glob("*.svg")
    )


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "question-images"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def image_exists(image: str) -> bool:
    if image.startswith(UPLOAD_PREFIX):
        name = image[len(UPLOAD_PREFIX):]
        return "/" not in name and (upload_folder() / name).is_file()
    return image.split("/", 1)[0] in BUNDLED_FOLDERS and (STATIC_IMAGES / image).is_file()


def image_alias(image: str) -> str:
    """A name for a bundled drawing that says nothing about what it shows."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, image.encode(), hashlib.sha256).hexdigest()[:24] + ".svg"


def bundled_image_path(alias: str) -> str | None:
    """The bundled path ("signs/x.svg") behind an alias, or None."""
    return next((image for image in bundled_images() if hmac.compare_digest(image_alias(image), alias)), None)


def image_url(image: str | None) -> str | None:
    if not image:
        return None
    if image.startswith(UPLOAD_PREFIX):
        return url_for("question_bank.uploaded_image", name=image[len(UPLOAD_PREFIX):])
    return url_for("question_bank.bundled_image", alias=image_alias(image))


def store_upload(data: bytes) -> str:
    """Validate and re-encode an uploaded image; return its `image` reference."""
    name, encoded = encode_upload(data)
    (upload_folder() / name).write_bytes(encoded)
    return UPLOAD_PREFIX + name


def encode_upload(data: bytes) -> tuple[str, bytes]:
    """Validate and re-encode an image without storing it: its file name (from the
    SHA-256 of the encoded content) and bytes. Raises ValidationError (413, 415)."""
    if not data:
        raise ValidationError(_("The uploaded file is empty."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The image is larger than %(mb)s MB.", mb=MAX_UPLOAD_BYTES // (1024 * 1024)), status=413)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            if kind not in ACCEPTED_FORMATS:
                raise ValidationError(_("Only PNG, JPEG or WebP images are accepted."), status=415)
            if max(image.size) > MAX_DIMENSION:
                raise ValidationError(_("The image is too large (at most %(px)s pixels per side).", px=MAX_DIMENSION))
            image.thumbnail((OUTPUT_MAX_DIMENSION, OUTPUT_MAX_DIMENSION))
            converted = image.convert("RGBA" if kind in ("PNG", "WEBP") else "RGB")
            out = io.BytesIO()
            converted.save(out, format=kind, **({"quality": 88} if kind != "PNG" else {}))
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValidationError(_("The file is not a valid PNG, JPEG or WebP image."), status=415) from error
    encoded = out.getvalue()
    return f"{hashlib.sha256(encoded).hexdigest()[:32]}.{ACCEPTED_FORMATS[kind]}", encoded
