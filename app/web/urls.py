"""Addresses that leave the page: in QR codes, on the command line, in the console's links.
Built here once, so that a link printed in a terminal and one shown in the console agree.
And the app's own paths, for its pages' links and forms: `path(name, **params)`."""

import threading
from dataclasses import dataclass
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.convertors import Convertor
from starlette.routing import NoMatchFound, compile_path, replace_params


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


# The app's own paths, from its route table: `path("moderation:act", slug=…, field_key=…)`.
# Looked up by name in a table built once: a router's url_path_for walks every route on each
# call (up to 0.4 ms with the included routers), and a page with many cards asks for many.


@dataclass(frozen=True)
class _Route:
    path_format: str
    convertors: dict[str, Convertor[Any]]

    def fill(self, params: dict[str, object]) -> str:
        values: dict[str, Any] = dict(params)  # replace_params takes them out of the dict
        filled, _ = replace_params(self.path_format, self.convertors, values)
        return filled


_table: dict[str, list[_Route]] | None = None
_table_lock = threading.Lock()


def _build_table() -> dict[str, list[_Route]]:
    # The route modules import app.web (and so this module): they are imported here, when the
    # first path is asked for, not when this module is loaded. app.main holds the one list of
    # them, the same the app includes, so a page rendered without an app gets the same paths.
    from app.main import ROUTE_MODULES

    table: dict[str, list[_Route]] = {}
    for module in ROUTE_MODULES:
        namespace = module.__name__.rpartition(".")[2]
        for route in iter_route_contexts(module.router.routes):
            if route.name is None or route.path is None:
                continue
            _, path_format, convertors = compile_path(route.path)
            routes = table.setdefault(f"{namespace}:{route.name}", [])
            same = [r for r in routes if r.convertors.keys() == convertors.keys()]
            if any(r.path_format != path_format for r in same):
                raise RuntimeError(f"{namespace}:{route.name}: two routes, two paths")
            if not same:
                routes.append(_Route(path_format, convertors))
    return table


def _routes() -> dict[str, list[_Route]]:
    global _table
    if _table is None:
        with _table_lock:
            if _table is None:
                _table = _build_table()
    return _table


def path(name: str, /, **params: object) -> str:
    """The path of a route of the app, e.g. `path("board:board", slug="zk", field_key="hf1")`
    is "/w/zk/board/hf1". `name` is "<module>:<function>": the route module in app/routes
    (the whole JSON API is "api") and the route's name, its function's by default. A route's
    name alone is not enough: several modules have a `console` or an `act`. The parameters
    are those of the route's path, all of them; anything else raises NoMatchFound."""
    for route in _routes().get(name, ()):
        if route.convertors.keys() == params.keys():
            return route.fill(params)
    raise NoMatchFound(name, params)
