"""Addresses that leave the page: in QR codes, on the command line, in the console's links.
Built here once, so that a link printed in a terminal and one shown in the console agree."""


def _base(base_url: str) -> str:
    return base_url.rstrip("/")


def join_url(base_url: str, join_code: str, to: str = "") -> str:
    """The address a QR code opens: joining, then `to` (a field key: that group's form;
    "umfrage/<id>": that survey), else the choice of group."""
    return f"{_base(base_url)}/j/{join_code}" + (f"/{to}" if to else "")


def overview_url(base_url: str, slug: str) -> str:
    """The overview of every field's board."""
    return f"{_base(base_url)}/w/{slug}"


def facilitator_url(base_url: str, slug: str, token: str) -> str:
    """A facilitator's sign-in link (the main one or a further link's): secret, like a key."""
    return f"{_base(base_url)}/w/{slug}/facilitate?token={token}"
