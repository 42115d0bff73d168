"""Crafted inputs that once answered 500 with a traceback: each gets a 4xx with a message now,
on SQLite and PostgreSQL (where a NUL byte or a number beyond 32 bits fails in the driver)."""

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import AuthActions

HUGE = "9" * 30
NON_ASCII_DIGITS = "²³"  # digits to str.isdigit(), not to int()
SURROGATE = b'"\\ud800"'  # a lone UTF-16 surrogate, as only JSON can send it


def _json(template: str) -> dict[str, Any]:
    """A JSON body with a lone surrogate where the template says S."""
    return {"content": template.replace("S", SURROGATE.decode()).encode(),
            "headers": {"content-type": "application/json"}}


# (method, path, request arguments); {slug}, {code} and {survey} are filled in.
CRAFTED: list[tuple[str, str, dict[str, Any]]] = [
    # tokens
    ("GET", "/w/{slug}/facilitate", {"params": {"token": "x" * 150}}),
    ("GET", "/w/{slug}/facilitate", {"params": {"token": f"L{NON_ASCII_DIGITS}.abc"}}),
    ("GET", "/w/{slug}/facilitate", {"params": {"token": f"L{HUGE}.abc"}}),
    ("POST", "/api/v1/workshops/{slug}/moderation",
     {"json": {"action": "hide", "card_ids": [1]},
      "headers": {"Authorization": ("Bearer L" + NON_ASCII_DIGITS + ".x").encode()}}),
    ("POST", "/api/v1/workshops/{slug}/moderation",
     {"json": {"action": "hide", "card_ids": [1]},
      "headers": {"Authorization": "Bearer " + "L1." + "a" * 20000}}),
    ("PUT", "/api/v1/workshops/{slug}/posting",
     {"json": {"open": True}, "headers": {"Authorization": f"Bearer L{HUGE}.x"}}),
    # ids, in JSON bodies and forms
    ("POST", "/api/v1/workshops/{slug}/moderation",
     {"json": {"action": "hide", "card_ids": [int(HUGE)]}}),
    ("POST", "/api/v1/workshops/{slug}/plenary/dots", {"json": {"theme": int(HUGE)}}),
    ("POST", "/api/v1/workshops/{slug}/plenary/proposals",
     {"json": {"field": "hf1", "theme": int(HUGE)}}),
    ("POST", "/w/{slug}/facilitate/hf1/act", {"data": {"op": f"hide:{HUGE}"}}),
    ("POST", "/w/{slug}/facilitate/hf1/act", {"data": {"op": f"hide:{NON_ASCII_DIGITS}"}}),
    ("POST", "/w/{slug}/facilitate/hf1/act",
     {"data": {"op": "merge", "card_ids": [NON_ASCII_DIGITS, HUGE]}}),
    ("POST", "/w/{slug}/facilitate/hf1/statement", {"data": {"op": f"take:{NON_ASCII_DIGITS}"}}),
    ("POST", "/w/{slug}/facilitate/links", {"data": {"action": "revoke", "link": HUGE}}),
    ("POST", "/w/{slug}/facilitate/phase", {"data": {"round": HUGE}}),
    ("POST", "/w/{slug}/plenary/me/dots", {"data": {"theme": HUGE}}),
    ("POST", "/w/{slug}/plenary/me/dots", {"data": {"theme": NON_ASCII_DIGITS}}),
    ("POST", "/w/{slug}/plenary/moderate/act", {"data": {"op": f"accept:{NON_ASCII_DIGITS}"}}),
    ("POST", "/w/{slug}/plenary/moderate/act", {"data": {"op": "dots", "dots": "²",
                                                         "per_theme": HUGE}}),
    ("POST", "/w/{slug}/statement/hf1/support", {"data": {"proposal": HUGE}}),
    ("POST", "/w/{slug}/surveys", {"data": {"op": f"hide:{{survey}}-{HUGE}"}}),
    ("POST", "/w/{slug}/surveys", {"data": {"op": f"remove:{NON_ASCII_DIGITS}-1"}}),
    ("POST", "/w/{slug}/surveys/{survey}/me", {"data": {"q-1": NON_ASCII_DIGITS}}),
    ("POST", "/api/v1/workshops/{slug}/surveys/{survey}/responses",
     {"json": {"answers": {"1": NON_ASCII_DIGITS, HUGE: "x"}}}),
    # lone surrogates
    ("POST", "/api/v1/workshops/{slug}/cards", _json('{"field": "hf1", "category": "ideas", '
                                                     '"text": S}')),
    ("POST", "/api/v1/workshops/{slug}/cards", _json('{"field": S, "category": "ideas", '
                                                     '"text": "x"}')),
    ("POST", "/api/v1/join", _json('{"code": S}')),
    ("POST", "/api/v1/join", _json('{"code": "{code}", "name": S}')),
    ("POST", "/api/v1/workshops/{slug}/plenary/remarks", _json('{"text": S}')),
    # NUL bytes in slugs, keys, codes and texts
    ("GET", "/w/ab%00cd", {}),
    ("GET", "/api/v1/workshops/ab%00cd", {}),
    ("GET", "/w/{slug}/board/hf%001", {}),
    ("GET", "/j/AB%00CD", {}),
    ("POST", "/j/AB%00CD", {"data": {"name": "x"}}),
    ("GET", "/", {"params": {"code": "AB\0CD"}}),
    ("GET", "/api/v1/workshops/{slug}/cards", {"params": {"field": "hf\0"}}),
    ("POST", "/api/v1/join", {"json": {"code": "AB\0CD"}}),
    ("POST", "/api/v1/workshops/{slug}/cards",
     {"json": {"field": "hf1\0", "category": "ideas", "text": "x"}}),
    ("POST", "/api/v1/workshops/{slug}/cards",
     {"json": {"field": "hf1", "category": "id\0eas", "text": "x"}}),
    ("POST", "/api/v1/workshops/{slug}/cards",
     {"json": {"field": "hf1", "category": "ideas", "text": "a\0b", "client_id": "c\0"}}),
    ("POST", "/w/{slug}/facilitate/links", {"data": {"action": "create", "label": "Tisch\0 3",
                                                     "field": "hf\0"}}),
    ("POST", "/w/{slug}/surveys", {"data": {"op": "create", "title": "Um\0frage",
                                            "kind": "single", "text": "Fr\0age",
                                            "options": "a\0\nb"}}),
    ("POST", "/w/{slug}/facilitate/hf1/bulk", {"data": {"text": "S: ab\0c", "save": "true"}}),
    ("GET", "/w/{slug}/survey/{survey}/chart/1.svg", {"params": {"source": "a\0b"}}),
]


def test_no_crafted_input_gets_a_server_error(client: TestClient, auth: AuthActions) -> None:
    # Signed in as participant and facilitator at once, so requests reach the services.
    auth.join_in_browser()
    auth.facilitate_in_browser()
    client.headers["Authorization"] = f"Bearer {auth.facilitator_token()}"
    fill = {"slug": auth.workshop.slug, "code": auth.workshop.join_code, "survey": "1"}
    failures = []
    for method, path, template in CRAFTED:
        arguments = dict(template)
        if "content" in arguments:
            arguments["content"] = arguments["content"].replace(b"{code}", fill["code"].encode())
        if "data" in arguments:
            arguments["data"] = {k: v.replace("{survey}", "1") if isinstance(v, str) else v
                                 for k, v in arguments["data"].items()}
        response = client.request(method, path.format(**fill), **arguments)
        json_error = (path.startswith("/api/") and response.status_code >= 400 and response.headers
                      .get("content-type", "").startswith("application/json"))
        if (response.status_code >= 500 or "Traceback" in response.text
                or (json_error and not response.json().get("detail"))):
            failures.append(f"{method} {path} {template}: {response.status_code} "
                            f"{response.text[:200]}")
    assert not failures, "\n".join(failures)
