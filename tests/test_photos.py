"""Photos of flipcharts and pinboards, and cover logos: what is stored of an upload (no EXIF, no
location, upright, scaled), what is refused and why, who sees the images, the console's and
the organizer's forms, and the photos in the HTML, PDF and Word documentation."""

import io
import re
import struct
import zipfile
import zlib

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image, ImageCms
from pypdf import PdfReader
from sqlmodel import Session

from app import access, photos
from app.access import MAIN, Facilitator
from app.errors import InvalidInput, NotAllowed, NotFound
from app.models import Workshop
from app.report import build_report
from app.report.model import Report, ReportOptions
from app.report.writers import write_docx, write_html, write_pdf
from app.workshops import get_field
from tests.conftest import AuthActions
from tests.factories import make_card, make_participant, make_workshop

GPS = {1: "N", 2: (51.0, 47.0, 30.0), 3: "E", 4: (10.0, 20.0, 15.0)}  # somewhere in the Harz


def jpeg(size: tuple[int, int] = (2400, 1800), *, orientation: int = 1) -> bytes:
    """A phone's photo: the left half red, the right half white; EXIF with the camera, the
    location and an orientation; XMP, an ICC profile and a comment besides."""
    image = Image.new("RGB", size, "white")
    image.paste((220, 0, 0), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x010F] = "Telefonhersteller"  # Make
    exif[0x0112] = orientation
    exif[0x8825] = GPS  # the GPS IFD
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), icc_profile=profile,
               xmp=b"<x:xmpmeta><exif:GPSLatitude>51,47.5N</exif:GPSLatitude></x:xmpmeta>",
               comment=b"Kamera von Frau Beispiel")
    return out.getvalue()


def png(size: tuple[int, int] = (1200, 400), *, alpha: bool = True) -> bytes:
    image = Image.new("RGBA" if alpha else "RGB", size, (0, 51, 153, 0) if alpha else "navy")
    image.paste((255, 204, 0, 255) if alpha else (255, 204, 0), (100, 100, 300, 300))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims a size and holds almost nothing: what a decompression bomb starts
    with (the size is read before any pixel)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b""))
            + chunk(b"IEND", b""))


def stored(photo_content: bytes) -> Image.Image:
    return Image.open(io.BytesIO(photo_content))


def refusal(data: bytes, **kwargs: str) -> str:
    with pytest.raises(InvalidInput) as refused:
        photos.prepare(data, **kwargs)  # type: ignore[arg-type]
    return refused.value.render()


# What is stored of an upload


def test_exif_location_xmp_icc_and_comments_are_gone(session: Session) -> None:
    workshop = make_workshop(session)
    field = get_field(session=session, workshop=workshop, key="hf1")
    original = jpeg()
    assert b"GPSLatitude" in original and stored(original).getexif().get_ifd(0x8825)
    photo = photos.add_photo(session=session, workshop=workshop, field=field, data=original,
                             filename="IMG_0001.JPG", caption="Pinnwand Stärken",
                             uploaded_by="main")
    session.commit()
    image = stored(photo.content)
    assert image.format == "JPEG" and photo.media_type == "image/jpeg"
    assert dict(image.getexif()) == {} and not image.getexif().get_ifd(0x8825)
    assert set(image.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density",
                               "progressive", "progression"}, image.info
    for trace in (b"Exif", b"GPS", b"Telefonhersteller", b"xmpmeta", b"ICC_PROFILE",
                  b"Beispiel"):
        assert trace not in photo.content, trace
    assert (photo.width, photo.height) == image.size == (1600, 1200)  # the longest side
    assert len(photo.content) < 400_000


def test_the_orientation_is_applied_before_it_goes(session: Session) -> None:
    # Orientation 6: the camera was turned; the picture is shown turned 90° clockwise.
    prepared = photos.prepare(jpeg((800, 400), orientation=6))
    image = stored(prepared.content).convert("RGB")
    assert image.size == (400, 800)
    red, white = image.getpixel((200, 100)), image.getpixel((200, 700))
    assert red[0] > 180 and red[1] < 60, red  # what was left is on top now
    assert min(white) > 200, white


def test_heic_from_an_iphone_is_taken() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    image = Image.new("RGB", (2000, 1000), "green")
    exif = Image.Exif()
    exif[0x8825] = GPS
    out = io.BytesIO()
    try:
        image.save(out, format="HEIF", exif=exif.tobytes())
    except (KeyError, OSError, ValueError):  # libheif without an encoder: nothing to test
        pytest.skip("pillow-heif cannot write HEIC here")
    prepared = photos.prepare(out.getvalue(), filename="IMG_0002.HEIC")
    assert prepared.media_type == "image/jpeg" and (prepared.width, prepared.height) == (1600, 800)
    assert b"Exif" not in prepared.content


def test_a_photo_with_transparency_is_put_on_white_a_logo_keeps_it() -> None:
    photo = stored(photos.prepare(png(), kind="photo").content)
    assert photo.format == "JPEG" and photo.getpixel((5, 5)) == (255, 255, 255)
    logo = photos.prepare(png((1600, 400)), kind="logo")
    image = stored(logo.content)
    assert logo.media_type == "image/png" and image.mode == "RGBA"
    assert (logo.width, logo.height) == (800, 200)
    assert image.getpixel((2, 2))[3] == 0 and image.getpixel((100, 100))[3] == 255


def test_what_is_no_photo_is_refused_with_what_to_do() -> None:
    assert refusal(b"") == "Bitte wählen Sie zuerst eine Bilddatei aus."
    assert refusal(b"Hallo Welt", filename="notizen.txt").startswith(
        "„notizen.txt“ ist kein Bild, das sich lesen lässt. Bitte laden Sie ein Foto als JPEG, "
        "PNG oder HEIC hoch.")
    assert "SVG" in refusal(b"<svg xmlns='http://www.w3.org/2000/svg'/>", filename="logo.svg")
    import weasyprint  # noqa: F401  (it lets Pillow load truncated images, process-wide)

    assert refusal(jpeg()[:3000]).startswith("Das Bild ist beschädigt oder unvollständig")
    assert refusal(b"\xff" * (photos.MAX_UPLOAD_BYTES + 1)) == (
        "Die Datei ist zu groß (20,0 MB, höchstens 20 MB). Bitte laden Sie das Foto in "
        "kleinerer Auflösung hoch.")
    # Too many pixels, before a single one is decoded: a PNG decodes at full size, so 30 MP
    # are too many (a tiny file of a huge palette image would take hundreds of megabytes);
    # a JPEG shrinks while decoding and may have 60; and a bomb of 400 MP.
    assert refusal(png_header(6000, 5000)) == (
        "Das Bild hat zu viele Bildpunkte (30 Megapixel, höchstens 25).")
    assert photos.prepare(jpeg((7000, 5000))).width == photos.PHOTO_SIDE
    assert refusal(png_header(20000, 20000)) == (
        "Das Bild hat zu viele Bildpunkte (höchstens 60 Megapixel).")


def test_limits_per_workshop(session: Session) -> None:
    workshop = make_workshop(session)
    small = photos.prepare(jpeg((64, 48)))
    for _ in range(photos.MAX_PHOTOS):
        photos.add_photo(session=session, workshop=workshop, field=None, data=small)
    session.commit()
    with pytest.raises(InvalidInput) as full:
        photos.add_photo(session=session, workshop=workshop, field=None, data=small)
    assert full.value.render() == ("Dieser Workshop hat schon 200 Fotos. Bitte löschen Sie "
                                   "zuerst welche, die Sie nicht brauchen.")
    logo = photos.prepare(png((64, 32)), kind="logo")
    for _ in range(photos.MAX_LOGOS):  # logos count on their own
        photos.add_photo(session=session, workshop=workshop, field=None, data=logo, kind="logo")
    with pytest.raises(InvalidInput, match="schon 8 Logos"):
        photos.add_photo(session=session, workshop=workshop, field=None, data=logo, kind="logo")
    with pytest.raises(InvalidInput, match="höchstens 300 Zeichen"):
        photos.add_photo(session=session, workshop=make_workshop(session), field=None,
                         data=small, caption="x" * 301)


def test_captions_hiding_deleting_and_the_report_order(session: Session) -> None:
    workshop = make_workshop(session, westharz=True)
    hf1, hf3 = (get_field(session=session, workshop=workshop, key=k) for k in ("hf1", "hf3"))
    small = photos.prepare(jpeg((64, 48)))

    def add(field, caption: str):  # type: ignore[no-untyped-def]
        return photos.add_photo(session=session, workshop=workshop, field=field, data=small,
                                caption=caption)

    hall, third, first, second = add(None, "Saal"), add(hf3, "HF3"), add(hf1, "a"), add(hf1, "b")
    photos.add_photo(session=session, workshop=workshop, field=None, kind="logo",
                     data=photos.prepare(png((64, 32)), kind="logo"), caption="EU")
    assert [p.position for p in (first, second)] == [0, 1]
    photos.set_caption(session=session, workshop=workshop, photo_id=first.id or 0,
                       caption="  Stärken\u200b und\tSchwächen\n", facilitator=MAIN)
    photos.hide(session=session, workshop=workshop, photo_id=third.id or 0, facilitator=MAIN)
    session.commit()
    assert [p.caption for p in photos.photos_of(session=session, workshop=workshop,
                                                field=hf1)] == ["Stärken und Schwächen", "b"]
    assert [p.caption for p in photos.photos_of(session=session, workshop=workshop,
                                                field=None)] == ["Saal"]
    listed, logos = photos.report_images(session, workshop)
    assert [(p.field_key, p.caption) for p in listed] == [
        ("hf1", "Stärken und Schwächen"), ("hf1", "b"), ("", "Saal")]  # HF 3's is hidden
    assert [(logo.caption, logo.media_type) for logo in logos] == [("EU", "image/png")]
    photos.hide(session=session, workshop=workshop, photo_id=third.id or 0, facilitator=MAIN,
                hidden=False)
    photos.delete(session=session, workshop=workshop, photo_id=hall.id or 0, facilitator=MAIN)
    session.commit()
    assert [p.field_key for p in photos.report_images(session, workshop)[0]] == [
        "hf1", "hf1", "hf3"]
    with pytest.raises(NotFound):
        photos.get_photo(session=session, workshop=workshop, photo_id=hall.id or 0)
    other = make_workshop(session)
    with pytest.raises(NotFound):  # another workshop's photo is none of this one's
        photos.get_photo(session=session, workshop=other, photo_id=second.id or 0)


def test_a_field_link_changes_only_its_fields_photos(session: Session) -> None:
    workshop = make_workshop(session, westharz=True)
    hf1, hf2 = (get_field(session=session, workshop=workshop, key=k) for k in ("hf1", "hf2"))
    small = photos.prepare(jpeg((64, 48)))
    mine = photos.add_photo(session=session, workshop=workshop, field=hf1, data=small)
    theirs = photos.add_photo(session=session, workshop=workshop, field=hf2, data=small)
    whole = photos.add_photo(session=session, workshop=workshop, field=None, data=small)
    logo = photos.add_photo(session=session, workshop=workshop, field=None, kind="logo",
                            data=photos.prepare(png((64, 32)), kind="logo"))
    table = Facilitator(label="Tisch 1", field_id=hf1.id, link_id=1)
    photos.set_caption(session=session, workshop=workshop, photo_id=mine.id or 0, caption="ok",
                       facilitator=table)
    for photo in (theirs, whole, logo):
        with pytest.raises(NotAllowed):
            photos.delete(session=session, workshop=workshop, photo_id=photo.id or 0,
                          facilitator=table)
    with pytest.raises(NotAllowed, match="Organisation"):  # logos are the organizer's
        photos.delete(session=session, workshop=workshop, photo_id=logo.id or 0,
                      facilitator=MAIN)
    photos.delete(session=session, workshop=workshop, photo_id=logo.id or 0,
                  facilitator=access.ORGANIZER)


def test_deleting_the_workshop_deletes_its_photos_and_logos(session: Session) -> None:
    from sqlmodel import func, select

    from app import facilitation, retention
    from app.models import Photo

    kept = make_workshop(session)
    photos.add_photo(session=session, workshop=kept, field=None, data=jpeg((64, 48)))
    workshop = make_workshop(session, westharz=True)
    photos.add_photo(session=session, workshop=workshop, data=jpeg((64, 48)),
                     field=get_field(session=session, workshop=workshop, key="hf4a"))
    photos.add_photo(session=session, workshop=workshop, field=None, kind="logo",
                     data=png((64, 32)))
    facilitation.set_joining_open(session=session, workshop=workshop, joining_open=False)
    session.commit()
    retention.delete_workshop(session=session, workshop=workshop, confirm=workshop.title)
    session.commit()
    assert session.exec(select(func.count()).select_from(Photo)).one() == 1  # the other's


# Over HTTP: the consoles' forms, the organizer's logos, who gets an image


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def upload(client: TestClient, url: str, data: bytes, *, caption: str = "",
           htmx: bool = False, name: str = "tafel.jpg"):  # type: ignore[no-untyped-def]
    return client.post(url, files=[("file", (name, data, "image/jpeg")),
                                   ("file", ("", b"", "application/octet-stream"))],
                       data={"caption": caption},
                       headers={"HX-Request": "true"} if htmx else {})


def test_the_field_console_uploads_a_photo(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    auth.facilitate_in_browser()
    console = soup(client.get(f"/w/{slug}/facilitate/hf1").text)
    section = console.select_one("section#photos")
    assert section["hx-get"] == f"/w/{slug}/facilitate/hf1/photos"  # loads its list
    form = section.select_one("form[enctype='multipart/form-data']")
    assert form["action"] == f"/w/{slug}/facilitate/hf1/photos"
    camera = form.select_one("input[capture]")
    assert camera["accept"] == "image/*" and camera["capture"] == "environment"
    assert section.select_one(f"a[href='/w/{slug}/facilitate/hf1/photos']")  # without JS

    answer = upload(client, f"/w/{slug}/facilitate/hf1/photos", jpeg(), caption="Stärken")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/w/{slug}/facilitate/hf1/photos?done=uploaded"
    page = soup(client.get(answer.headers["location"]).text)
    assert page.select_one("[role=status]").text.startswith("Foto gespeichert.")
    image = page.select_one("#photos .photo-list img")
    assert image["alt"] == "Stärken" and image["src"].endswith("?thumb=1")
    full = client.get(image["src"].removesuffix("?thumb=1"))
    assert full.status_code == 200 and full.headers["content-type"] == "image/jpeg"
    assert full.headers["cache-control"].startswith("private")
    assert full.headers["x-content-type-options"] == "nosniff"
    assert stored(full.content).size == (1600, 1200) and b"Exif" not in full.content
    thumb = client.get(image["src"])
    assert max(stored(thumb.content).size) == 320

    # With htmx the answer is the section itself; a refusal keeps the caption typed.
    refused = upload(client, f"/w/{slug}/facilitate/hf1/photos", b"kein Bild", htmx=True,
                     caption="Ideenwand", name="liste.txt")
    assert refused.status_code == 422
    fragment = soup(refused.text)
    assert fragment.select_one("section#photos [role=alert]").text.startswith(
        "„liste.txt“ ist kein Bild")
    assert fragment.select_one("#photo-caption")["value"] == "Ideenwand"
    assert len(fragment.select(".photo-list li")) == 1
    # Caption, leave out of the documentation, delete: through the photo's own form.
    form = fragment.select_one(".photo-list form")
    changed = client.post(form["action"], data={"field": "hf1", "op": "hide", "caption": ""},
                          headers={"HX-Request": "true"})
    assert "nicht in der Dokumentation" in soup(changed.text).select_one(".photo-list").text
    gone = client.post(form["action"], data={"field": "hf1", "op": "delete"})
    assert gone.status_code == 303 and client.get(image["src"]).status_code == 404


def test_a_large_photo_reaches_the_check_and_gets_its_message(client: TestClient,
                                                              auth: AuthActions) -> None:
    auth.facilitate_in_browser()
    slug = auth.workshop.slug
    answer = upload(client, f"/w/{slug}/facilitate/hf1/photos",
                    b"\xff\xd8" + b"\0" * (photos.MAX_UPLOAD_BYTES + 100_000), caption="Groß")
    assert answer.status_code == 422  # not the body limit's 413: the form says why
    page = soup(answer.text)
    assert page.select_one("#photos [role=alert]").text.startswith("Die Datei ist zu groß")
    assert page.select_one("#photo-caption")["value"] == "Groß"


def test_only_a_signed_in_client_may_send_megabytes_and_only_to_an_upload(
        client: TestClient, auth: AuthActions) -> None:
    body = b"\xff\xd8" + b"\0" * 2_000_000
    slug = auth.workshop.slug
    assert upload(client, f"/w/{slug}/photos", body).status_code == 413  # no sign-in
    auth.facilitate_in_browser()
    assert upload(client, f"/w/{slug}/cards/photos", body).status_code == 413  # no upload
    assert upload(client, f"/w/{slug}/photos", body).status_code == 422  # the form says why


def test_the_workshop_console_takes_photos_of_the_whole_workshop(client: TestClient,
                                                                 auth: AuthActions) -> None:
    slug = auth.workshop.slug
    auth.facilitate_in_browser()
    section = soup(client.get(f"/w/{slug}/facilitate").text).select_one("section#photos")
    assert section.select_one("form")["action"] == f"/w/{slug}/photos"
    assert upload(client, f"/w/{slug}/photos", jpeg((900, 600))).status_code == 303
    listed = soup(client.get(f"/w/{slug}/photos", headers={"HX-Request": "true"}).text)
    assert listed.select_one(".photo-list img")["alt"] == "Foto 1"


def test_only_the_workshops_facilitators_and_organizers_see_an_image(
        client: TestClient, auth: AuthActions, app: FastAPI) -> None:
    context = app.state.context
    with context.db.transaction() as session:
        workshop = session.get(Workshop, auth.workshop.id)
        assert workshop is not None
        photo = photos.add_photo(session=session, workshop=workshop, field=None,
                                 data=jpeg((300, 200)))
        hidden = photos.add_photo(session=session, workshop=workshop, field=None,
                                  data=jpeg((300, 200)))
        photos.hide(session=session, workshop=workshop, photo_id=hidden.id or 0,
                    facilitator=MAIN)
        other = make_workshop(session, westharz=True)
        access.set_organizer_password(session=session, password="ein langes Passwort")
    slug, url = auth.workshop.slug, f"/w/{auth.workshop.slug}/photos/{photo.id}"
    other_token = context.tokens.facilitator_token(other)
    assert client.get(url).status_code == 403  # nobody signed in
    assert client.get(url, headers=auth.participant_headers()).status_code == 403
    auth.join_in_browser()
    assert client.get(url).status_code == 403  # a participant's cookie
    assert client.get(url, headers={"Authorization": f"Bearer {other_token}"}).status_code == 403
    assert client.get(f"/w/{other.slug}/photos/{photo.id}",  # not that workshop's photo
                      headers={"Authorization": f"Bearer {other_token}"}).status_code == 404
    mine = auth.facilitator_headers()
    assert client.get(url, headers=mine).status_code == 200
    assert client.get(f"/w/{slug}/photos/{hidden.id}", headers=mine).status_code == 200
    with TestClient(app, follow_redirects=False) as organizer:
        assert organizer.post("/admin/login",
                              data={"password": "ein langes Passwort"}).status_code == 303
        assert organizer.get(url).status_code == 200  # an admin manages every workshop


def test_the_organizer_uploads_and_removes_logos(client: TestClient, auth: AuthActions,
                                                 app: FastAPI) -> None:
    slug = auth.workshop.slug
    assert client.get(f"/admin/workshops/{slug}/logos").status_code == 303  # sign in first
    with app.state.context.db.transaction() as session:
        access.set_organizer_password(session=session, password="ein langes Passwort")
    assert client.post("/admin/login", data={"password": "ein langes Passwort"}).status_code == 303
    page = soup(client.get(f"/admin/workshops/{slug}").text)
    section = page.select_one("section#logos")
    assert section["hx-get"] == f"/admin/workshops/{slug}/logos"
    assert section.select_one("form")["action"] == f"/admin/workshops/{slug}/logos"
    answer = client.post(f"/admin/workshops/{slug}/logos",
                         files={"file": ("eu.png", png(), "image/png")},
                         data={"caption": "Logo der Europäischen Union"})
    assert answer.status_code == 303
    listed = soup(client.get(answer.headers["location"]).text)
    logo = listed.select_one("#logos img")
    assert logo["alt"] == "Logo der Europäischen Union"
    assert client.get(logo["src"]).headers["content-type"] == "image/png"
    refused = client.post(f"/admin/workshops/{slug}/logos",
                          files={"file": ("eu.svg", b"<svg/>", "image/svg+xml")},
                          data={"caption": "EU"}, headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert "SVG" in soup(refused.text).select_one("#logos [role=alert]").text
    removed = client.post(listed.select_one("#logos li form")["action"], data={"op": "delete"},
                          headers={"HX-Request": "true"})
    assert soup(removed.text).select_one("#logos [role=status]").text == "Logo entfernt."
    assert soup(removed.text).select("#logos img") == []


# In the documentation


@pytest.fixture
def with_photos(session: Session) -> Report:
    """HF 1 with cards and two photos, HF 2 a group on paper only, HF 4 A (a sub-field nobody
    typed into) with one, one of the whole workshop, and two logos."""
    workshop = make_workshop(session, westharz=True)
    anna = make_participant(session, workshop)
    make_card(session, workshop, anna, text="Vereinskultur")
    fields = {k: get_field(session=session, workshop=workshop, key=k)
              for k in ("hf1", "hf2", "hf4a")}
    for number, (field, caption) in enumerate((
            (fields["hf1"], "Pinnwand Stärken"), (fields["hf1"], ""),
            (fields["hf2"], "Flipchart der Papiergruppe"), (fields["hf4a"], "Tourismus"),
            (None, "Abschlussplenum"))):
        photos.add_photo(session=session, workshop=workshop, field=field,
                         data=jpeg((2400, 1800 - 40 * number)), caption=caption)
    for number, caption in enumerate(("Logo der EU", "LEADER")):
        photos.add_photo(session=session, workshop=workshop, field=None, kind="logo",
                         data=png((900, 300 + 30 * number)), caption=caption)
    session.commit()
    report = build_report(session=session, workshop=workshop)  # the photos from the database
    assert (len(report.photos), len(report.logos)) == (5, 2)
    return report


def test_html_shows_logos_the_fields_photos_and_the_appendix(with_photos: Report) -> None:
    page = soup(write_html(with_photos))
    assert [img["alt"] for img in page.select(".title-page .cover-logos img")] == [
        "Logo der EU", "LEADER"]
    assert all(img["src"].startswith(("data:image/jpeg;base64,", "data:image/png;base64,"))
               for img in page.select("img"))
    hf1 = page.select_one("#field-hf1").find_parent("section")
    figures = hf1.select("figure.photo")
    assert [f.img["alt"] for f in figures] == [
        "Pinnwand Stärken", "Foto: Handlungsfeld 1 – Gutes Leben in der Region"]
    assert [f.figcaption.text for f in figures] == ["Foto 1: Pinnwand Stärken", "Foto 2"]
    assert hf1.select_one("table").find_next_sibling() is hf1.select_one(".field-photos")
    paper = page.select_one("#field-hf2").find_parent("section")
    assert "auf Papier gearbeitet" in paper.text and paper.select_one("figure img")
    assert page.select_one("#field-hf4a") is not None  # a sub-field with a photo: a chapter
    appendix = page.select_one("#photo-appendix-title").find_parent("section")
    assert appendix.h2.text == "Anhang: Fotodokumentation"
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")]
            for tr in appendix.select("tbody tr")]
    assert len(rows) == 5 and rows[0][:2] == ["Foto 1", "Handlungsfeld 1 – Gutes Leben in der "
                                                        "Region"]
    assert rows[-1] == ["Foto 5", "ganzer Workshop", "Abschlussplenum"]
    # Only the whole workshop's photo is shown there; the others stand in their chapter.
    assert [f.figcaption.text for f in appendix.select("figure")] == ["Foto 5: Abschlussplenum"]
    without_working = write_html(with_photos.model_copy(update={
        "options": ReportOptions(working=False)}))
    assert len(soup(without_working).select(".photo-appendix figure")) == 5


def test_pdf_holds_the_photos(with_photos: Report) -> None:
    reader = PdfReader(io.BytesIO(write_pdf(with_photos)))
    # Five photos and two logos, each once (pages share what they show), and the word cloud
    # of each field with cards.
    clouds = sum(1 for f in with_photos.fields if f.words)
    assert len({image.data for page in reader.pages for image in page.images}) == 7 + clouds
    text = "".join("".join(page.extract_text() for page in reader.pages).split())
    assert "Fotodokumentation" in text and "Foto5:Abschlussplenum" in text


def test_docx_has_the_pictures_with_alt_text_and_captions(with_photos: Report) -> None:
    data = write_docx(with_photos)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("word/document.xml").decode()
        media = [n for n in package.namelist() if n.startswith("word/media/")]
    descriptions = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', xml)
    assert descriptions[:2] == ["Logo der EU", "LEADER"]
    assert "Pinnwand Stärken" in descriptions
    assert "Foto: Handlungsfeld 1 – Gutes Leben in der Region" in descriptions
    clouds = [d for d in descriptions if d.startswith("Wortwolke: ")]  # the fields with cards
    assert len(descriptions) - len(clouds) == 7 and len(media) >= 3
    widths = [int(cx) for cx in re.findall(r'<wp:extent cx="(\d+)"', xml)]
    assert max(widths) <= 17.01 * 360000  # A4 less 2 cm margins (in twips): the column
    from docx import Document

    document = Document(io.BytesIO(data))
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert "Foto 1: Pinnwand Stärken" in captions and "Foto 5: Abschlussplenum" in captions
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Anhang: Fotodokumentation" in headings
    assert any(h.startswith("Handlungsfeld 4 A") for h in headings)
    texts = [p.text for p in document.paragraphs]
    assert any("auf Papier gearbeitet" in t for t in texts)

