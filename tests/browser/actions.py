"""What the browser tests do beside the browser: others post cards, the facilitator switches
phases and opens the survey through the API, a page signs in as the facilitator."""

from itertools import cycle

import httpx
from playwright.sync_api import Page

from app.auth import Tokens
from app.models import Workshop
from tests.conftest import SECRET
from tests.live import ServerProcess


def facilitator_headers(workshop: Workshop) -> dict[str, str]:
    return {"Authorization": f"Bearer {Tokens(SECRET).facilitator_token(workshop)}"}


def facilitate(server: ServerProcess, workshop: Workshop, path: str, **json: object) -> None:
    """`PUT /api/v1/workshops/{slug}/{path}` as the facilitator (phase, timer, posting)."""
    httpx.put(f"{server.base_url}/api/v1/workshops/{workshop.slug}/{path}",
              headers=facilitator_headers(workshop), json=json).raise_for_status()


def set_phase(server: ServerProcess, workshop: Workshop, phase: str) -> None:
    facilitate(server, workshop, "phase", phase=phase)


def post_cards(server: ServerProcess, workshop: Workshop, *texts: str, field: str = "hf1",
               categories: tuple[str, ...] = ("strengths",)) -> None:
    """Someone else joins and posts the texts, into the categories in turn."""
    token = httpx.post(f"{server.base_url}/api/v1/join",
                       json={"code": workshop.join_code}).json()["participant_token"]
    for text, category in zip(texts, cycle(categories), strict=False):
        httpx.post(f"{server.base_url}/api/v1/workshops/{workshop.slug}/cards",
                   headers={"Authorization": f"Bearer {token}"},
                   json={"field": field, "category": category, "text": text}
                   ).raise_for_status()


def open_survey(server: ServerProcess, workshop: Workshop) -> int:
    """Opens the workshop's first survey; its id."""
    survey_id: int = httpx.get(f"{server.base_url}/api/v1/workshops/{workshop.slug}/surveys"
                               ).json()[0]["id"]
    opened = httpx.post(f"{server.base_url}/w/{workshop.slug}/surveys",
                        data={"op": f"open:{survey_id}"}, headers=facilitator_headers(workshop))
    assert opened.status_code == 303, opened.text
    return survey_id


def sign_in(page: Page, server: ServerProcess, workshop: Workshop) -> None:
    """The page signs in as the workshop's main facilitator (and lands on the console)."""
    token = Tokens(SECRET).facilitator_token(workshop)
    page.goto(f"{server.base_url}/w/{workshop.slug}/facilitate?token={token}")
