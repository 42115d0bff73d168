"""A facilitator photographs the group's pinboard from the field console: uploaded, shown,
captioned and removed in place with JavaScript, and through plain forms without it."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from app.models import Workshop
from tests.browser.test_console import open_console
from tests.live import ServerProcess
from tests.test_photos import jpeg

pytestmark = pytest.mark.browser


def test_the_field_console_uploads_captions_and_removes_a_photo(
        browser: Browser, live_server: ServerProcess, live_workshop: Workshop,
        tmp_path: Path) -> None:
    photo = tmp_path / "pinnwand.jpg"
    photo.write_bytes(jpeg((1200, 900)))
    laptop = browser.new_context(viewport={"width": 1366, "height": 900}, locale="de-DE")
    try:
        console = open_console(laptop, live_server, live_workshop)
        section = console.locator("section#photos")
        expect(section.get_by_text("Noch keine Fotos.")).to_be_visible()  # its list came
        console.evaluate("window.__notReloaded = true")
        section.get_by_label("oder ein gespeichertes Foto wählen").set_input_files(photo)
        section.get_by_label("Bildunterschrift (freiwillig)").fill("Pinnwand Ideen")
        section.get_by_role("button", name="Foto hochladen").click()
        expect(section.get_by_role("status")).to_have_text(
            "Foto gespeichert. Ort und Kameradaten sind entfernt.")
        image = section.get_by_role("img", name="Pinnwand Ideen")
        expect(image).to_be_visible()
        # The thumbnail, once loaded (on a busy machine it may still be on its way).
        console.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                  arg=image.element_handle())
        assert image.evaluate("img => img.naturalWidth") == 320
        section.get_by_label("Bildunterschrift", exact=True).fill("Pinnwand Ideen, Runde 2")
        section.get_by_role("button", name="Speichern").click()
        expect(section.get_by_role("status")).to_have_text("Bildunterschrift gespeichert.")
        expect(section.get_by_role("img", name="Pinnwand Ideen, Runde 2")).to_be_visible()
        # The photo's name is part of the button's (the hidden span counts as a block).
        section.get_by_role("button", name=re.compile(r"^Löschen ?: Pinnwand Ideen, Runde 2$")
                            ).click()
        expect(section.get_by_text("Noch keine Fotos.")).to_be_visible()
        assert console.evaluate("window.__notReloaded") is True  # all of it in place
    finally:
        laptop.close()


def test_without_javascript_the_forms_work_too(browser: Browser, live_server: ServerProcess,
                                               live_workshop: Workshop, tmp_path: Path) -> None:
    photo = tmp_path / "flipchart.jpg"
    photo.write_bytes(jpeg((900, 1200)))
    plain = browser.new_context(java_script_enabled=False, locale="de-DE")
    try:
        console = open_console(plain, live_server, live_workshop)
        section = console.locator("section#photos")
        section.get_by_label("Foto aufnehmen").set_input_files(photo)
        section.get_by_role("button", name="Foto hochladen").click()
        expect(console.get_by_role("status")).to_have_text(
            "Foto gespeichert. Ort und Kameradaten sind entfernt.")
        expect(console).to_have_url(f"{live_server.base_url}/w/{live_workshop.slug}"
                                    "/facilitate/hf1/photos?done=uploaded")
        expect(console.get_by_role("img", name="Foto 1")).to_be_visible()
        console.get_by_role("link", name="Moderation: HF 1 Gutes Leben in der Region").click()
        expect(console.get_by_role("heading", level=1)).to_contain_text("Moderation")
    finally:
        plain.close()
