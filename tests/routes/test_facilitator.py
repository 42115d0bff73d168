"""Facilitator access and the workshop console: links, rotation, organizer, phases, timer."""

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app import access
from tests.conftest import AuthActions


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_link_signs_in_and_removes_token_from_address(client: TestClient,
                                                     auth: AuthActions) -> None:
    slug = auth.workshop.slug
    response = client.get(f"/w/{slug}/facilitate", params={"token": auth.facilitator_token()})
    assert response.status_code == 303 and response.headers["location"] == f"/w/{slug}/facilitate"
    page = soup(client.get(f"/w/{slug}/facilitate").text)
    assert page.select_one("h1").text.startswith("Moderation")
    pressed = page.select_one("button[aria-pressed=true][name=phase]")
    assert pressed["value"] == "working"
    rows = [th.get_text(" ", strip=True) for th in page.select(".console-table tbody th")]
    assert rows[0] == "HF 1 Gutes Leben in der Region"


def test_participants_and_strangers_are_refused(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    assert client.get(f"/w/{slug}/facilitate").status_code == 403
    wrong = client.get(f"/w/{slug}/facilitate", params={"token": "geraten"})
    assert wrong.status_code == 403
    assert "ungültig oder veraltet" in soup(wrong.text).select_one("[role=alert]").text
    auth.join_in_browser()
    response = client.post(f"/w/{slug}/facilitate/switch", data={"what": "posting",
                                                                 "open": "false"})
    assert response.status_code == 403
    assert "Moderation vorbehalten" in soup(response.text).select_one("[role=alert]").text
    assert client.get(f"/api/v1/workshops/{slug}").json()["posting_open"] is True


def _card(client: TestClient, auth: AuthActions) -> int:
    response = client.post(f"/api/v1/workshops/{auth.workshop.slug}/cards",
                           headers=auth.facilitator_headers(),
                           json={"field": "hf1", "category": "ideas", "text": "x"})
    card_id: int = response.json()["id"]
    return card_id


ROUTES = [
    ("get", "/facilitate", None),
    ("post", "/facilitate/phase", {"phase": "plenary"}),
    ("post", "/facilitate/timer", {"action": "start", "minutes": "5"}),
    ("post", "/facilitate/switch", {"what": "posting", "open": "false"}),
    ("post", "/facilitate/links", {"action": "create", "label": "Tisch"}),
    ("get", "/facilitate/hf1", None),
    ("get", "/facilitate/hf1/cards", None),
    ("post", "/facilitate/hf1/act", {"op": "hide:{card}"}),
    ("post", "/facilitate/hf1/undo", {}),
    ("post", "/facilitate/hf1/bulk", {"text": "S: x", "save": "true"}),
]
API_ROUTES = [
    ("put", "/posting", {"open": False}),
    ("put", "/fields/hf1/posting", {"open": False}),
    ("post", "/moderation", {"action": "hide", "card_ids": ["{card}"]}),
    ("post", "/moderation/undo", None),
    ("post", "/bulk", {"field": "hf1", "text": "S: x"}),
    ("put", "/phase", {"phase": "plenary"}),
    ("put", "/timer", {"action": "start", "minutes": 5}),
]


def _fill(data, card: int):  # type: ignore[no-untyped-def]
    if isinstance(data, dict):
        return {k: _fill(v, card) for k, v in data.items()}
    if isinstance(data, list):
        return [_fill(v, card) for v in data]
    if data == "{card}":
        return card
    return data.replace("{card}", str(card)) if isinstance(data, str) else data


@pytest.mark.parametrize(("method", "path", "data"), ROUTES)
def test_every_console_route_refuses_participants(client: TestClient, auth: AuthActions,
                                                  method: str, path: str, data) -> None:  # type: ignore[no-untyped-def]
    card = _card(client, auth)
    auth.join_in_browser()
    url = f"/w/{auth.workshop.slug}{path}"
    kwargs = {"data": _fill(data, card)} if method == "post" else {}
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 403, url
    assert client.get(f"/api/v1/workshops/{auth.workshop.slug}/cards").json()[0]["id"] == card


@pytest.mark.parametrize(("method", "path", "data"), API_ROUTES)
def test_every_facilitator_api_call_refuses_others(client: TestClient, auth: AuthActions,
                                                   app, method: str, path: str, data) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_workshop

    card = _card(client, auth)
    url = f"/api/v1/workshops/{auth.workshop.slug}{path}"
    body = _fill(data, card)
    with app.state.context.db.transaction() as session:
        other = make_workshop(session)
    other_token = app.state.context.tokens.facilitator_token(other)
    for headers, status in [(auth.participant_headers(), 403), ({}, 401),
                            ({"Authorization": f"Bearer {other_token}"}, 403)]:
        response = client.request(method, url, json=body, headers=headers)
        assert response.status_code == status, (url, headers, response.text)
        assert "detail" in response.json()
    response = client.request(method, url, json=body, headers=auth.facilitator_headers())
    assert response.status_code in (200, 409), response.text  # 409: nothing to undo yet


def test_rotating_the_main_link_locks_out_the_old_one(client: TestClient, auth: AuthActions,
                                                      app) -> None:  # type: ignore[no-untyped-def]
    slug = auth.workshop.slug
    old = auth.facilitator_token()
    auth.facilitate_in_browser()
    response = client.post(f"/w/{slug}/facilitate/links", data={"action": "rotate"})
    assert response.status_code == 303
    assert client.get(f"/w/{slug}/facilitate").status_code == 200, "this browser stays in"
    assert client.get(f"/w/{slug}/facilitate", params={"token": old}).status_code == 403
    api = client.put(f"/api/v1/workshops/{slug}/posting", json={"open": False},
                     headers={"Authorization": f"Bearer {old}"})
    assert api.status_code == 403
    with app.state.context.db.session() as session:
        fresh = session.get(type(auth.workshop), auth.workshop.id)
    new = app.state.context.tokens.facilitator_token(fresh)
    assert new != old
    assert client.put(f"/api/v1/workshops/{slug}/posting", json={"open": False},
                      headers={"Authorization": f"Bearer {new}"}).status_code == 200


def test_table_link_is_limited_to_its_field(client: TestClient, auth: AuthActions,
                                            app) -> None:  # type: ignore[no-untyped-def]
    slug = auth.workshop.slug
    auth.facilitate_in_browser()
    client.post(f"/w/{slug}/facilitate/links",
                data={"action": "create", "label": "Tisch 2", "field": "hf2"})
    page = soup(client.get(f"/w/{slug}/facilitate").text)
    row = next(tr for tr in page.select(".console-table tr") if "Tisch 2" in tr.text)
    url = row.select_one("input.link-field")["value"]
    token = url.split("token=")[1]
    with TestClient(app, follow_redirects=False) as table:
        response = table.get(f"/w/{slug}/facilitate", params={"token": token})
        assert response.headers["location"] == f"/w/{slug}/facilitate/hf2"
        assert table.get(f"/w/{slug}/facilitate").status_code == 303  # to its own field
        assert table.get(f"/w/{slug}/facilitate/hf2").status_code == 200
        assert table.get(f"/w/{slug}/facilitate/hf1").status_code == 403
        assert table.post(f"/w/{slug}/facilitate/phase",
                          data={"phase": "closing"}).status_code == 403
        headers = {"Authorization": f"Bearer {token}"}
        card = client.post(f"/api/v1/workshops/{slug}/cards", headers=auth.facilitator_headers(),
                           json={"field": "hf1", "category": "ideas", "text": "x"}).json()
        moved = table.post(f"/api/v1/workshops/{slug}/moderation", headers=headers,
                           json={"action": "hide", "card_ids": [card["id"]]})
        assert moved.status_code == 403
        # Revoked: the link stops working at once.
        link_id = int(token[1:].split(".")[0])
        client.post(f"/w/{slug}/facilitate/links", data={"action": "revoke", "link": link_id})
        assert table.get(f"/w/{slug}/facilitate/hf2").status_code == 403


def test_organizer_password_reaches_every_workshop(client: TestClient, auth: AuthActions,
                                                   app) -> None:  # type: ignore[no-untyped-def]
    slug = auth.workshop.slug
    page = soup(client.get("/admin").text)
    assert "zukunft admin set-password" in page.text
    with app.state.context.db.transaction() as session:
        access.set_organizer_password(session=session, password="ein langes Passwort")
    wrong = client.post("/admin/login", data={"password": "falsch"})
    assert wrong.status_code == 401
    assert "stimmt nicht" in soup(wrong.text).select_one("[role=alert]").text
    assert client.post("/admin/login",
                       data={"password": "ein langes Passwort"}).status_code == 303
    listing = soup(client.get("/admin").text)
    assert f"/w/{slug}/facilitate" in [a["href"] for a in listing.select("a")]
    assert client.get(f"/w/{slug}/facilitate").status_code == 200
    # A new password ends the session.
    with app.state.context.db.transaction() as session:
        access.set_organizer_password(session=session, password="noch ein anderes")
    assert client.get(f"/w/{slug}/facilitate").status_code == 403


def test_phase_round_timer_and_switches(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    auth.facilitate_in_browser()
    client.post(f"/w/{slug}/facilitate/phase", data={"phase": "plenary"})
    data = client.get(f"/api/v1/workshops/{slug}").json()
    assert data["posting_open"] is False
    client.post(f"/w/{slug}/facilitate/phase", data={"round": "2"})
    bad = client.post(f"/w/{slug}/facilitate/phase", data={"round": "7"})
    assert bad.status_code == 422
    assert "Runde 7 gibt es nicht" in soup(bad.text).select_one("[role=alert]").text
    htmx = client.post(f"/w/{slug}/facilitate/timer", headers={"HX-Request": "true"},
                       data={"action": "start", "minutes": "12,5"})
    fragment = soup(htmx.text)
    assert fragment.select_one("div#controls [data-timer][data-ends-at]") is not None
    absurd = client.post(f"/w/{slug}/facilitate/timer", data={"action": "start",
                                                              "minutes": "-3"})
    assert absurd.status_code == 422
    assert client.post(f"/w/{slug}/facilitate/timer",
                       data={"action": "start", "minutes": "bald"}).status_code == 422
    client.post(f"/w/{slug}/facilitate/phase", data={"phase": "working"})
    client.post(f"/w/{slug}/facilitate/switch", data={"what": "premoderation", "open": "true"})
    client.post(f"/w/{slug}/facilitate/switch",
                data={"what": "posting", "field": "hf2", "open": "false"})
    page = soup(client.get(f"/w/{slug}/facilitate").text)
    assert "Vorab-Moderation: an" in page.text
    auth.join_in_browser()
    closed = client.post(f"/w/{slug}/me/hf2", data={"category": "ideas", "text": "x"})
    assert closed.status_code == 409
    assert "diesem Handlungsfeld" in soup(closed.text).select_one("[role=alert]").text
