"""The JSON API under /api/v1: one router per concern, each module with its own schemas."""

from fastapi import APIRouter

from app.routes.api import (
    cards,
    facilitation,
    organizing,
    plenary,
    statements,
    surveys,
    workshop,
)

router = APIRouter(prefix="/api/v1", tags=["api"])
for part in (workshop, cards, facilitation, plenary, statements, surveys, organizing):
    router.include_router(part.router)


@router.get("/ping")
def ping() -> dict[str, bool]:
    """A minimal endpoint of the same stack (the load benchmark's ceiling)."""
    return {"ok": True}
