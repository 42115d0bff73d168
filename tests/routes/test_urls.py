"""The pages' addresses come from the route table (app.web.urls.path): every link, form and
stream on a page leads to a route of the app, with the method the page uses."""

from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Match, NoMatchFound, compile_path, replace_params

from app import access
from app.web.templating import Templates
from app.web.urls import path
from tests.conftest import AuthActions

# The attributes that hold an address, and the method that address is asked with.
METHODS = {"href": "GET", "src": "GET", "hx-get": "GET", "sse-connect": "GET",
           "data-reload": "GET", "hx-post": "POST"}


def addresses(html: str) -> set[tuple[str, str]]:
    """(method, path) of every address of the app on the page; the query left off."""
    found: set[tuple[str, str]] = set()
    for tag in BeautifulSoup(html, "html.parser").find_all(True):
        assert isinstance(tag, Tag)
        for attribute, value in tag.attrs.items():
            if attribute == "action":
                method = str(tag.get("method") or "get").upper()
            elif attribute in METHODS:
                method = METHODS[attribute]
            else:
                continue
            if isinstance(value, str) and value.startswith("/"):
                found.add((method, value.split("?", 1)[0]))
    return found


def served(app: FastAPI, method: str, address: str) -> bool:
    """Whether a route of the app takes this request, the method included."""
    for route in app.routes:
        scope: dict[str, Any] = {"type": "http", "method": method, "path": address,
                                 "root_path": "", "query_string": b"", "headers": []}
        if route.matches(scope)[0] == Match.FULL:
            return True
    return False


def pages(client: TestClient, auth: AuthActions) -> dict[str, str]:
    """A participant's and a facilitator's pages, with a card, a survey and links in them."""
    slug, code = auth.workshop.slug, auth.workshop.join_code
    shown: dict[str, str] = {}

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        shown[url] = response.text

    get("/")
    get(f"/j/{code}")
    auth.join_in_browser("Ana")
    assert client.post(f"/w/{slug}/me/hf1", data={"category": "ideas", "text": "Bahn",
                                                  "client_id": "u1"}).status_code == 303
    for url in (f"/w/{slug}/me", f"/w/{slug}/me/hf1", f"/w/{slug}", f"/w/{slug}/board/hf1",
                f"/w/{slug}/plenary"):
        get(url)
    card = client.get(f"/api/v1/workshops/{slug}/cards", params={"field": "hf1"}).json()[0]
    get(f"/w/{slug}/cards/{card['id']}/edit")
    auth.facilitate_in_browser()
    assert client.post(f"/w/{slug}/facilitate/links",
                       data={"action": "create", "label": "Tisch 3"}).status_code == 303
    assert client.post(f"/w/{slug}/surveys", data={"op": "open:1"}).status_code == 303
    for url in (f"/w/{slug}/facilitate", f"/w/{slug}/facilitate/hf1",
                f"/w/{slug}/facilitate/hf1/statement", f"/w/{slug}/plenary/moderate",
                f"/w/{slug}/surveys", f"/w/{slug}/survey/1", f"/w/{slug}/export",
                f"/w/{slug}/surveys/1/me"):
        get(url)
    with auth.app.state.context.db.transaction() as session:
        access.set_organizer_password(session=session, password="ein langes Passwort")
    shown["/admin (login)"] = client.get("/admin").text
    assert client.post("/admin/login",
                       data={"password": "ein langes Passwort"}).status_code == 303
    get("/admin")
    assert client.post(f"/w/{slug}/facilitate/phase",
                       data={"phase": "plenary"}).status_code == 303
    get(f"/w/{slug}/plenary/me")
    return shown


def test_every_address_on_the_pages_is_a_route_of_the_app(app: FastAPI, client: TestClient,
                                                          auth: AuthActions) -> None:
    seen: set[tuple[str, str]] = set()
    for url, html in pages(client, auth).items():
        for method, address in addresses(html):
            assert served(app, method, address), f"{url}: {method} {address}"
            seen.add((method, address))
    slug = auth.workshop.slug
    for expected in [("POST", f"/w/{slug}/facilitate/links"), ("GET", f"/w/{slug}/qr.svg"),
                     ("POST", f"/w/{slug}/facilitate/hf1/act"), ("POST", f"/w/{slug}/me/hf1"),
                     ("GET", f"/w/{slug}/board/hf1/events"), ("POST", "/admin/login"),
                     ("POST", "/admin/logout"),
                     ("GET", f"/w/{slug}/plenary/events"), ("POST", f"/w/{slug}/plenary/me/dots"),
                     ("GET", f"/w/{slug}/survey/1/results"), ("GET", "/")]:
        assert expected in seen, expected  # the pages above do show these
    assert len({a for _, a in seen if a.startswith("/w/")}) > 30


def test_a_wrong_method_or_an_unknown_address_is_not_served(app: FastAPI) -> None:
    assert served(app, "POST", "/w/zk/plenary/me/dots")
    assert not served(app, "GET", "/w/zk/plenary/me/dots")
    assert not served(app, "GET", "/w/zk/nirgends/hf1")


def test_path_builds_the_route_of_a_module() -> None:
    assert path("board:board", slug="zk", field_key="hf1") == "/w/zk/board/hf1"
    assert path("plenary:board", slug="zk") == "/w/zk/plenary"
    assert path("participant:home") == "/"
    assert path("participant:edit_page", slug="zk", card_id=7) == "/w/zk/cards/7/edit"
    assert path("surveys:chart", slug="zk", survey_id=1, question_id=2,
                kind="svg") == "/w/zk/survey/1/chart/2.svg"
    # The same function name in two modules: the module says which.
    assert path("moderation:console", slug="zk", field_key="hf1") == "/w/zk/facilitate/hf1"
    assert path("statements:console", slug="zk",
                field_key="hf1") == "/w/zk/facilitate/hf1/statement"
    assert path("api:set_phase", slug="zk") == "/api/v1/workshops/zk/phase"
    assert type(path("participant:home")) is str  # not a URLPath: rendered as any string


@pytest.mark.parametrize(("name", "params"), [
    ("board", {"slug": "zk", "field_key": "hf1"}),  # no module
    ("board:nirgends", {"slug": "zk"}),
    ("board:board", {"slug": "zk"}),  # a parameter missing
    ("board:board", {"slug": "zk", "field_key": "hf1", "round": 2}),  # one too many
])
def test_path_refuses_what_no_route_has(name: str, params: dict[str, object]) -> None:
    with pytest.raises(NoMatchFound):
        path(name, **params)


def test_path_knows_every_route_of_the_app(app: FastAPI) -> None:
    checked = 0
    for route in iter_route_contexts(app.routes):
        endpoint = route.endpoint
        if not isinstance(route.original_route, APIRoute) or endpoint is None:
            continue
        if not endpoint.__module__.startswith("app.routes."):
            continue  # the app's own, e.g. /api/docs
        module = endpoint.__module__.removeprefix("app.routes.").split(".")[0]
        assert route.path is not None
        _, path_format, convertors = compile_path(route.path)
        params = {key: "x1" for key in convertors}
        expected, _ = replace_params(path_format, convertors, dict(params))
        assert path(f"{module}:{route.name}", **params) == expected, route.path
        checked += 1
    assert checked > 80


def test_fragments_rendered_without_an_app_get_their_paths() -> None:
    html = Templates().render("facilitator/_card_form.html", card={"id": 7}, slug="zk",
                              field_key="hf1")
    assert 'action="/w/zk/facilitate/hf1/act" hx-post="/w/zk/facilitate/hf1/act"' in html
