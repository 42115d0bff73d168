"""What a phone loads, compressed: the pages of the join flow and everything they reference."""

import gzip
from dataclasses import dataclass, field

import httpx
from bs4 import BeautifulSoup

JOIN_PAGE_LIMIT = 14 * 1024  # fits the first round trip (10 TCP segments)
FIRST_CARD_LIMIT = 60 * 1024


@dataclass
class PageWeight:
    join_page: int = 0  # bytes, gzip
    total: int = 0  # bytes, gzip: pages and every script, style sheet and image they load
    files: dict[str, int] = field(default_factory=dict)


def _assets(html: bytes) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    found = [tag["src"] for tag in soup.find_all(["script", "img"], src=True)]
    found += [tag["href"] for tag in soup.find_all("link", href=True)
              if {"stylesheet", "icon", "preload"} & set(tag.get("rel", []))]
    return [str(url) for url in found if str(url).startswith("/")]


def phone_to_first_card(client: httpx.Client, code: str, slug: str, field: str) -> PageWeight:
    """Scan the QR code, join, choose the field, see the card form: each file counted once."""
    weight = PageWeight()
    pages = [("join", client.get(f"/j/{code}")), ("joined", client.post(f"/j/{code}")),
             ("card form", client.get(f"/w/{slug}/me/{field}"))]
    for name, response in pages:
        response.raise_for_status()
        weight.files[name] = len(gzip.compress(response.content))
        for url in _assets(response.content):
            if url not in weight.files:
                asset = client.get(url)
                asset.raise_for_status()
                weight.files[url] = len(gzip.compress(asset.content))
    weight.join_page = weight.files["join"]
    weight.total = sum(weight.files.values())
    return weight
