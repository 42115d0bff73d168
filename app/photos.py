"""Photos of flipcharts and pinboards (per field, or of the whole workshop) and the cover's
logos: every upload is decoded, turned upright, scaled and encoded anew, so nothing of the
original file survives but its pixels – no EXIF (the phone's location), no XMP, no comments.

Decoding a 20 MB photo takes up to a second: `prepare` does it before the request takes its
turn to write (on SQLite that turn is the whole database's), `add_photo` only stores.
"""

import io
import threading
import warnings
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from app import moderation
from app.access import Facilitator
from app.errors import InvalidInput, NotAllowed, NotFound, TooManyRequests
from app.models import Field, Photo, Workshop, utcnow
from app.text import clean_text
from app.workshops import fields_of

if TYPE_CHECKING:
    from PIL.Image import Image

    from app.report.model import ReportImage

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # a phone's photo is 2–8 MB; its HEIC less
MAX_PIXELS = 60_000_000  # a 50-megapixel camera passes; a decompression bomb does not
# PNG, WebP, HEIC … decode at full size (only JPEG shrinks while decoding): a lower limit, so
# a tiny file of a huge palette image cannot take hundreds of megabytes.
MAX_PIXELS_FULL_DECODE = 25_000_000
DECODING = threading.BoundedSemaphore(2)  # decodes at once in the process: memory stays bounded
DECODING_WAIT_S = 20
MAX_PHOTOS = 200  # per workshop, hidden ones included
MAX_LOGOS = 8
PHOTO_SIDE = 1600  # the longest side: sharp on a printed A4 page, ~300 KB as JPEG
LOGO_SIDE = 800
THUMB_SIDE = 320
JPEG_QUALITY = 82
MAX_CAPTION = 300
KINDS = ("photo", "logo")
# What a phone or an office PC sends. Only these decoders are tried: no format whose plugin
# runs an outside program (EPS would start Ghostscript).
FORMATS = ("JPEG", "MPO", "PNG", "HEIF", "WEBP", "GIF", "AVIF")


@cache
def _pillow() -> Any:
    """Pillow with HEIC (iPhones), loaded on the first upload, not with the app."""
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    Image.init()  # every plugin, so that `formats` finds MPO (many phones' JPEGs) and WebP
    return Image


@dataclass(frozen=True)
class Prepared:
    """An upload decoded, upright, scaled and encoded anew: ready to store."""

    content: bytes
    media_type: str
    width: int
    height: int


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


def prepare(data: bytes, *, filename: str = "", kind: str = "photo") -> Prepared:
    """The stored form of an upload: a photo as JPEG (longest side 1600 px), a logo as PNG
    with its transparency (800 px); refused with a message that says what to do instead."""
    if kind not in KINDS:
        raise InvalidInput("Unbekannte Art von Bild.")
    if not data:
        raise InvalidInput("Bitte wählen Sie zuerst eine Bilddatei aus.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput("Die Datei ist zu groß ({size} MB, höchstens {limit} MB). Bitte "
                           "laden Sie das Foto in kleinerer Auflösung hoch.",
                           size=_megabytes(len(data)), limit=MAX_UPLOAD_BYTES // 1024 // 1024)
    if not DECODING.acquire(timeout=DECODING_WAIT_S):
        raise TooManyRequests("Gerade werden viele Fotos verarbeitet. Bitte in {seconds} "
                              "Sekunden noch einmal hochladen.", retry_after=10)
    try:
        return _decode(data, filename, kind)
    finally:
        DECODING.release()


def _decode(data: bytes, filename: str, kind: str) -> Prepared:
    pil = _pillow()
    from PIL import ImageFile

    # WeasyPrint switches this on for the whole process when it loads: a photo cut off in
    # transfer would then be stored with a grey lower half instead of asked for again.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    image = _open(pil, data, filename)
    side = PHOTO_SIDE if kind == "photo" else LOGO_SIDE
    try:
        width, height = image.size
        factor = min(1.0, side / max(width, height))
        # A JPEG decodes at 1/2, 1/4 or 1/8 of its size when that is still enough: a 50-MP
        # photo then needs a fraction of the memory and the time.
        image.draft("RGB", (max(1, int(width * factor)), max(1, int(height * factor))))
        image.load()
        image = _upright(image)
        if image.mode not in ("RGB", "RGBA", "CMYK", "L"):  # palette, 1-bit, with alpha …
            image = image.convert("RGBA" if _transparent(image) else "RGB")
        image.thumbnail((side, side), pil.Resampling.LANCZOS)  # a palette would go jagged
        image = _srgb(image)
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # truncated, corrupt
        raise InvalidInput("Das Bild ist beschädigt oder unvollständig. Bitte laden Sie es "
                           "noch einmal hoch.") from exc
    return _encode(pil, image, kind)


def _open(pil: Any, data: bytes, filename: str) -> "Image":
    name = clean_text(filename, multiline=False)[:80]
    if name.lower().endswith(".svg") or data.lstrip()[:5] in (b"<?xml", b"<svg "):
        raise InvalidInput("SVG-Dateien gehen leider nicht. Bitte laden Sie das Bild als PNG "
                           "oder JPEG hoch.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pil.DecompressionBombWarning)
            image: Image = pil.open(io.BytesIO(data),
                                    formats=[f for f in FORMATS if f in pil.OPEN])
    except (pil.DecompressionBombError, pil.DecompressionBombWarning) as exc:
        raise InvalidInput("Das Bild hat zu viele Bildpunkte (höchstens {limit} Megapixel).",
                           limit=MAX_PIXELS // 1_000_000) from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # not an image we read
        raise InvalidInput("„{name}“ ist kein Bild, das sich lesen lässt. Bitte laden Sie ein "
                           "Foto als JPEG, PNG oder HEIC hoch.",
                           name=name or "Die Datei") from exc
    width, height = image.size
    limit = MAX_PIXELS if image.format in ("JPEG", "MPO") else MAX_PIXELS_FULL_DECODE
    if width * height > limit:
        raise InvalidInput("Das Bild hat zu viele Bildpunkte ({size} Megapixel, höchstens "
                           "{limit}).", size=round(width * height / 1_000_000),
                           limit=limit // 1_000_000)
    return image


def _upright(image: "Image") -> "Image":
    """Turned as the camera held it (EXIF orientation): the orientation tag goes with the
    rest of the metadata, so the pixels must carry it."""
    from PIL import ImageOps

    return ImageOps.exif_transpose(image) or image


def _srgb(image: "Image") -> "Image":
    """Colours converted from the file's own profile (an iPhone's Display P3) to sRGB, which
    every reader assumes once the profile is gone."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    from PIL import ImageCms

    try:
        converted = ImageCms.profileToProfile(
            image, io.BytesIO(profile), ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if image.mode == "RGBA" else "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: the pixels as they are
    return converted or image


def _transparent(image: "Image") -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _encode(pil: Any, image: "Image", kind: str) -> Prepared:
    transparent = _transparent(image)
    if kind == "logo":
        image = image.convert("RGBA" if transparent else "RGB")
    elif transparent:  # a photo with an alpha channel: on white paper, as printed
        rgba = image.convert("RGBA")
        image = pil.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    else:
        image = image.convert("RGB")
    image.info = {}  # nothing of the original's metadata is written
    out = io.BytesIO()
    if kind == "logo":
        image.save(out, format="PNG", optimize=True)
        media_type = "image/png"
    else:
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        media_type = "image/jpeg"
    return Prepared(content=out.getvalue(), media_type=media_type, width=image.width,
                    height=image.height)


def thumbnail(photo: Photo, side: int = THUMB_SIDE) -> bytes:
    """A small copy for the console's list (a phone on venue Wi-Fi loads 20 of them)."""
    pil = _pillow()
    image = pil.open(io.BytesIO(photo.content), formats=("JPEG", "PNG"))
    image.thumbnail((side, side), pil.Resampling.LANCZOS)
    out = io.BytesIO()
    if photo.media_type == "image/png":
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="JPEG", quality=75)
    return out.getvalue()


def _caption(text: str) -> str:
    caption = clean_text(text, multiline=False)
    if len(caption) > MAX_CAPTION:
        raise InvalidInput("Die Bildunterschrift ist zu lang (höchstens {limit} Zeichen).",
                           limit=MAX_CAPTION)
    return caption


def add_photo(*, session: Session, workshop: Workshop, field: Field | None,
              data: bytes | Prepared, filename: str = "", caption: str = "",
              uploaded_by: str = "", kind: str = "photo") -> Photo:
    """Store a photo of a field (`field`) or of the whole workshop (None), or a logo. `data`
    is the upload as it came, or what `prepare` made of it outside the write."""
    text = _caption(caption)
    if kind not in KINDS:
        raise InvalidInput("Unbekannte Art von Bild.")
    if field is not None and field.workshop_id != workshop.id:
        raise NotFound("Dieses Handlungsfeld gibt es nicht (mehr).")
    if kind == "logo" and field is not None:
        raise InvalidInput("Logos gehören zum ganzen Workshop, nicht zu einem Handlungsfeld.")
    require_room(session=session, workshop=workshop, kind=kind)
    image = data if isinstance(data, Prepared) else prepare(data, filename=filename, kind=kind)
    assert workshop.id is not None
    field_id = field.id if field is not None else None
    last = session.exec(select(func.max(Photo.position)).where(
        Photo.workshop_id == workshop.id, Photo.kind == kind,
        Photo.field_id == field_id if field_id is not None else col(Photo.field_id).is_(None)
    )).one()
    photo = Photo(workshop_id=workshop.id, field_id=field_id, kind=kind, caption=text,
                  content=image.content, media_type=image.media_type, width=image.width,
                  height=image.height, uploaded_by=uploaded_by[:40],
                  position=(last if last is not None else -1) + 1)
    session.add(photo)
    session.flush()
    return photo


def require_room(*, session: Session, workshop: Workshop, kind: str = "photo") -> None:
    """Refuses one more photo (or logo) beyond the limit; asked before an upload is decoded
    too, so a full workshop costs no decoding."""
    stored = _count(session, workshop, kind)
    if kind == "photo" and stored >= MAX_PHOTOS:
        raise InvalidInput("Dieser Workshop hat schon {limit} Fotos. Bitte löschen Sie zuerst "
                           "welche, die Sie nicht brauchen.", limit=MAX_PHOTOS)
    if kind == "logo" and stored >= MAX_LOGOS:
        raise InvalidInput("Es sind schon {limit} Logos hochgeladen. Bitte entfernen Sie "
                           "zuerst eines.", limit=MAX_LOGOS)


def _count(session: Session, workshop: Workshop, kind: str) -> int:
    return session.exec(select(func.count()).select_from(Photo).where(
        Photo.workshop_id == workshop.id, Photo.kind == kind)).one()


def _listed(session: Session, workshop: Workshop, *conditions: Any) -> list[Photo]:
    """Without their bytes: a list shows thumbnails, which come one by one."""
    query = (select(Photo).options(defer(Photo.content))  # type: ignore[arg-type]
             .where(Photo.workshop_id == workshop.id, *conditions)
             .order_by(col(Photo.position), col(Photo.id)))
    return list(session.exec(query))


def photos_of(*, session: Session, workshop: Workshop, field: Field | None) -> list[Photo]:
    """The photos of a field, or (None) those of the whole workshop; hidden ones too."""
    where = (Photo.field_id == field.id) if field is not None else col(Photo.field_id).is_(None)
    return _listed(session, workshop, Photo.kind == "photo", where)


def logos_of(*, session: Session, workshop: Workshop) -> list[Photo]:
    return _listed(session, workshop, Photo.kind == "logo")


def photo_count(*, session: Session, workshop: Workshop) -> int:
    return _count(session, workshop, "photo")


def get_photo(*, session: Session, workshop: Workshop, photo_id: int,
              facilitator: Facilitator | None = None) -> Photo:
    """A photo or logo of this workshop. With `facilitator`: one they may see and change – a
    field's photos are its facilitators', the workshop's and the logos everyone's."""
    photo = session.get(Photo, photo_id)
    if photo is None or photo.workshop_id != workshop.id:
        raise NotFound("Dieses Foto gibt es nicht (mehr).")
    if facilitator is not None and photo.field_id is not None:
        moderation.require_field(session, facilitator, photo.field_id)
    return photo


def _changeable(session: Session, workshop: Workshop, photo_id: int,
                facilitator: Facilitator) -> Photo:
    photo = get_photo(session=session, workshop=workshop, photo_id=photo_id,
                      facilitator=facilitator)
    if photo.kind == "logo" and not facilitator.organizer:
        raise NotAllowed("Die Logos verwaltet die Organisation.")
    if photo.kind == "photo" and photo.field_id is None:
        facilitator.require_whole_workshop()
    return photo


def set_caption(*, session: Session, workshop: Workshop, photo_id: int, caption: str,
                facilitator: Facilitator) -> Photo:
    photo = _changeable(session, workshop, photo_id, facilitator)
    photo.caption = _caption(caption)
    session.add(photo)
    return photo


def hide(*, session: Session, workshop: Workshop, photo_id: int, facilitator: Facilitator,
         hidden: bool = True) -> Photo:
    """Leave a photo out of the documentation (or take it in again); it stays in the list."""
    photo = _changeable(session, workshop, photo_id, facilitator)
    photo.hidden_at = (photo.hidden_at or utcnow()) if hidden else None
    session.add(photo)
    return photo


def delete(*, session: Session, workshop: Workshop, photo_id: int,
           facilitator: Facilitator) -> None:
    """Gone for good: a photo may show faces, and what is deleted is not kept."""
    session.delete(_changeable(session, workshop, photo_id, facilitator))


def report_images(session: Session, workshop: Workshop
                  ) -> tuple[list["ReportImage"], list["ReportImage"]]:
    """The documentation's photos (by field in the workshop's order, then as uploaded; the
    whole workshop's last; hidden ones left out) and its cover logos."""
    # Imported here: app.report's builder imports this module.
    from app.report.model import ReportImage

    fields = fields_of(session=session, workshop=workshop)
    order = {f.id: index for index, f in enumerate(fields)}
    keys = {f.id: f.key for f in fields}
    rows = session.exec(select(Photo).where(Photo.workshop_id == workshop.id,
                                            col(Photo.hidden_at).is_(None))).all()

    def image(photo: Photo) -> ReportImage:
        return ReportImage(content=photo.content, media_type=photo.media_type,
                           width=photo.width, height=photo.height, caption=photo.caption,
                           field_key=keys.get(photo.field_id, "") if photo.field_id else "")

    photos = sorted((p for p in rows if p.kind == "photo"), key=lambda p: (
        order.get(p.field_id, len(order)) if p.field_id else len(order), p.position, p.id or 0))
    logos = sorted((p for p in rows if p.kind == "logo"), key=lambda p: (p.position, p.id or 0))
    return [image(p) for p in photos], [image(p) for p in logos]
