"""No request crashes the server: unexpected errors become a German page or JSON, no trace."""

from fastapi import FastAPI
from fastapi.testclient import TestClient


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
