"""Live streams as HTTP answers: server-sent events that resume where the client was and end
cleanly, and the check that ends a facilitator's stream with their session or link."""

from collections.abc import Callable

from fastapi import Request
from sse_starlette import EventSourceResponse
from starlette.types import Message, Receive, Scope, Send

from app.errors import DomainError
from app.live.stream import stream
from app.live.views import View
from app.models import Workshop
from app.web.deps import Context, facilitator_of, moderated_field


class LiveStream(EventSourceResponse):
    """An SSE response that ends with a proper last chunk when the server shuts down.

    On SIGTERM sse-starlette stops the stream and returns without closing the chunked body,
    so browsers and proxies would see a broken connection instead of an ended stream.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ended = False

        async def tracking_send(message: Message) -> None:
            nonlocal ended
            if message["type"] == "http.response.body" and not message.get("more_body"):
                ended = True
            await send(message)

        await super().__call__(scope, receive, tracking_send)
        if not ended:
            await send({"type": "http.response.body", "body": b"", "more_body": False})


def event_stream(context: Context, workshop: Workshop, *, last_event_id: int | None, after: int,
                 view: View, still_allowed: Callable[[], bool] | None = None
                 ) -> EventSourceResponse:
    """An SSE response that resumes after Last-Event-ID (on reconnect) or `after` (first time);
    `still_allowed` ends it once its facilitator may no longer follow it."""
    assert workshop.id is not None
    return LiveStream(
        stream(bus=context.bus, db=context.db, views=context.views, workshop_id=workshop.id,
               after=last_event_id if last_event_id is not None else after, view=view,
               still_allowed=still_allowed),
        ping=context.settings.sse_ping_seconds,
    )


def facilitator_check(request: Request, context: Context, workshop: Workshop, *,
                      field_key: str | None = None, whole_workshop: bool = False
                      ) -> Callable[[], bool]:
    """Whether the facilitator behind this request may (still) moderate (a field, or the whole
    workshop): for streams that end when a session ends or a link is revoked or renewed."""

    def check() -> bool:
        with context.db.session() as session:
            facilitator = facilitator_of(request, context, session, workshop)
            if facilitator is None:
                return False
            try:
                if field_key is not None:
                    moderated_field(session, workshop, facilitator, field_key)
                if whole_workshop:
                    facilitator.require_whole_workshop()
            except DomainError:
                return False
            return True

    return check
