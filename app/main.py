"""The FastAPI application: `create_app(settings)` wires settings, database, bus and routes."""

import asyncio
import gc
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from app import db as database
from app import retention
from app.auth import Tokens
from app.config import PROJECT_ROOT, Settings
from app.live.pgbus import PostgresBus
from app.live.render import Views
from app.live.stream import LocalBus
from app.ratelimit import Limits
from app.routes import (
    api,
    attendance,
    board,
    export,
    facilitator,
    legal,
    moderation,
    organizer,
    participant,
    photos,
    plenary,
    statements,
    surveys,
    workshop_admin,
)
from app.web.deps import Context
from app.web.errors import install_error_handlers
from app.web.limits import BodyReader
from app.web.locale import RememberLocale
from app.web.security import Security
from app.web.templating import Templates

log = logging.getLogger(__name__)

# The route table: every module's router. Matched in this order, one after the other: the
# busiest first (the API and the phones' pages), so a posted card does not test a hundred
# other paths before its own. The templates' paths come from here too (app.web.urls.path).
ROUTE_MODULES: tuple[ModuleType, ...] = (
    api, participant, board, plenary, statements, surveys, export, facilitator, moderation,
    photos, organizer, workshop_admin, attendance, legal,
)


PURGE_FIRST_SECONDS = 300  # after a start, then once a day
PURGE_EVERY_SECONDS = 86400


async def _purge_daily(db: database.Database) -> None:
    """Workshops past their retention date are deleted by the server itself (DSGVO), also on
    a laptop nobody set a timer on; `zukunft workshop purge-expired` does the same by hand."""

    def purge() -> list[str]:
        with db.transaction() as session:
            gone = retention.purge_expired(session=session)
        if gone:
            db.scrub()
        return gone

    await asyncio.sleep(PURGE_FIRST_SECONDS)
    while True:
        try:
            for line in await run_in_threadpool(purge):
                log.warning("retention passed, deleted: %s", line)
        except Exception:  # a database that is away now is asked again tomorrow
            log.exception("deleting expired workshops failed")
        await asyncio.sleep(PURGE_EVERY_SECONDS)


def create_app(settings: Settings | None = None, *, upgrade: bool = True) -> FastAPI:
    settings = settings or Settings()
    url = settings.resolved_database_url
    if upgrade:
        database.upgrade(url)
    # Several processes on one PostgreSQL share their boards through it; one process has its own.
    bus = PostgresBus(url) if database.is_postgres(url) else LocalBus()
    templates = Templates()
    context = Context(
        settings=settings, db=database.Database(url, bus=bus), bus=bus, templates=templates,
        views=Views(templates), tokens=Tokens(settings.resolved_secret_key),
        limits=Limits(settings.cards_per_minute,
                      contributions_per_minute=settings.contributions_per_minute,
                      votes_per_minute=settings.votes_per_minute,
                      joins_per_address=settings.joins_per_address,
                      joins_per_address_online=settings.joins_per_address_online,
                      sign_ins_per_minute=settings.sign_ins_per_minute),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        bus.bind(asyncio.get_running_loop())
        if isinstance(bus, PostgresBus):
            bus.start(context.db)
            if not await run_in_threadpool(bus.connected.wait, 15):
                log.warning("event listener is not connected yet; boards follow once it is")
        purging = asyncio.create_task(_purge_daily(context.db))
        yield
        purging.cancel()
        if isinstance(bus, PostgresBus):
            await run_in_threadpool(bus.close)
        context.db.dispose()

    app = FastAPI(
        title="Zukunftskonferenz", version="0.1.0", lifespan=lifespan,
        docs_url=None, redoc_url=None, openapi_url="/api/v1/openapi.json",
    )

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        """The OpenAPI schema to browse, with Swagger UI from our own server (no CDN)."""
        return HTMLResponse(templates.render("api_docs.html"))

    app.state.context = context
    # Phones on a weak signal: compress pages and assets (Starlette leaves SSE streams alone).
    app.add_middleware(GZipMiddleware, minimum_size=500)
    # The last one added runs first: the origin check, then the whole body is read.
    app.add_middleware(BodyReader, max_bytes=settings.max_body_bytes,
                       max_upload_bytes=settings.max_upload_bytes,
                       idle_seconds=settings.body_idle_seconds)
    app.add_middleware(Security)
    app.add_middleware(RememberLocale)

    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static")
    for module in ROUTE_MODULES:
        app.include_router(module.router)
    return app


def app_from_environment() -> FastAPI:
    """For `uvicorn --factory` and `zukunft serve --workers N`: settings from the environment."""
    app = create_app(Settings(), upgrade=False)
    tune_interpreter()
    return app


def tune_interpreter() -> None:
    """Settings of the Python interpreter for a serving process, once its app is built.

    Measured with 1,000 participants (docs/performance.md): the burst's p99 stays under the
    target in 6 of 8 runs instead of 1 of 3.
    - The thread that holds SQLite's write lock gives up the GIL for every database call and
      then waits for it again; behind the busy event loop that wait is up to the switch
      interval each time (5 ms by default). 1 ms keeps the lock's holder moving.
    - The objects built so far (routes, templates, table metadata) live as long as the
      process: frozen, the garbage collector stops walking them; and the young generation is
      collected after 20,000 allocations instead of 700 (a request makes thousands).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    sys.setswitchinterval(0.001)
