"""Organizer sign-in: server-side sessions that end with logout, idleness or age; rate limits."""

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from app import access
from app.models import OrganizerSession, utcnow

PASSWORD = "ein langes Passwort"


@pytest.fixture
def organizer(app: FastAPI) -> FastAPI:
    with app.state.context.db.transaction() as session:
        access.set_organizer_password(session=session, password=PASSWORD)
    return app


def sign_in(client: TestClient) -> str:
    response = client.post("/admin/login", data={"password": PASSWORD})
    assert response.status_code == 303, response.text
    cookie: str = response.cookies["zk_organizer"]
    return cookie


def signed_in(app: FastAPI, cookie: str) -> bool:
    with TestClient(app, cookies={"zk_organizer": cookie}) as other:
        return "Abmelden" in other.get("/admin").text


def test_the_cookie_is_a_random_session_id(client: TestClient, organizer: FastAPI) -> None:
    cookie = sign_in(client)
    with organizer.state.context.db.session() as session:
        account = access.account_for_sign_in(session=session, name="")
        password_hash = account.password_hash if account else None
        rows = session.exec(select(OrganizerSession)).all()
    assert password_hash is not None
    assert password_hash[-16:] not in cookie and len(cookie) >= 40
    assert [row.token_hash for row in rows] != [cookie]  # only its hash is stored


def test_a_copied_cookie_dies_with_logout(client: TestClient, organizer: FastAPI) -> None:
    cookie = sign_in(client)
    assert signed_in(organizer, cookie)  # the copy works while the session lasts
    client.post("/admin/logout")
    assert not signed_in(organizer, cookie)


def test_sessions_end_when_idle_and_when_old(client: TestClient, organizer: FastAPI) -> None:
    idle, old = sign_in(client), sign_in(client)
    with organizer.state.context.db.transaction() as session:
        rows = session.exec(select(OrganizerSession).order_by(OrganizerSession.id)).all()
        rows[0].last_seen_at = utcnow() - access.ORGANIZER_IDLE - timedelta(minutes=1)
        rows[1].created_at = utcnow() - access.ORGANIZER_ABSOLUTE - timedelta(minutes=1)
        session.add_all(rows)
        session.commit()
    assert not signed_in(organizer, idle)
    assert not signed_in(organizer, old)


def test_use_keeps_a_session_alive(client: TestClient, organizer: FastAPI) -> None:
    cookie = sign_in(client)
    with organizer.state.context.db.transaction() as session:
        row = session.exec(select(OrganizerSession)).one()
        row.last_seen_at = utcnow() - access.ORGANIZER_IDLE + timedelta(minutes=5)
        session.add(row)
        session.commit()
    assert signed_in(organizer, cookie)
    with organizer.state.context.db.session() as session:
        seen = session.exec(select(OrganizerSession)).one().last_seen_at
    assert utcnow() - (seen if seen.tzinfo else seen.replace(tzinfo=utcnow().tzinfo)) < \
        timedelta(minutes=1)


def test_a_new_password_signs_everyone_out(client: TestClient, organizer: FastAPI) -> None:
    cookie = sign_in(client)
    with organizer.state.context.db.transaction() as session:
        access.set_organizer_password(session=session, password="ein ganz anderes Passwort")
    assert not signed_in(organizer, cookie)


def test_sign_ins_are_limited_per_address(client: TestClient, organizer: FastAPI) -> None:
    for _ in range(5):
        assert client.post("/admin/login", data={"password": "falsch"}).status_code == 401
    limited = client.post("/admin/login", data={"password": PASSWORD})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert "Zu viele Anmeldeversuche" in limited.text
    other = client.post("/admin/login", data={"password": PASSWORD},
                        headers={"X-Forwarded-For": "203.0.113.9"})
    assert other.status_code == 429  # the test client's address is not a trusted proxy


def test_an_organizer_posting_through_the_api_with_a_stale_session_does_not_stall(
        client: TestClient, organizer: FastAPI, auth) -> None:  # type: ignore[no-untyped-def]
    """The organizer's cookie is noted as used (a write) also while the request itself writes –
    inside its write, not in a second one that would wait for the writer the first holds."""
    import threading

    sign_in(client)
    with organizer.state.context.db.transaction() as session:
        for row in session.exec(select(OrganizerSession)):
            row.last_seen_at = utcnow() - timedelta(minutes=5)  # due for its touch
            session.add(row)
        session.commit()
    slug = auth.workshop.slug

    def calls() -> list[int]:
        posted = client.post(f"/api/v1/workshops/{slug}/cards",
                             json={"field": "hf1", "category": "ideas", "text": "Vom Büro"})
        card_id = posted.json()["id"]
        with organizer.state.context.db.transaction() as session:
            for row in session.exec(select(OrganizerSession)):
                row.last_seen_at = utcnow() - timedelta(minutes=5)
                session.add(row)
            session.commit()
        edited = client.patch(f"/api/v1/workshops/{slug}/cards/{card_id}",
                              json={"text": "Vom Büro, geändert"})
        return [posted.status_code, edited.status_code]

    result: list[list[int]] = []
    # A daemon thread: if the write waited for itself, the test fails instead of hanging.
    worker = threading.Thread(target=lambda: result.append(calls()), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert result == [[201, 200]], "the organizer's write waited for itself"
    with organizer.state.context.db.session() as session:
        [row] = session.exec(select(OrganizerSession)).all()
        assert utcnow() - row.last_seen_at.replace(tzinfo=utcnow().tzinfo) < timedelta(minutes=1)
