"""The organizer's workshops through the API: tokens, create from TOML or JSON, read and
change the definition with If-Match, delete; refusals for everyone else."""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app import access
from tests.conftest import AuthActions
from tests.factories import WESTHARZ


def make_token(app: FastAPI, name: str = "admin", label: str = "Auswertung") -> str:
    with app.state.context.db.transaction() as session:
        account = access.set_organizer_password(session=session, name=name,
                                                password="ein langes Passwort")
        _row, secret = access.create_organizer_token(session=session, label=label,
                                                     organizer_id=account.id or 0)
    return secret


@pytest.fixture
def token(app: FastAPI) -> str:
    return make_token(app)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


TOML = {"Content-Type": "application/toml"}


def test_create_read_change_and_delete_a_workshop(client: TestClient, token: str) -> None:
    created = client.post("/api/v1/workshops", content=WESTHARZ.read_bytes(),
                          headers={**bearer(token), **TOML})
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    assert body["slug"] == "westharz" and body["state"] == "preparation"
    assert body["join_url"].endswith(f"/j/{body['join_code']}")
    listed = client.get("/api/v1/workshops", headers=bearer(token)).json()
    assert [w["slug"] for w in listed] == ["westharz"]
    url = "/api/v1/workshops/westharz/definition"
    toml = client.get(url, params={"format": "toml"}, headers=bearer(token))
    assert toml.headers["content-type"].startswith("application/toml")
    assert toml.headers["etag"] == '"1"' and 'key = "hf1"' in toml.text
    changed = toml.text.replace('title = "Zukunftskonferenz Westharz"',
                                'title = "Zukunftskonferenz Westharz 2026"', 1)
    saved = client.put(url, content=changed.encode(), headers={**bearer(token), **TOML,
                                                               "If-Match": '"1"'})
    assert saved.status_code == 200, saved.text
    assert saved.json()["definition_version"] == 2
    stale = client.put(url, content=changed.encode(), headers={**bearer(token), **TOML,
                                                               "If-Match": '"1"'})
    assert stale.status_code == 409 and "inzwischen geändert" in stale.json()["detail"]
    as_json = client.get(url, headers=bearer(token)).json()
    assert as_json["title"] == "Zukunftskonferenz Westharz 2026"
    again = client.post("/api/v1/workshops", json={**as_json, "title": "Kopie"},
                        headers=bearer(token))
    assert again.status_code == 201 and again.json()["slug"] == "westharz-2"
    assert client.delete("/api/v1/workshops/westharz-2", headers=bearer(token)).status_code == 204
    assert client.get("/api/v1/workshops/westharz-2").status_code == 404


def test_a_bad_definition_lists_every_problem_and_saves_nothing(client: TestClient,
                                                                token: str) -> None:
    broken = b'title = "x"\n[[fields]]\nkey = "HF 1"\ntitle = ""\n'
    response = client.post("/api/v1/workshops", content=broken,
                           headers={**bearer(token), **TOML})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "region: fehlt" in detail and "fields[0].key" in detail and "fields[0].title" in detail
    assert client.get("/api/v1/workshops", headers=bearer(token)).json() == []


def test_a_live_workshop_is_not_deleted(client: TestClient, token: str,
                                        auth: AuthActions) -> None:
    auth.participant_token()
    slug = auth.workshop.slug
    refused = client.delete(f"/api/v1/workshops/{slug}", headers=bearer(token))
    assert refused.status_code == 409 and "läuft noch" in refused.json()["detail"]


def test_only_the_organizer_gets_in(client: TestClient, token: str, auth: AuthActions,
                                    app: FastAPI) -> None:
    slug = auth.workshop.slug
    calls = [("get", "/api/v1/workshops"), ("post", "/api/v1/workshops"),
             ("get", f"/api/v1/workshops/{slug}/definition"),
             ("put", f"/api/v1/workshops/{slug}/definition"),
             ("delete", f"/api/v1/workshops/{slug}")]
    with app.state.context.db.transaction() as session:
        [account] = access.accounts(session=session)
        revoked, old = access.create_organizer_token(session=session, label="alt",
                                                     organizer_id=account.id or 0)
        access.revoke_organizer_token(session=session, token_id=revoked.id or 0,
                                      organizer_id=account.id or 0)
    others = {"nobody": ({}, 401), "participant": (auth.participant_headers(), 403),
              "facilitator": (auth.facilitator_headers(), 403), "revoked": (bearer(old), 403),
              "made up": (bearer("zko_" + "x" * 43), 403)}
    for name, (headers, status) in others.items():
        for method, url in calls:
            response = client.request(method, url, headers=headers)
            assert response.status_code == status, (name, method, url, response.text)
    assert client.get(f"/api/v1/workshops/{slug}").status_code == 200  # its public part stays


def test_tokens_are_shown_once_and_stored_hashed(app: FastAPI, token: str) -> None:
    with app.state.context.db.session() as session:
        [account] = access.accounts(session=session)
        [row] = access.organizer_tokens(session=session, organizer_id=account.id or 0)
        assert row.token_hash != token and token not in row.token_hash
        assert access.organizer_token_valid(session=session, token=token)


def test_an_organizer_sees_and_manages_only_their_workshops(client: TestClient, app: FastAPI,
                                                            token: str) -> None:
    """Two regions on one server: each account its own workshops; the admin all of them."""
    with app.state.context.db.transaction() as session:
        admin = access.accounts(session=session)[0]
        access.create_account(session=session, name="Vogelsberg", password="ein langes Passwort",
                              is_admin=False)
    other = make_token(app, name="Vogelsberg", label="Skript")
    mine = client.post("/api/v1/workshops", content=WESTHARZ.read_bytes(),
                       headers={**bearer(other), **TOML}).json()["slug"]
    theirs = client.post("/api/v1/workshops", content=WESTHARZ.read_bytes(),
                         headers={**bearer(token), **TOML}).json()["slug"]
    listed = [w["slug"] for w in client.get("/api/v1/workshops", headers=bearer(other)).json()]
    assert listed == [mine]
    assert {w["slug"] for w in client.get("/api/v1/workshops", headers=bearer(token)).json()
            } == {mine, theirs}  # the admin
    for method in ("get", "put", "delete"):
        url = f"/api/v1/workshops/{theirs}" + ("" if method == "delete" else "/definition")
        response = client.request(method, url, headers={**bearer(other), **TOML})
        assert response.status_code == 403, (method, response.text)
    assert admin.is_admin
