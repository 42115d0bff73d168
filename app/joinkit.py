"""The printed join kit of a workshop (one A4 PDF): an entrance poster, a table tent per
working group whose QR code opens that group's form directly, and a sheet for the
facilitators. QR codes are vectors (sharp at any print size), sized to be read from 2 m."""

import base64
from dataclasses import dataclass

from sqlmodel import Session

from app.models import Workshop
from app.qr import qr_svg
from app.web.templating import Templates
from app.web.urls import facilitator_url, join_url, overview_url
from app.workshops import fields_of


@dataclass(frozen=True)
class Group:
    number: str
    title: str
    link: str
    qr: str  # a data: URL of the SVG
    board: str


def _qr(link: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(link).encode()).decode()


def join_kit_pdf(*, session: Session, workshop: Workshop, templates: Templates, base_url: str,
                 facilitator_token: str, locale: str = "de") -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango at import time

    groups = [Group(number=f.number, title=f.title, link=join_url(base_url, workshop.join_code,
                                                                   f.key),
                    qr=_qr(join_url(base_url, workshop.join_code, f.key)),
                    board=f"{overview_url(base_url, workshop.slug)}/board/{f.key}")
              for f in fields_of(session=session, workshop=workshop) if f.parent_id is None]
    entrance = join_url(base_url, workshop.join_code)
    facilitate = facilitator_url(base_url, workshop.slug, facilitator_token)
    html = templates.render(
        "organizer/kit.html", locale=locale, workshop=workshop, groups=groups,
        entrance=entrance, entrance_qr=_qr(entrance), facilitate=facilitate,
        facilitate_qr=_qr(facilitate), overview=overview_url(base_url, workshop.slug))
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
