"""Security: headers, cross-site posts, rate limits, token strength, and escaping everywhere."""

import re

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from app.auth import Tokens
from app.config import Settings
from app.main import create_app
from app.ratelimit import RateLimiter
from app.text import clean_text
from app.workshops import JOIN_CODE_ALPHABET
from tests.conftest import SECRET, AuthActions


def test_security_headers_on_pages_and_api(client: TestClient) -> None:
    for url in ("/", "/api/v1/openapi.json", "/static/css/app.css"):
        headers = client.get(url).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-eval'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_no_inline_scripts_anywhere(client: TestClient, auth: AuthActions) -> None:
    auth.facilitate_in_browser()
    slug = auth.workshop.slug
    for url in ("/", f"/w/{slug}", f"/w/{slug}/board/hf1", f"/w/{slug}/plenary",
                f"/w/{slug}/facilitate", f"/w/{slug}/facilitate/hf1", f"/w/{slug}/surveys",
                f"/w/{slug}/plenary/moderate", f"/w/{slug}/export"):
        page = BeautifulSoup(client.get(url).text, "html.parser")
        assert all(s.get("src", "").startswith("/static/") for s in page.select("script")), url
        handlers = [a for tag in page.find_all(True) for a in tag.attrs if a.startswith("on")]
        assert handlers == [], url


def test_cross_site_posts_are_refused(client: TestClient, auth: AuthActions) -> None:
    code = auth.workshop.join_code
    forged = client.post(f"/j/{code}", headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and "anderen Seite" in forged.text
    referer = client.post(f"/j/{code}", headers={"Referer": "https://evil.example/x"})
    assert referer.status_code == 403
    same = client.post(f"/j/{code}", headers={"Origin": "http://testserver"})
    assert same.status_code == 303
    assert client.post(f"/j/{code}").status_code == 303  # no browser context: nothing forged
    for broken in ("http://[", "https://[x/", "http://]::1["):  # not even an address
        assert client.post(f"/j/{code}", headers={"Origin": broken}).status_code == 403
        assert client.post("/api/v1/join", json={"code": code},
                           headers={"Referer": broken}).status_code == 403


def test_cookies_are_http_only_and_lax(client: TestClient, auth: AuthActions) -> None:
    response = client.post(f"/j/{auth.workshop.join_code}")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_card_rate_limit_says_when_to_retry(tmp_path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path, database_url=db_url, secret_key=SECRET,
                        cards_per_minute=3, base_url="http://testserver")
    app = create_app(settings, upgrade=False)
    with TestClient(app) as client:
        from tests.factories import make_workshop

        with app.state.context.db.transaction() as session:
            workshop = make_workshop(session)
        token = client.post("/api/v1/join", json={"code": workshop.join_code}).json()[
            "participant_token"]
        headers = {"Authorization": f"Bearer {token}"}
        url = f"/api/v1/workshops/{workshop.slug}/cards"
        body = {"field": "hf1", "category": "ideas", "text": "x"}
        for n in range(3):
            assert client.post(url, headers=headers, json={**body, "client_id": f"c{n}"}
                               ).status_code == 201
        again = client.post(url, headers=headers, json={**body, "client_id": "c0"})
        assert again.status_code == 200, "a retry of a stored card is not a new card"
        limited = client.post(url, headers=headers, json={**body, "client_id": "c9"})
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert re.search(r"Bitte warten Sie \d+ Sekunden", limited.json()["detail"])
        stored = client.get(url).json()
        assert len(stored) == 3, "the refused card is not stored"


def test_rate_limiter_window() -> None:
    limiter = RateLimiter(2, 60)
    assert limiter.hit("a", now=0) is None and limiter.hit("a", now=1) is None
    assert limiter.hit("a", now=2) == 58
    assert limiter.hit("b", now=2) is None
    assert limiter.hit("a", now=61) is None


def test_tokens_are_long_and_codes_unambiguous(client: TestClient, auth: AuthActions) -> None:
    token = Tokens(SECRET).facilitator_token(auth.workshop)
    assert len(token) >= 32  # 24 random-looking bytes, base64: 192 bits
    assert not set("01OIl") & set(JOIN_CODE_ALPHABET)
    participant = auth.participant_token()
    public_id = participant.split(".")[0]
    assert len(public_id) >= 16  # 12 random bytes: 96 bits, plus the signature


XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
       "<a href=\"javascript:alert(1)\">x</a>", "<svg onload=alert(1)>",
       "\"><b onmouseover=alert(1)>", "</textarea><script>alert(1)</script>",
       "{{ 7*7 }}", "\u202eevil"]


def test_stored_xss_corpus_is_escaped_everywhere(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    facilitator = auth.facilitator_headers()
    people = [auth.participant_headers(name="<b>Name</b>") for _ in XSS]
    for payload, headers in zip(XSS, people, strict=True):  # working phase
        assert client.post(f"/api/v1/workshops/{slug}/cards", headers=headers, json={
            "field": "hf1", "category": "ideas", "text": payload}).status_code == 201
        assert client.post(f"/api/v1/workshops/{slug}/fields/hf1/statement/proposals",
                           headers=headers, json={"text": payload}).status_code == 201
    client.put(f"/api/v1/workshops/{slug}/phase", headers=facilitator,
               json={"phase": "plenary"})
    for payload, headers in zip(XSS, people, strict=True):
        assert client.post(f"/api/v1/workshops/{slug}/plenary/remarks", headers=headers,
                           json={"text": payload}).status_code == 201
        assert client.post(f"/api/v1/workshops/{slug}/plenary/proposals", headers=headers,
                           json={"field": "hf1", "text": payload[:120]}).status_code == 201
    auth.facilitate_in_browser()
    survey = client.get(f"/api/v1/workshops/{slug}/surveys").json()[0]
    free_text = [q["id"] for q in survey["questions"] if q["kind"] == "text"]
    assert free_text, "the demo survey has a free-text question"
    # The required questions get a valid answer; every free-text answer is the payload.
    required = {str(q["id"]): q["options"][0] if q["options"] else q["scale_min"]
                for q in survey["questions"] if q["required"] and q["kind"] != "text"}
    assert client.post(f"/w/{slug}/surveys", data={"op": f"open:{survey['id']}"}
                       ).status_code == 303
    for payload, headers in zip(XSS, people, strict=True):
        answered = client.post(f"/api/v1/workshops/{slug}/surveys/{survey['id']}/responses",
                               headers=headers,
                               json={"answers": {**required, **{str(q): payload
                                                                for q in free_text}}})
        assert answered.status_code == 201, answered.text
    pages = ["/w/{s}/board/hf1", "/w/{s}/plenary", "/w/{s}/facilitate/hf1",
             "/w/{s}/plenary/moderate", "/w/{s}/export/html", "/w/{s}/surveys",
             f"/w/{{s}}/survey/{survey['id']}", f"/w/{{s}}/survey/{survey['id']}/results"]
    for url in pages:
        html = client.get(url.format(s=slug)).text
        page = BeautifulSoup(html, "html.parser")
        scripts = [s for s in page.select("script") if not s.get("src", "").startswith("/static")]
        assert scripts == [], url
        assert not page.select("img[onerror], svg[onload], b[onmouseover]"), url
        assert not page.select("a[href^=javascript]"), url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert "{{ 7*7 }}" in page.text or "49" not in page.text


@given(st.text())
def test_clean_text_never_keeps_control_characters(value: str) -> None:
    cleaned = clean_text(value)
    assert cleaned == cleaned.strip()
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e]", cleaned)
    assert "\r" not in cleaned


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_api_with_bearer_token_and_foreign_origin_is_not_forgery(client: TestClient,
                                                                auth: AuthActions,
                                                                method: str) -> None:
    response = client.request(method, f"/api/v1/workshops/{auth.workshop.slug}/posting",
                              headers={**auth.facilitator_headers(), "Origin": "null"},
                              json={"open": True})
    assert response.status_code in (200, 405)
