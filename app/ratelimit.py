"""Per-process rate limits: a sliding window of timestamps per key."""

import math
import threading
import time
from collections import deque

from app.errors import DomainError


class TooManyRequests(DomainError):
    status_code = 429

    def __init__(self, message: str, retry_after: int, **params: object) -> None:
        super().__init__(message, seconds=retry_after, **params)
        self.retry_after = retry_after


class RateLimiter:
    """At most `limit` events per `window` seconds for each key."""

    def __init__(self, limit: int, window: float, *, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> int | None:
        """Count one event; None if allowed, else the seconds until the next one is."""
        now = time.monotonic() if now is None else now
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return max(1, math.ceil(events[0] + self.window - now))
            events.append(now)
            if len(self._events) > self.max_keys:  # forget idle keys now and then
                for stale in [k for k, v in self._events.items() if not v][:1000]:
                    del self._events[stale]
            return None


class Limits:
    """The app's limits: cards per participant, joins per address (a whole venue shares one)."""

    def __init__(self, cards_per_minute: int = 20, joins_per_minute: int = 3000) -> None:
        self.cards = RateLimiter(cards_per_minute, 60)
        self.joins = RateLimiter(joins_per_minute, 60)

    def card(self, participant_key: str) -> None:
        wait = self.cards.hit(participant_key)
        if wait is not None:
            raise TooManyRequests("Sie haben gerade sehr viele Karten geschickt. Bitte warten "
                                  "Sie {seconds} Sekunden.", wait)

    def join(self, address: str) -> None:
        wait = self.joins.hit(address)
        if wait is not None:
            raise TooManyRequests("Gerade treten sehr viele gleichzeitig bei. Bitte in {seconds} "
                                  "Sekunden noch einmal versuchen.", wait)
