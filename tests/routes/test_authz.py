"""Authorization matrix: every moderation route refuses everyone who is not its facilitator."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app import access
from app.models import Workshop
from app.web.deps import require_facilitator
from tests.factories import make_workshop


def _needs_facilitator(dependant: Any) -> bool:
    return any(d.call is require_facilitator or _needs_facilitator(d)
               for d in dependant.dependencies)


def _api_routes(routes: list[Any], prefix: str = "") -> list[tuple[str, APIRoute]]:
    found: list[tuple[str, APIRoute]] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append((prefix + route.path, route))
        elif hasattr(route, "original_router"):  # an included router
            found += _api_routes(route.original_router.routes,
                                 prefix + route.include_context.prefix)
    return found


# Routes that ask for the facilitator inside (a sign-in link in the query, live streams).
ASKING_INSIDE = [("GET", "/w/{slug}/facilitate"),
                 ("GET", "/w/{slug}/facilitate/{field_key}/events"),
                 ("GET", "/w/{slug}/plenary/moderate/events")]


def moderation_routes(app: Any) -> list[tuple[str, str]]:
    declared = [(method, path) for path, route in _api_routes(app.routes)
                if _needs_facilitator(route.dependant)
                for method in sorted(route.methods - {"HEAD"})]
    return declared + ASKING_INSIDE


def _fill(path: str, slug: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "slug":
            return slug
        if name.endswith("_id"):
            return "1"
        return "hf1" if "field" in name else "x"

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


Identity = Callable[[TestClient], dict[str, str]]


@pytest.fixture
def identities(app: Any, app_workshop: Workshop) -> dict[str, Identity]:
    context = app.state.context
    with context.db.transaction() as session:
        other = make_workshop(session, westharz=True)
        other_token = context.tokens.facilitator_token(other)
        old_token = context.tokens.facilitator_token(app_workshop)
        workshop = session.get(Workshop, app_workshop.id)
        assert workshop is not None
        access.rotate_link(session=session, workshop=workshop, link_id=None)

    def participant(client: TestClient) -> dict[str, str]:
        client.post(f"/j/{app_workshop.join_code}", data={"name": ""})  # the cookie
        token = client.post("/api/v1/join", json={"code": app_workshop.join_code}).json()[
            "participant_token"]
        return {"Authorization": f"Bearer {token}"}

    return {
        "no token": lambda client: {},
        "participant": participant,
        "other workshop's facilitator": lambda client: {"Authorization": f"Bearer {other_token}"},
        "rotated facilitator token": lambda client: {"Authorization": f"Bearer {old_token}"},
        "rotated token in the link": lambda client: {"_query": old_token},
    }


def test_every_moderation_route_refuses_who_is_not_its_facilitator(
    app: Any, app_workshop: Workshop, identities: dict[str, Identity]
) -> None:
    routes = moderation_routes(app)
    paths = {path for _, path in routes}
    # The matrix covers the consoles, the exports and the moderation API, not a chosen few.
    assert len(routes) >= 30, routes
    for expected in ("/w/{slug}/facilitate/{field_key}", "/w/{slug}/export",
                     "/api/v1/workshops/{slug}/phase", "/api/v1/workshops/{slug}/moderation",
                     "/w/{slug}/surveys", "/w/{slug}/plenary/moderate"):
        assert expected in paths, expected
    refused: list[str] = []
    for name, identity in identities.items():
        with TestClient(app, follow_redirects=False) as client:
            headers = identity(client)
            query = {"token": headers.pop("_query")} if "_query" in headers else {}
            for method, path in routes:
                url = _fill(path, app_workshop.slug)
                response = client.request(method, url, headers=headers, params=query,
                                          data={} if method != "GET" else None)
                if response.status_code not in (401, 403):
                    refused.append(f"{name}: {method} {url} → {response.status_code}")
    assert refused == [], "\n".join(refused)


def test_the_matrix_addresses_are_real_pages_for_the_facilitator(
    app: Any, app_workshop: Workshop
) -> None:
    token = app.state.context.tokens.facilitator_token(app_workshop)
    pages = [path for method, path in moderation_routes(app)
             if method == "GET" and not path.endswith("/events") and "{" not in
             path.replace("{slug}", "").replace("{field_key}", "")]
    assert len(pages) >= 5, pages
    with TestClient(app, follow_redirects=False) as client:
        for path in pages:
            response = client.get(_fill(path, app_workshop.slug),
                                  headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, (path, response.status_code)
