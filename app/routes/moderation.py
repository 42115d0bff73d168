"""The moderation console of one field: act on cards, undo, bulk entry, live refresh.

All card actions go through one form: each button carries `op` = "action" or "action:card id",
the checkboxes carry the selected cards (for merge and for acting on several at once).
"""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from app import bulk, duplicates, moderation, workshops
from app import undo as undoing
from app.access import Facilitator
from app.errors import N_, DomainError, InvalidInput
from app.live.events import latest_event_id
from app.live.views import ConsoleView
from app.models import Field, Workshop
from app.routes.statements import console_context as statement_console
from app.text import parse_number
from app.web.deps import (
    AfterId,
    ContextDep,
    FacilitatorDep,
    GettextDep,
    LastEventId,
    LocaleDep,
    SessionDep,
    WorkshopDep,
    load_workshop,
    moderated_field,
    require_facilitator,
    write,
)
from app.web.render import is_htmx, refused, render
from app.web.sse import event_stream, facilitator_check

router = APIRouter(tags=["facilitator"])

DONE = {
    "hide": N_("Ausgeblendet."), "unhide": N_("Wieder eingeblendet."),
    "approve": N_("Freigegeben."), "pin": N_("Angeheftet."), "unpin": N_("Gelöst."),
    "up": N_("Verschoben."), "down": N_("Verschoben."), "edit": N_("Gespeichert."),
    "move": N_("Verschoben."), "merge": N_("Zusammengefasst."), "unmerge": N_("Aufgeteilt."),
    "undo": N_("Rückgängig gemacht."), "bulk": N_("Karten gespeichert."),
    "dupmerge": N_("Zusammengefasst."), "dupdismiss": N_("Vorschlag verworfen."),
}


def _page(request: Request, session: Session, workshop: Workshop, field: Field,
          facilitator: Facilitator, *, fragment: bool, order: str = "board",
          message: str | None = None, error: str | None = None, status_code: int = 200,
          bulk_text: str = "", bulk_preview: bulk.BulkPreview | None = None,
          refresh: bool = False, duplicates_open: bool = False) -> Response:
    assert workshop.id is not None
    # First the last event, then the cards: what came in between is sent again, not missed.
    after = latest_event_id(session, workshop_id=workshop.id)
    cards = moderation.console_cards(session=session, workshop=workshop, field=field)
    if order == "newest":
        cards.sort(key=lambda c: c.id, reverse=True)
    merged = [c.id for c in cards if c.weight > 1]
    categories = workshops.categories_of(session=session, workshop=workshop)
    extra = {} if fragment else statement_console(session, workshop, field)
    return render(
        request, "facilitator/_moderation.html" if fragment else "facilitator/field.html",
        status_code=status_code, workshop=workshop, field=field, facilitator=facilitator,
        categories=categories, order=order,
        columns={c.key: [card for card in cards if card.category == c.key and card.approved]
                 for c in categories},
        pending=[card for card in cards if not card.approved],
        originals=moderation.merged_originals(session=session, merged_ids=merged),
        targets=moderation.move_targets(session=session, workshop=workshop),
        last=undoing.last_action(session=session, workshop=workshop, facilitator=facilitator,
                                    field=field),
        message=message, error=error, bulk_text=bulk_text, bulk_preview=bulk_preview,
        refresh=refresh,
        # The suggestions take a fifth of a second for 500 cards: an action's answer leaves them
        # to the panel's own request, unless the action was taken in the panel.
        suggestions=duplicates.suggestions(session=session, workshop=workshop, field=field)
        if duplicates_open or not fragment else None,
        labels={c.key: c.label for c in categories}, duplicates_open=duplicates_open,
        **{"after": after, **extra},
    )


@router.get("/w/{slug}/facilitate/{field_key}")
def console(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
            facilitator: FacilitatorDep, gettext: GettextDep,
            order: Annotated[str, Query(pattern="^(board|newest)$")] = "board",
            done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    """Every card of one field, by column, with the moderation actions."""
    field = moderated_field(session, workshop, facilitator, field_key)
    # A sub-field's cards are moderated with its parent's.
    if (parent := workshops.parent_of(session=session, field=field)) is not None:
        return RedirectResponse(f"/w/{workshop.slug}/facilitate/{parent.key}", status_code=303)
    message = gettext(DONE[done]) if done in DONE else None
    return _page(request, session, workshop, field, facilitator, fragment=False, order=order,
                 message=message, duplicates_open=done in ("dupmerge", "dupdismiss"))


@router.get("/w/{slug}/facilitate/{field_key}/cards")
def console_cards(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
                  facilitator: FacilitatorDep,
                  order: Annotated[str, Query(pattern="^(board|newest)$")] = "board"
                  ) -> Response:
    """The console's card area alone, for its live refresh."""
    field = moderated_field(session, workshop, facilitator, field_key)
    return _page(request, session, workshop, field, facilitator, fragment=True, order=order,
                 refresh=True)


@router.get("/w/{slug}/facilitate/{field_key}/duplicates")
def duplicate_suggestions(field_key: str, request: Request, workshop: WorkshopDep,
                          session: SessionDep, facilitator: FacilitatorDep) -> Response:
    """The console's groups of likely duplicates alone, reloaded as cards come and go."""
    field = moderation.group_of(session, moderated_field(session, workshop, facilitator,
                                                         field_key).id or 0)
    categories = workshops.categories_of(session=session, workshop=workshop)
    return render(request, "facilitator/_duplicates.html", oob=True, workshop=workshop,
                  field=field,
                  suggestions=duplicates.suggestions(session=session, workshop=workshop,
                                                     field=field),
                  labels={c.key: c.label for c in categories})


@router.get("/w/{slug}/facilitate/{field_key}/events")
async def console_events(slug: str, field_key: str, request: Request, context: ContextDep,
                         locale: LocaleDep, last_event_id: LastEventId = None,
                         after: AfterId = 0) -> EventSourceResponse:
    """Tells the console that its field changed."""
    workshop = await load_workshop(context, slug)

    def authorize() -> ConsoleView:
        with context.db.session() as session:
            facilitator = require_facilitator(request, context, session, workshop)
            moderated_field(session, workshop, facilitator, field_key)
            return ConsoleView(field=field_key, locale=locale, slug=workshop.slug,
                               targets=moderation.move_targets(session=session,
                                                               workshop=workshop))

    view = await run_in_threadpool(authorize)
    return event_stream(context, workshop, last_event_id=last_event_id, after=after,
                        view=view,
                        still_allowed=facilitator_check(request, context, workshop,
                                                        field_key=field_key))


def _done(request: Request, session: Session, workshop: Workshop, field: Field,
          facilitator: Facilitator, kind: str, gettext: GettextDep, order: str) -> Response:
    if is_htmx(request):
        return _page(request, session, workshop, field, facilitator, fragment=True, order=order,
                     message=gettext(DONE[kind]))
    return RedirectResponse(f"/w/{workshop.slug}/facilitate/{field.key}?done={kind}"
                            f"&order={order}", status_code=303)


def _failed(request: Request, session: Session, workshop: Workshop, field: Field,
            facilitator: Facilitator, exc: DomainError, gettext: GettextDep, order: str, *,
            bulk_text: str = "", bulk_preview: bulk.BulkPreview | None = None) -> Response:
    return _page(request, session, workshop, field, facilitator, fragment=is_htmx(request),
                 order=order, error=refused(session, exc, gettext), status_code=exc.status_code,
                 bulk_text=bulk_text, bulk_preview=bulk_preview)


@router.post("/w/{slug}/facilitate/{field_key}/act")
async def act(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
              facilitator: FacilitatorDep, gettext: GettextDep) -> Response:
    """Hide, show, approve, pin, reorder, edit, move, merge or split cards."""
    # The inputs of one card are named after it (text-12, target-12), so the form is read
    # whole; the database work then runs in the thread pool like any sync route.
    form = await request.form()
    return await run_in_threadpool(_act, form, field_key, request, workshop, session,
                                   facilitator, gettext)


def _act(form: FormData, field_key: str, request: Request, workshop: Workshop,
         session: Session, facilitator: Facilitator, gettext: GettextDep) -> Response:
    op = str(form.get("op") or "")
    order = "newest" if form.get("order") == "newest" else "board"
    action, _, card = op.partition(":")
    field = moderated_field(session, workshop, facilitator, field_key)
    if action in ("dupmerge", "dupdismiss"):
        return _suggested(form, action, card, request, workshop, session, facilitator, field,
                          gettext, order)
    try:
        card_id = parse_number(card)
        ids = [card_id] if card_id else _selected(form.getlist("card_ids"))
        target = str(form.get(f"target-{card}") or "")
        target_field, _, target_category = target.partition(":")
        text = form.get(f"text-{card}") if card else form.get("merge_text")
        with write(request, session, workshop):
            moderation.apply(session=session, workshop=workshop, facilitator=facilitator,
                             action=action, card_ids=ids,
                             text=str(text) if text is not None else None,
                             field=target_field or None, category=target_category or None)
    except DomainError as exc:
        return _failed(request, session, workshop, field, facilitator, exc, gettext, order)
    return _done(request, session, workshop, field, facilitator, action, gettext, order)


def _suggested(form: FormData, action: str, key: str, request: Request, workshop: Workshop,
               session: Session, facilitator: Facilitator, field: Field, gettext: GettextDep,
               order: str) -> Response:
    """A suggested group of duplicates merged with its wording, or dismissed."""
    try:
        ids = _selected(key.split("-"))
        with write(request, session, workshop):
            if action == "dupmerge":
                text = str(form.get(f"dup-text-{key}") or "")
                moderation.merge(session=session, workshop=workshop, facilitator=facilitator,
                                 card_ids=ids, text=text)
            else:
                duplicates.dismiss(session=session, workshop=workshop, facilitator=facilitator,
                                   field=field, card_ids=ids)
    except DomainError as exc:
        return _page(request, session, workshop, field, facilitator, fragment=is_htmx(request),
                     order=order, error=refused(session, exc, gettext),
                     status_code=exc.status_code, duplicates_open=True)
    if is_htmx(request):
        return _page(request, session, workshop, field, facilitator, fragment=True, order=order,
                     message=gettext(DONE[action]), duplicates_open=True)
    return RedirectResponse(f"/w/{workshop.slug}/facilitate/{field.key}?done={action}"
                            f"&order={order}#duplicates", status_code=303)


def _selected(values: Sequence[object]) -> list[int]:
    ids = [number for v in values if (number := parse_number(v))]
    if len(ids) != len(values):
        raise InvalidInput("Ungültige Kartenauswahl.")
    return ids


@router.post("/w/{slug}/facilitate/{field_key}/undo")
def undo(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
         facilitator: FacilitatorDep, gettext: GettextDep) -> Response:
    """Take back this facilitator's last moderation action in this field."""
    field = moderated_field(session, workshop, facilitator, field_key)
    try:
        with write(request, session, workshop):
            undoing.undo(session=session, workshop=workshop, facilitator=facilitator, field=field)
    except DomainError as exc:
        return _failed(request, session, workshop, field, facilitator, exc, gettext, "board")
    return _done(request, session, workshop, field, facilitator, "undo", gettext, "board")


@router.post("/w/{slug}/facilitate/{field_key}/bulk")
def bulk_entry(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
               facilitator: FacilitatorDep, gettext: GettextDep,
               text: Annotated[str, Form()] = "",
               save: Annotated[bool, Form()] = False) -> Response:
    """Preview typed-in paper cards, then save them all at once."""
    field = moderated_field(session, workshop, facilitator, field_key)
    if not save:
        parsed = bulk.preview(session=session, workshop=workshop, text=text)
        return _page(request, session, workshop, field, facilitator, fragment=is_htmx(request),
                     bulk_text=text, bulk_preview=parsed)
    try:
        with write(request, session, workshop):
            bulk.create_cards(session=session, workshop=workshop, facilitator=facilitator,
                              field_key=field.key, text=text)
    except DomainError as exc:
        return _failed(request, session, workshop, field, facilitator, exc, gettext, "board",
                       bulk_text=text,
                       bulk_preview=bulk.preview(session=session, workshop=workshop, text=text))
    return _done(request, session, workshop, field, facilitator, "bulk", gettext, "board")
