"""The facilitator downloads the DOCX and the PDF from the export page."""

import pytest
from playwright.sync_api import BrowserContext

from app.auth import Tokens
from app.models import Workshop
from tests.conftest import SECRET
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


def test_download_docx_and_pdf(projector: BrowserContext, live_server: ServerProcess,
                               live_workshop: Workshop, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = projector.new_page()
    token = Tokens(SECRET).facilitator_token(live_workshop)
    page.goto(f"{live_server.base_url}/w/{live_workshop.slug}/facilitate?token={token}")
    page.get_by_role("link", name="Ergebnisdokumentation").click()
    for fmt, start in (("docx", b"PK"), ("pdf", b"%PDF")):
        form = page.locator(f"form[action$='/export/{fmt}']")
        with page.expect_download() as info:
            form.get_by_role("button", name="Herunterladen").click()
        download = info.value
        assert download.suggested_filename == f"ergebnisdokumentation-{live_workshop.slug}.{fmt}"
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        assert path.read_bytes().startswith(start)
