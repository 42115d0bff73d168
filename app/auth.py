"""Secrets that stand for a person: participant tokens and facilitator tokens.

A participant token is the participant's public id, signed. A facilitator token is derived
from the secret key, the workshop and a version number, so nothing secret is stored in the
database and raising the version (rotation) invalidates every old link at once.
"""

import base64
import hashlib
import hmac

from itsdangerous import BadSignature, URLSafeSerializer

from app.models import Workshop


class Tokens:
    def __init__(self, secret_key: str) -> None:
        self._secret = secret_key.encode()
        self._participants = URLSafeSerializer(secret_key, salt="participant")

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
