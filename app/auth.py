"""Secrets that stand for a person: participant tokens and facilitator tokens.

A participant token is the participant's public id, signed. A facilitator token is derived
from the secret key, the workshop and a version number, so nothing secret is stored in the
database and raising the version (rotation) invalidates every old link at once.
"""

import base64
import hashlib
import hmac

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from app.models import Workshop


class Tokens:
    def __init__(self, secret_key: str) -> None:
        self._secret = secret_key.encode()
        self._participants = URLSafeSerializer(secret_key, salt="participant")
        self._setup = URLSafeTimedSerializer(secret_key, salt="first-organizer")

    def participant_token(self, public_id: str) -> str:
        return self._participants.dumps(public_id)

    def participant_public_id(self, token: str | None) -> str | None:
        if not token or len(token) > 200:
            return None
        try:
            value = self._participants.loads(token)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def derive(self, purpose: str) -> str:
        """A token for `purpose` that only the holder of the secret key can compute."""
        digest = hmac.new(self._secret, purpose.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:24]).decode()

    @staticmethod
    def same(expected: str, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())

    def facilitator_token(self, workshop: Workshop) -> str:
        return self.derive(f"facilitator:{workshop.id}:{workshop.facilitator_token_version}")

    def is_facilitator(self, workshop: Workshop, token: str | None) -> bool:
        return self.same(self.facilitator_token(workshop), token)

    def setup_token(self) -> str:
        """The one-time link's secret for choosing the first organizer password: it expires
        after SETUP_HOURS and stops working once a password is set (see routes/organizer)."""
        return self._setup.dumps("setup")

    def setup_state(self, token: str | None) -> str:
        """"valid", "expired" or "invalid"."""
        if not token or len(token) > 200:
            return "invalid"
        try:
            self._setup.loads(token, max_age=SETUP_HOURS * 3600)
        except SignatureExpired:
            return "expired"
        except BadSignature:
            return "invalid"
        return "valid"


SETUP_HOURS = 24
