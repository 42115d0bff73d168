"""The JSON API: join → post → list, and every bad input with its status and German detail."""

from fastapi.testclient import TestClient

from tests.conftest import AuthActions


def test_join_post_list(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    headers = auth.participant_headers("Anna")
    body = {"field": "hf1", "category": "strengths", "text": "Vereinskultur"}
    response = client.post(f"/api/v1/workshops/{slug}/cards", json=body, headers=headers)
    assert response.status_code == 201
    card = response.json()
    assert card["text"] == "Vereinskultur" and card["field"] == "hf1"
    listed = client.get(f"/api/v1/workshops/{slug}/cards").json()
    assert [c["id"] for c in listed] == [card["id"]]
    assert client.get(f"/api/v1/workshops/{slug}/cards", params={"field": "hf2"}).json() == []


def test_workshop_structure(client: TestClient, auth: AuthActions) -> None:
    data = client.get(f"/api/v1/workshops/{auth.workshop.slug}").json()
    assert [f["number"] for f in data["fields"]] == ["HF 1", "HF 2", "HF 3", "HF 4", "HF 5"]
    assert [s["key"] for s in data["fields"][3]["subfields"]] == ["hf4a", "hf4b"]
    assert data["fields"][0]["themes"][0] == {"text": "Wohnen & Arbeiten", "kind": "lag"}
    assert [c["key"] for c in data["categories"]] == [
        "strengths", "weaknesses", "potentials", "ideas"]
    assert data["statement_stem"] == (
        "Mit diesem Handlungsfeld wollen wir für den Westharz erreichen, dass …")


def test_client_id_makes_retries_idempotent(client: TestClient, auth: AuthActions) -> None:
    url = f"/api/v1/workshops/{auth.workshop.slug}/cards"
    headers = auth.participant_headers()
    body = {"field": "hf1", "category": "ideas", "text": "Bahn", "client_id": "abc-1"}
    first = client.post(url, json=body, headers=headers)
    second = client.post(url, json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert len(client.get(url).json()) == 1


def test_facilitator_token_can_post(client: TestClient, auth: AuthActions) -> None:
    url = f"/api/v1/workshops/{auth.workshop.slug}/cards"
    body = {"field": "hf2", "category": "ideas", "text": "Vom Flipchart"}
    response = client.post(url, json=body, headers=auth.facilitator_headers())
    assert response.status_code == 201


def test_edit_and_delete_only_own_cards(client: TestClient, auth: AuthActions) -> None:
    url = f"/api/v1/workshops/{auth.workshop.slug}/cards"
    owner, stranger = auth.participant_headers(), auth.participant_headers()
    card = client.post(url, json={"field": "hf1", "category": "ideas", "text": "A"},
                       headers=owner).json()
    refused = client.patch(f"{url}/{card['id']}", json={"text": "B"}, headers=stranger)
    assert refused.status_code == 403
    assert "eigenen Karten" in refused.json()["detail"]
    assert client.delete(f"{url}/{card['id']}", headers=stranger).status_code == 403
    edited = client.patch(f"{url}/{card['id']}", json={"text": "B", "category": "potentials"},
                          headers=owner)
    assert edited.status_code == 200 and edited.json()["category"] == "potentials"
    assert client.delete(f"{url}/{card['id']}", headers=owner).status_code == 204
    assert client.get(url).json() == []
    assert client.delete(f"{url}/{card['id']}", headers=owner).status_code == 404


def test_posting_closed_and_reopened_by_facilitator(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    participant = auth.participant_headers()
    assert client.put(f"/api/v1/workshops/{slug}/posting", json={"open": False},
                      headers=participant).status_code == 403
    assert client.put(f"/api/v1/workshops/{slug}/posting", json={"open": False}).status_code == 401
    closed = client.put(f"/api/v1/workshops/{slug}/posting", json={"open": False},
                        headers=auth.facilitator_headers())
    assert closed.json() == {"posting_open": False}
    response = client.post(f"/api/v1/workshops/{slug}/cards", headers=participant,
                           json={"field": "hf1", "category": "ideas", "text": "zu spät"})
    assert response.status_code == 409
    assert response.json()["detail"] == "Das Schreiben von Karten ist gerade geschlossen."
    client.put(f"/api/v1/workshops/{slug}/posting", json={"open": True},
               headers=auth.facilitator_headers())
    assert client.post(f"/api/v1/workshops/{slug}/cards", headers=participant,
                       json={"field": "hf1", "category": "ideas", "text": "ok"}).status_code == 201


def test_bad_inputs_get_status_and_german_detail(client: TestClient, auth: AuthActions) -> None:
    url = f"/api/v1/workshops/{auth.workshop.slug}/cards"
    headers = auth.participant_headers()
    ok = {"field": "hf1", "category": "ideas", "text": "ok"}
    cases = [
        ({**ok, "text": "  "}, headers, 422, "Bitte schreiben Sie einen Text"),
        ({**ok, "text": "x" * 501}, headers, 422, "höchstens 500"),
        ({**ok, "field": "hf99"}, headers, 422, "Handlungsfeld „hf99“"),
        ({**ok, "category": "x"}, headers, 422, "Kategorie „x“"),
        ({"text": "ohne Feld"}, headers, 422, "field: fehlt"),
        ({**ok, "text": 7}, headers, 422, "text: muss ein Text in Anführungszeichen sein"),
        ({**ok, "field": "f" * 41}, headers, 422, "field: ist zu lang (höchstens 40 Zeichen)"),
        (ok, {}, 401, "Bearer"),
        (ok, {"Authorization": "Bearer falsch"}, 401, "Bearer"),
        (ok, {"Authorization": "Basic abc"}, 401, "Bearer"),
    ]
    for body, hdrs, status, detail in cases:
        response = client.post(url, json=body, headers=hdrs)
        assert response.status_code == status, (body, response.text)
        assert detail in response.json()["detail"], response.text
        assert "should" not in response.json()["detail"]  # plain German, not pydantic's English
    assert client.get(url).json() == []


def test_malformed_json_and_oversized_body(client: TestClient, auth: AuthActions) -> None:
    url = f"/api/v1/workshops/{auth.workshop.slug}/cards"
    headers = {**auth.participant_headers(), "Content-Type": "application/json"}
    broken = client.post(url, content=b'{"field": "hf1", ', headers=headers)
    assert broken.status_code == 400
    assert broken.json() == {"detail": "Der Inhalt ist kein gültiges JSON."}
    huge = client.post(url, content=b"x" * (17 * 1024), headers=headers)
    assert huge.status_code == 413
    assert "zu groß" in huge.json()["detail"] and "16 KB" in huge.json()["detail"]
    english = client.post(url, params={"lang": "en"}, content=b"x" * (17 * 1024),
                          headers=headers)
    assert english.status_code == 413 and "too large" in english.json()["detail"]

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b" " * 1024

    streamed = client.post(url, content=chunks(), headers=headers)
    assert streamed.status_code == 413


def test_join_errors(client: TestClient, auth: AuthActions) -> None:
    unknown = client.post("/api/v1/join", json={"code": "QQQQQQ"})
    assert unknown.status_code == 404 and "kennen wir nicht" in unknown.json()["detail"]
    long_name = client.post("/api/v1/join", json={"code": auth.workshop.join_code,
                                                  "name": "x" * 41})
    assert long_name.status_code == 422 and "höchstens 40" in long_name.json()["detail"]
    assert client.post("/api/v1/join", json={}).status_code == 422


def test_unknown_workshop_and_route_are_json_404(client: TestClient) -> None:
    missing = client.get("/api/v1/workshops/nope")
    assert missing.status_code == 404 and "gibt es nicht" in missing.json()["detail"]
    assert client.get("/api/v1/nothing-here").json()["detail"].startswith("Diese Seite gibt es")


def test_token_of_other_workshop_is_refused(client: TestClient, auth: AuthActions, app) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_workshop

    with app.state.context.db.transaction() as session:
        other = make_workshop(session)
    other_facilitator = app.state.context.tokens.facilitator_token(other)
    response = client.put(f"/api/v1/workshops/{auth.workshop.slug}/posting", json={"open": False},
                          headers={"Authorization": f"Bearer {other_facilitator}"})
    assert response.status_code == 403
    joined = client.post("/api/v1/join", json={"code": other.join_code}).json()
    response = client.post(f"/api/v1/workshops/{auth.workshop.slug}/cards",
                           json={"field": "hf1", "category": "ideas", "text": "x"},
                           headers={"Authorization": f"Bearer {joined['participant_token']}"})
    assert response.status_code == 401


def test_openapi_schema_describes_the_contract(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/join", "/api/v1/workshops/{slug}", "/api/v1/workshops/{slug}/cards",
                 "/api/v1/workshops/{slug}/events"):
        assert path in paths


def test_joining_again_with_the_token_keeps_the_participant(client: TestClient,
                                                            auth: AuthActions) -> None:
    headers = auth.participant_headers()
    again = client.post("/api/v1/join", json={"code": auth.workshop.join_code}, headers=headers)
    assert again.status_code == 200
    assert again.json()["participant_token"] == headers["Authorization"].split()[1]
    fresh = client.post("/api/v1/join", json={"code": auth.workshop.join_code})
    assert fresh.status_code == 201 and fresh.json()["participant_token"] != again.json()[
        "participant_token"]


def test_public_json_names_nobody(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    anna, ben = auth.participant_headers("Anna"), auth.participant_headers("Ben")
    client.post(f"/api/v1/workshops/{slug}/cards", headers=anna,
                json={"field": "hf1", "category": "ideas", "text": "Radweg"})
    proposal = client.post(f"/api/v1/workshops/{slug}/fields/hf1/statement/proposals",
                           headers=anna, json={"text": "alle mitreden"}).json()
    assert proposal["proposals"][0] == {"id": proposal["proposals"][0]["id"],
                                        "text": "alle mitreden", "support": 0, "mine": True,
                                        "supported": False}
    proposal_id = proposal["proposals"][0]["id"]
    supported = client.post(f"/api/v1/workshops/{slug}/statement-proposals/{proposal_id}/support",
                            headers=ben).json()["proposals"][0]
    assert (supported["support"], supported["mine"], supported["supported"]) == (1, False, True)
    again = client.post(f"/api/v1/workshops/{slug}/statement-proposals/{proposal_id}/support",
                        headers=ben)
    assert again.status_code == 409 and "schon" in again.json()["detail"]  # the API says so
    public_ids = {auth.app.state.context.tokens.participant_public_id(h["Authorization"][7:])
                  for h in (anna, ben)}
    for answer in (client.get(f"/api/v1/workshops/{slug}/cards"),
                   client.get(f"/api/v1/workshops/{slug}/fields/hf1/statement"),
                   client.get(f"/api/v1/workshops/{slug}/fields/hf1/statement", headers=ben)):
        assert answer.status_code == 200
        assert not any(public_id in answer.text for public_id in public_ids)
        assert "author" not in answer.text and "supporters" not in answer.text
    mine = client.get(f"/api/v1/workshops/{slug}/fields/hf1/statement", headers=ben).json()
    assert mine["proposals"][0]["supported"] is True


def test_a_refused_round_changes_no_phase_either(client: TestClient, auth: AuthActions) -> None:
    url = f"/api/v1/workshops/{auth.workshop.slug}/phase"
    refused = client.put(url, json={"phase": "plenary", "round": 99},
                         headers=auth.facilitator_headers())
    assert refused.status_code == 422 and "Runde 99" in refused.json()["detail"]
    from app.models import Workshop
    with auth.app.state.context.db.session() as session:
        stored = session.get(Workshop, auth.workshop.id)
        assert stored is not None and stored.phase != "plenary"
