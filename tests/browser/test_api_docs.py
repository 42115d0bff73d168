"""/api/docs: Swagger UI served from our own server, working under the strict CSP."""

from playwright.sync_api import BrowserContext

from tests.live import ServerProcess


def test_api_docs_load_nothing_from_elsewhere(projector: BrowserContext,
                                              live_server: ServerProcess) -> None:
    requested: list[str] = []
    errors: list[str] = []
    page = projector.new_page()
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.base_url}/api/docs")
    title = page.locator(".swagger-ui .info .title")
    title.wait_for()
    assert "Zukunftskonferenz" in title.inner_text()
    page.locator(".opblock-summary-path", has_text="/api/v1/join").first.wait_for()
    assert requested, "the page made requests"
    assert all(url.startswith(live_server.base_url) for url in requested), requested
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


