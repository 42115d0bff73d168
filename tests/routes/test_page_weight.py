"""Page weight: a phone on a weak venue signal joins within the first round trip."""

from fastapi.testclient import TestClient

from app.models import Workshop
from tests.pageweight import FIRST_CARD_LIMIT, JOIN_PAGE_LIMIT, phone_to_first_card


def test_a_phone_loads_little_before_its_first_card(app, app_workshop: Workshop) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, follow_redirects=True) as phone:
        weight = phone_to_first_card(phone, app_workshop.join_code, app_workshop.slug, "hf1")
    assert weight.join_page <= JOIN_PAGE_LIMIT, weight.files
    assert weight.total <= FIRST_CARD_LIMIT, weight.files
    # The style sheet and htmx are part of the sum, not left out by accident.
    assert any(name.endswith(".css") for name in weight.files), weight.files
    assert any("htmx" in name for name in weight.files), weight.files
