"""Participant pages for the phone: join by code, choose a field, post and manage own cards.

Every form posts normally and redirects; when htmx sends it, the same route answers with the
`_posting.html` fragment instead, which the page itself includes – a new card only with the
parts that change (`_posted.html`).
"""

import secrets
from collections import Counter
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app import attendance, cards, participants, phases, statements, surveys, workshops
from app.errors import DomainError, InvalidInput, NotAllowed
from app.live.events import CardSnapshot, latest_event_id
from app.models import Category, Field, Participant, Workshop
from app.web.deps import (
    PARTICIPANT_COOKIE,
    ContextDep,
    GettextDep,
    IdPath,
    ParticipantDep,
    SessionDep,
    WorkshopDep,
    client_address,
    participant_of,
    write,
)
from app.web.render import is_htmx, refused, render, retry_after

router = APIRouter(tags=["participant"])

COOKIE_MAX_AGE = 60 * 86400


@router.get("/")
def home(request: Request, code: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """Start page with a field for the join code."""
    if code and code.strip():
        return RedirectResponse(f"/j/{quote(workshops.normalize_code(code))}", status_code=303)
    return render(request, "participant/home.html")


def _destination(session: Session, workshop: Workshop, field_key: str | None = None,
                 survey_id: int | None = None) -> str:
    """Where a join leads: a group's form (the QR code at its table), a survey (the QR code on
    its projector), else the choice of group."""
    if field_key is not None and workshops.find_field(session=session, workshop=workshop,
                                                      key=field_key):
        return f"/w/{workshop.slug}/me/{field_key}"
    if survey_id is not None and surveys.find_survey(session=session, workshop=workshop,
                                                     survey_id=survey_id):
        return f"/w/{workshop.slug}/surveys/{survey_id}/me"
    return f"/w/{workshop.slug}/me"


def _join_page(request: Request, session: Session, context: ContextDep, gettext: GettextDep,
               code: str, field_key: str | None = None, survey_id: int | None = None
               ) -> Response:
    try:
        workshop = workshops.workshop_by_code(session=session, code=code)
    except DomainError as exc:
        return render(request, "participant/home.html", status_code=exc.status_code,
                      error=exc.render(gettext), code=code[:20])
    destination = _destination(session, workshop, field_key, survey_id)
    if participant_of(request, context, session, workshop):
        return RedirectResponse(destination, status_code=303)
    return render(request, "participant/join.html", workshop=workshop,
                  action=request.url.path)


def _join(request: Request, session: Session, context: ContextDep, gettext: GettextDep,
          code: str, field_key: str | None = None, survey_id: int | None = None) -> Response:
    try:
        workshop = workshops.workshop_by_code(session=session, code=code)
        existing = participant_of(request, context, session, workshop)
        if existing is None:
            assert workshop.id is not None
            context.limits.join(workshop.id, client_address(request),
                                online=workshop.open_online)
            with write(request, session, workshop):
                existing = participants.join(session=session, workshop=workshop)
    except DomainError as exc:
        return render(request, "participant/home.html", status_code=exc.status_code,
                      error=exc.render(gettext), code=code[:20], headers=retry_after(exc))
    response = RedirectResponse(_destination(session, workshop, field_key, survey_id),
                                status_code=303)
    response.set_cookie(PARTICIPANT_COOKIE, context.tokens.participant_token(existing.public_id),
                        max_age=COOKIE_MAX_AGE, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return response


@router.get("/j/{code}")
def join_page(code: str, request: Request, session: SessionDep, context: ContextDep,
              gettext: GettextDep) -> Response:
    """What the QR code opens: the workshop's join page (or straight on, if already joined)."""
    return _join_page(request, session, context, gettext, code)


@router.post("/j/{code}")
def join(code: str, request: Request, session: SessionDep, context: ContextDep,
         gettext: GettextDep) -> Response:
    """Join as a participant; the signed cookie is all that identifies the phone."""
    return _join(request, session, context, gettext, code)


@router.get("/j/{code}/umfrage/{survey_id}")
def join_survey_page(code: str, survey_id: IdPath, request: Request, session: SessionDep,
                     context: ContextDep, gettext: GettextDep) -> Response:
    """The QR code on a survey's projector: join, then straight to its questions."""
    return _join_page(request, session, context, gettext, code, survey_id=survey_id)


@router.post("/j/{code}/umfrage/{survey_id}")
def join_survey(code: str, survey_id: IdPath, request: Request, session: SessionDep,
                context: ContextDep, gettext: GettextDep) -> Response:
    """Join and answer the survey."""
    return _join(request, session, context, gettext, code, survey_id=survey_id)


@router.get("/j/{code}/{field_key}")
def join_group_page(code: str, field_key: str, request: Request, session: SessionDep,
                    context: ContextDep, gettext: GettextDep) -> Response:
    """The QR code at a group's table (and on its board): join, then straight to its form."""
    return _join_page(request, session, context, gettext, code, field_key=field_key)


@router.post("/j/{code}/{field_key}")
def join_group(code: str, field_key: str, request: Request, session: SessionDep,
               context: ContextDep, gettext: GettextDep) -> Response:
    """Join and go to the group's form."""
    return _join(request, session, context, gettext, code, field_key=field_key)


@router.post("/w/{slug}/name")
def set_name(request: Request, workshop: WorkshopDep, session: SessionDep,
             participant: ParticipantDep, gettext: GettextDep,
             name: Annotated[str, Form(max_length=200)] = "",
             in_report: Annotated[bool, Form()] = False,
             back: Annotated[str, Form(max_length=200)] = "") -> Response:
    """The optional display name, asked for after joining, and whether the documentation may
    show it beside one's cards."""
    target = back if back.startswith(f"/w/{workshop.slug}/") else f"/w/{workshop.slug}/me"
    try:
        with write(request, session, workshop):
            participants.set_name(session=session, participant=participant, display_name=name,
                                  in_report=in_report)
    except DomainError as exc:
        return render(request, "error.html", status_code=exc.status_code,
                      message=exc.render(gettext), status=exc.status_code)
    return RedirectResponse(f"{target}?saved=4", status_code=303)


@router.get("/w/{slug}/me")
def choose_field(request: Request, workshop: WorkshopDep, session: SessionDep,
                 participant: ParticipantDep) -> Response:
    """Choose a working group (Handlungsfeld)."""
    mine = cards.list_cards(session=session, workshop=workshop, participant=participant)
    per_field = Counter(card.in_group for card in mine)
    assert workshop.id is not None
    return render(request, "participant/fields.html", workshop=workshop, participant=participant,
                  fields=workshops.fields_of(session=session, workshop=workshop),
                  mine=per_field, offers=surveys.offers(session=session, workshop=workshop),
                  after=latest_event_id(session, workshop_id=workshop.id),
                  groups=attendance.settings_of(workshop).groups
                  if attendance.asks(workshop, participant) else [])


def _posting_page(request: Request, session: Session, workshop: Workshop, field: Field,
                  participant: Participant, *, status_code: int = 200, error: str | None = None,
                  message: str | None = None, text: str = "", category: str | None = None,
                  client_id: str | None = None, fragment: bool = False,
                  headers: dict[str, str] | None = None, subfield: str = "",
                  focus: str | None = None) -> Response:
    mine = cards.list_cards(session=session, workshop=workshop, field=field.key,
                            participant=participant)
    categories = workshops.categories_of(session=session, workshop=workshop)
    context: dict[str, Any] = {}
    if not fragment:  # the whole page; from the second round with the group's board, live
        assert workshop.id is not None
        context = {
            # None: the panel is closed and loads its cards when opened (`group_cards`).
            "group": _group(session, workshop, field, categories)
            if workshop.current_round > 1 else None,
            "after": latest_event_id(session, workshop_id=workshop.id),
            "timer": phases.timer_state(workshop),
            "statement": statements.snapshot(session, workshop, field),
            "offers": surveys.offers(session=session, workshop=workshop),
        }
    template = "participant/_posting.html" if fragment else "participant/post.html"
    return render(
        request, template, status_code=status_code, headers=headers, workshop=workshop,
        field=field,
        participant=participant, categories=categories,
        my_cards=list(reversed(mine)), error=error, message=message, text=text,
        category=category, client_id=client_id or secrets.token_urlsafe(12),
        text_max=cards.TEXT_MAX, subfields=workshops.subfields_of(session=session, field=field),
        subfield=subfield, closed=cards.posting_closed_in(session=session, workshop=workshop,
                                                          field=field, participant=participant),
        # Which field an error belongs to: it is described by the error and gets the focus.
        invalid="text" if category else "category", focus=focus, **context,
    )


def _posted(request: Request, session: Session, workshop: Workshop, field: Field,
            participant: Participant, card: CardSnapshot, message: str, category: str
            ) -> Response:
    """The answer to a new card from the phone's form: the parts that change, placed by their
    ids (participant/_posted.html), instead of the whole form and list again."""
    return render(
        request, "participant/_posted.html", status_code=201, headers={"HX-Reswap": "none"},
        workshop=workshop, field=field, card=card, message=message, category=category,
        categories=workshops.categories_of(session=session, workshop=workshop),
        count=cards.count_own(session=session, field=field.key, participant=participant),
        client_id=secrets.token_urlsafe(12), text_max=cards.TEXT_MAX, closed=None)


GROUP_COOKIE = "zk_group"  # the group a phone worked in last, for "back to your group"


@router.get("/w/{slug}/me/weiter")
def back_to_group(request: Request, workshop: WorkshopDep, session: SessionDep,
                  participant: ParticipantDep) -> Response:
    """Back to the group this phone worked in (after the plenary), else the choice of group."""
    key = request.cookies.get(GROUP_COOKIE, "")
    known = workshops.is_key(key) and workshops.find_field(session=session, workshop=workshop,
                                                           key=key)
    return RedirectResponse(f"/w/{workshop.slug}/me/{key}" if known else
                            f"/w/{workshop.slug}/me", status_code=303)


def _group(session: Session, workshop: Workshop, field: Field, categories: list[Category]
           ) -> dict[str, list[CardSnapshot]]:
    shown = cards.list_cards(session=session, workshop=workshop, field=field.key)
    return {c.key: [card for card in shown if card.category == c.key] for c in categories}


@router.get("/w/{slug}/me/{field_key}/group")
def group_cards(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
                participant: ParticipantDep) -> Response:
    """The group's cards with their live stream, for the phone's panel once it is opened."""
    field = workshops.get_field(session=session, workshop=workshop, key=field_key)
    categories = workshops.categories_of(session=session, workshop=workshop)
    assert workshop.id is not None
    return render(request, "participant/_group_cards.html", workshop=workshop, field=field,
                  categories=categories, group=_group(session, workshop, field, categories),
                  after=latest_event_id(session, workshop_id=workshop.id))


@router.get("/w/{slug}/me/{field_key}")
def posting_page(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
                 participant: ParticipantDep, gettext: GettextDep,
                 category: Annotated[str | None, Query(max_length=40)] = None,
                 saved: Annotated[str | None, Query(max_length=2)] = None,
                 bereich: Annotated[str, Query(max_length=40)] = "") -> Response:
    """Post cards to one field and see one's own cards there."""
    field = workshops.get_field(session=session, workshop=workshop, key=field_key)
    # A sub-field (HF 4 A) is worked on in its parent's group, with the area chosen.
    if (parent := workshops.parent_of(session=session, field=field)) is not None:
        return RedirectResponse(f"/w/{workshop.slug}/me/{parent.key}?bereich={field.key}",
                                status_code=303)
    message = {"1": gettext("Ihre Karte ist angekommen."), "2": gettext("Gespeichert."),
               "3": gettext("Karte gelöscht."),
               "4": gettext("Gespeichert."),
               "5": gettext("Ihre Karte ist angekommen. Sie erscheint, sobald die Moderation sie "
                            "freigegeben hat.")}.get(saved or "")
    response = _posting_page(request, session, workshop, field, participant, category=category,
                             message=message, subfield=bereich)
    response.set_cookie(GROUP_COOKIE, field.key, max_age=COOKIE_MAX_AGE, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
    return response


@router.post("/w/{slug}/me/{field_key}")
def post_card(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
              participant: ParticipantDep, gettext: GettextDep, context: ContextDep,
              text: Annotated[str, Form()] = "",
              category: Annotated[str, Form(max_length=40)] = "",
              client_id: Annotated[str | None, Form(max_length=64)] = None,
              subfield: Annotated[str, Form(max_length=40)] = "") -> Response:
    """Post a card from the form; a double tap sends the same client_id and changes nothing.
    In a group with sub-fields the card goes to the area chosen (`subfield`), if any."""
    field = workshops.get_field(session=session, workshop=workshop, key=field_key)
    areas = {f.key for f in workshops.subfields_of(session=session, field=field)}
    target = subfield if subfield in areas else field.key

    # The author as this request read them: loading them again in the write cost a tenth.
    assert participant.id is not None
    author = participants.Author(participant.id, participant.role, participant.public_id)

    def post(write: Session) -> tuple[CardSnapshot, bool]:
        return cards.post_card(
            session=write, workshop=workshops.get_workshop(session=write, slug=workshop.slug),
            participant=author, field=target, category=category, text=text,
            client_id=client_id, rate_limit=context.limits.card)

    try:
        if not category:
            raise InvalidInput("Bitte wählen Sie eine Spalte: Stärken, Schwächen, "
                               "Potentiale oder Ideen.")
        session.commit()  # ends this session's read, so the page below shows the new card
        card, created = context.db.commit_together(post)
    except DomainError as exc:
        return _posting_page(request, session, workshop, field, participant,
                             status_code=exc.status_code, error=exc.render(gettext), text=text,
                             category=category, client_id=client_id, fragment=is_htmx(request),
                             headers=retry_after(exc), subfield=subfield)
    # Under pre-moderation the card waits: the phone says so, and where it is.
    arrived = ("1", gettext("Ihre Karte ist angekommen.")) if card.approved else (
        "5", gettext("Ihre Karte ist angekommen. Sie erscheint, sobald die Moderation sie "
                     "freigegeben hat."))
    if is_htmx(request) and created:
        return _posted(request, session, workshop, field, participant, card, arrived[1],
                       category)
    if is_htmx(request):  # a resend of a stored card: the whole form and list, as they are
        return _posting_page(request, session, workshop, field, participant, status_code=201,
                             message=arrived[1], category=category, fragment=True,
                             subfield=subfield, focus="text")
    return RedirectResponse(f"/w/{workshop.slug}/me/{field.key}?saved={arrived[0]}&category="
                            f"{quote(category)}&bereich={quote(subfield)}", status_code=303)


@router.get("/w/{slug}/cards/{card_id}/edit")
def edit_page(card_id: IdPath, request: Request, workshop: WorkshopDep, session: SessionDep,
              participant: ParticipantDep) -> Response:
    """The form to change one's own card."""
    card, field = _own_card(session, workshop, participant, card_id)
    return _edit_page(request, session, workshop, card, field)


def _own_card(session: Session, workshop: Workshop, participant: Participant, card_id: int
              ) -> tuple[CardSnapshot, Field]:
    card = cards.get_card(session=session, workshop=workshop, card_id=card_id)
    if card.author != participant.public_id:
        raise NotAllowed("Sie können nur Ihre eigenen Karten ändern.")
    return card, workshops.get_field(session=session, workshop=workshop, key=card.field)


def _edit_page(request: Request, session: Session, workshop: Workshop, card: CardSnapshot,
               field: Field, *, status_code: int = 200, error: str | None = None) -> Response:
    return render(request, "participant/edit.html", status_code=status_code, workshop=workshop,
                  card=card, field=field, error=error, text_max=cards.TEXT_MAX,
                  categories=workshops.categories_of(session=session, workshop=workshop))


@router.post("/w/{slug}/cards/{card_id}")
def save_card(card_id: IdPath, request: Request, workshop: WorkshopDep, session: SessionDep,
              participant: ParticipantDep, gettext: GettextDep,
              text: Annotated[str, Form()] = "",
              category: Annotated[str | None, Form(max_length=40)] = None) -> Response:
    """Save a changed card."""
    card, field = _own_card(session, workshop, participant, card_id)
    try:
        with write(request, session, workshop):
            cards.edit_card(session=session, workshop=workshop, participant=participant,
                            card_id=card_id, text=text, category=category or None)
    except DomainError as exc:
        return _edit_page(request, session, workshop, card.model_copy(update={"text": text}),
                          field, status_code=exc.status_code, error=refused(session, exc, gettext))
    return RedirectResponse(f"/w/{workshop.slug}/me/{field.key}?saved=2", status_code=303)


@router.post("/w/{slug}/cards/{card_id}/delete")
def delete_card(card_id: IdPath, request: Request, workshop: WorkshopDep, session: SessionDep,
                participant: ParticipantDep, gettext: GettextDep) -> Response:
    """Delete one's own card."""
    _card, field = _own_card(session, workshop, participant, card_id)
    with write(request, session, workshop, archived_ok=True):
        cards.delete_card(session=session, workshop=workshop, participant=participant,
                          card_id=card_id)
    if is_htmx(request):
        return _posting_page(request, session, workshop, field, participant,
                             message=gettext("Karte gelöscht."), fragment=True,
                             focus="cards")
    return RedirectResponse(f"/w/{workshop.slug}/me/{field.key}?saved=3", status_code=303)
