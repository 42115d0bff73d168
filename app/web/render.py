"""Answers: a page or fragment in the reader's language, and what an answer says besides."""

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.errors import DomainError
from app.web.deps import get_context, locale_of


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def refused(session: Session, exc: DomainError, gettext: Callable[[str], str]) -> str:
    """A service said no: nothing the request wrote stays (the session is rolled back here,
    before the page that says why is drawn from it), and the reason in the reader's language.
    The one place a route's session is rolled back; otherwise it ends where it was opened."""
    session.rollback()
    return exc.render(gettext)


def retry_after(exc: DomainError) -> dict[str, str] | None:
    """For a page that answers a rate limit (429): when to try again."""
    seconds = getattr(exc, "retry_after", None)
    return {"Retry-After": str(seconds)} if seconds is not None else None


def render(
    request: Request, template: str, *, status_code: int = 200,
    headers: dict[str, str] | None = None, **context: Any,
) -> HTMLResponse:
    """Render a page or fragment in the reader's language."""
    ctx = get_context(request)
    locale = locale_of(request)
    html = ctx.templates.render(
        template, locale=locale, request=request, base_url=ctx.settings.resolved_base_url,
        imprint_url=ctx.settings.imprint_url, **context,
    )
    return HTMLResponse(html, status_code=status_code, headers=headers)
