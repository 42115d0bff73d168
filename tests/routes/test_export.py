"""Downloads of the documentation: formats, options, and who may download."""

import io

from docx import Document
from fastapi.testclient import TestClient

from tests.conftest import AuthActions


def test_facilitator_downloads_every_format(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    client.post(f"/api/v1/workshops/{slug}/cards", headers=auth.participant_headers(),
                json={"field": "hf1", "category": "ideas", "text": "Bürgerbus"})
    auth.facilitate_in_browser()
    assert client.get(f"/w/{slug}/export").status_code == 200
    expected = {"docx": b"PK", "pdf": b"%PDF", "html": b"<!doctype html>", "md": b"# ",
                "json": b"{", "csv": b"PK", "xlsx": b"PK"}
    for fmt, start in expected.items():
        response = client.get(f"/w/{slug}/export/{fmt}")
        assert response.status_code == 200, fmt
        assert response.content.startswith(start), fmt
        assert response.headers["content-disposition"] == (
            f'attachment; filename="ergebnisdokumentation-{slug}.{"zip" if fmt == "csv" else fmt}"')
    without = client.get(f"/w/{slug}/export/docx", params={"plenary": "false"})
    headings = [p.text for p in Document(io.BytesIO(without.content)).paragraphs]
    assert "Ergebnisse der Diskussionsrunde im Plenum" not in headings
    assert client.get(f"/w/{slug}/export/exe").status_code == 422


def test_participants_cannot_download(client: TestClient, auth: AuthActions) -> None:
    auth.join_in_browser()
    assert client.get(f"/w/{auth.workshop.slug}/export/pdf").status_code == 403
