"""How errors reach people: JSON `{"detail": ...}` under /api, a German page elsewhere."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, DBAPIError, StatementError
from starlette.exceptions import HTTPException

from app.db import unavailable
from app.errors import N_, DomainError, describe_validation
from app.web.deps import JoinFirst, SignInFirst, get_context, locale_of
from app.web.render import render

log = logging.getLogger(__name__)

_STATUS_MESSAGES = {
    400: N_("Die Anfrage war fehlerhaft."),
    401: N_("Bitte melden Sie sich an."),
    403: N_("Dafür fehlt Ihnen die Berechtigung."),
    404: N_("Diese Seite gibt es nicht. Prüfen Sie die Adresse oder beginnen Sie auf der "
            "Startseite."),
    405: N_("Diese Aktion ist hier nicht möglich."),
    413: N_("Die Anfrage ist zu groß."),
    500: N_("Da ist bei uns etwas schiefgegangen. Bitte versuchen Sie es gleich noch einmal."),
}
UNAVAILABLE = N_("Ihre Eingabe ist gerade nicht speicherbar – bitte gleich noch einmal "
                 "versuchen. Nichts, was schon angekommen war, geht verloren.")
UNSTORABLE = N_("Die Eingabe enthält Zeichen, die sich nicht speichern lassen (etwa ein "
                "Null-Byte). Bitte geben Sie den Text neu ein.")
RETRY_SECONDS = 5


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status_code: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status_code)
    return render(request, "error.html", status_code=status_code, message=message,
                  status=status_code)


def _translate(request: Request, message: str) -> str:
    return get_context(request).templates.gettext(locale_of(request))(message)


def _validation_message(request: Request, exc: RequestValidationError) -> tuple[int, str]:
    errors = exc.errors()
    if any(error.get("type") == "json_invalid" for error in errors):
        return 400, _translate(request, N_("Der Inhalt ist kein gültiges JSON."))
    parts = []
    for error in errors[:5]:
        where, text = describe_validation(error, translate=lambda m: _translate(request, m))
        parts.append(f"{where}: {text}" if where else text)
    return 422, _translate(request, N_("Ungültige Eingabe")) + " – " + "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        gettext = get_context(request).templates.gettext(locale_of(request))
        response = error_response(request, exc.status_code, exc.render(gettext))
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.exception_handler(SignInFirst)
    async def sign_in_first(request: Request, exc: SignInFirst) -> Response:
        return RedirectResponse("/admin", status_code=303)

    @app.exception_handler(JoinFirst)
    async def join_first(request: Request, exc: JoinFirst) -> Response:
        return RedirectResponse(f"/j/{exc.join_code}" + (f"/{exc.to}" if exc.to else ""),
                                status_code=303)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        status_code, message = _validation_message(request, exc)
        return error_response(request, status_code, message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if exc.status_code == 413 else None
        message = message or _STATUS_MESSAGES.get(exc.status_code) or str(exc.detail)
        response = error_response(request, exc.status_code, _translate(request, message))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> Response:
        if isinstance(exc, DataError):  # a value the database refuses (a NUL byte …)
            log.warning("database refused a value on %s %s: %s", request.method,
                        request.url.path, str(exc.orig).strip().splitlines()[0])
            return error_response(request, 422, _translate(request, UNSTORABLE))
        reason = unavailable(exc)
        if reason is None:
            return await unexpected(request, exc)
        # A full disk, a read-only file system, a database restarting: it passes. The write
        # that failed was rolled back, and nobody was told it had been stored.
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path,
                    reason)
        response = error_response(request, 503, _translate(request, UNAVAILABLE))
        response.headers["Retry-After"] = str(RETRY_SECONDS)
        return response

    @app.exception_handler(StatementError)
    async def statement_error(request: Request, exc: StatementError) -> Response:
        if isinstance(exc.orig, ValueError):  # the driver refused a value (a NUL byte …)
            return error_response(request, 422, _translate(request, UNSTORABLE))
        return await unexpected(request, exc)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, _translate(request, _STATUS_MESSAGES[500]))
