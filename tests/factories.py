"""Factories for test data: workshops from small definitions, participants, cards."""

from pathlib import Path
from typing import Any

from sqlmodel import Session

from app import cards, participants
from app.definition import WorkshopDef, load_definition, parse_definition
from app.live.events import CardSnapshot
from app.models import Participant, Workshop
from app.workshops import create_workshop

ROOT = Path(__file__).resolve().parent.parent
WESTHARZ = ROOT / "workshops" / "westharz-zukunftskonferenz.toml"

SMALL = """
title = "Test-Workshop"
region = "die Testregion"

[[fields]]
key = "hf1"
number = "HF 1"
title = "Erstes Feld"
themes = [{ text = "Ein Thema", kind = "lag" }]

[[fields]]
key = "hf2"
number = "HF 2"
title = "Zweites Feld"
"""


def small_definition(**overrides: Any) -> WorkshopDef:
    definition = parse_definition(SMALL)
    return definition.model_copy(update=overrides)


def make_workshop(session: Session, *, westharz: bool = False, **overrides: Any) -> Workshop:
    definition = load_definition(WESTHARZ) if westharz else small_definition(**overrides)
    workshop = create_workshop(session=session, definition=definition)
    session.commit()  # services leave the commit to their caller
    return workshop


def make_participant(session: Session, workshop: Workshop, name: str = "") -> Participant:
    participant = participants.join(session=session, workshop=workshop, display_name=name)
    session.commit()
    return participant


def make_card(session: Session, workshop: Workshop, participant: Participant, *,
              field: str = "hf1", category: str = "strengths", text: str = "Eine Karte",
              client_id: str | None = None) -> CardSnapshot:
    card, _created = cards.post_card(session=session, workshop=workshop, participant=participant,
                                     field=field, category=category, text=text,
                                     client_id=client_id)
    session.commit()
    return card
