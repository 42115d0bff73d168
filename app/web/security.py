"""Security headers and a cross-site request check for everything that changes state."""

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
       "object-src 'none'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_REFUSED = (b"Diese Anfrage kam von einer anderen Seite und wurde deshalb abgelehnt. Bitte "
            b"nutzen Sie die Formulare dieser Seite.")


RECEIVED = (b"zk-received", b"1")


class Security:
    """Adds the headers to every answer; refuses state changes sent from another origin.

    Cookies are SameSite=Lax already; checking Origin (or Referer) as well stops cross-site
    form posts in browsers that do not honour SameSite (OWASP: verify the origin).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS and not _same_origin(scope):
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"), *HEADERS]})
            await send({"type": "http.response.body", "body": _REFUSED})
            return

        # A change this server carried out says so: the phone's outbox (static/js/outbox.js)
        # takes nothing else for delivered – not a 200 from a captive portal on the way.
        changes = scope["method"] not in SAFE_METHODS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in HEADERS if h[0] not in existing)]
                if changes and message["status"] < 400:
                    message["headers"].append(RECEIVED)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _same_origin(scope: Scope) -> bool:
    headers: dict[bytes, bytes] = dict(scope["headers"])
    origin = headers.get(b"origin") or headers.get(b"referer")
    if not origin or (origin == b"null" and b"authorization" in headers):
        # No browser context (scripts, curl) or a token-authenticated call: nothing to forge.
        return True
    host = headers.get(b"host", b"").decode("latin-1")
    try:
        return bool(urlsplit(origin.decode("latin-1")).netloc == host)
    except ValueError:  # not even an address ("http://["): certainly not this site
        return False
