"""No request crashes the server: unexpected errors become a German page or JSON, no trace."""

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models import Workshop


def test_unexpected_error_is_a_german_page_without_trace(app: FastAPI) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    @app.get("/api/v1/boom")
    def api_boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/boom")
        assert page.status_code == 500
        assert "etwas schiefgegangen" in page.text and "secret internals" not in page.text
        api = client.get("/api/v1/boom")
        assert api.status_code == 500
        assert api.json() == {"detail": "Da ist bei uns etwas schiefgegangen. Bitte versuchen "
                                        "Sie es gleich noch einmal."}


def test_wrong_method_and_bad_path_parameter(client: TestClient) -> None:
    assert client.delete("/").status_code == 405
    response = client.get("/api/v1/workshops/x/events", params={"after": "-1"})
    assert response.status_code in (404, 422)
    assert "detail" in response.json()


def test_not_found_and_no_access_have_titles_of_their_own(client: TestClient,
                                                           app_workshop: Workshop) -> None:
    """A screen reader reads the title first, a tab shows it: 404 and 403 say which they are."""
    missing = client.get("/w/gibt-es-nicht")
    assert missing.status_code == 404
    assert "<title>Nicht gefunden – Zukunftskonferenz</title>" in missing.text
    refused = client.get(f"/w/{app_workshop.slug}/facilitate/hf1")
    assert refused.status_code in (401, 403)
    assert "<title>Kein Zugang – Zukunftskonferenz</title>" in refused.text
    english = client.get("/w/gibt-es-nicht", params={"lang": "en"})
    assert "<title>Not found – " in english.text
