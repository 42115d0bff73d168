"""Per-process rate limits: a sliding window of timestamps per key."""

import math
import threading
import time
from collections import deque

from app.errors import TooManyRequests

__all__ = ["Limits", "RateLimiter", "TooManyRequests"]


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

    def busiest(self, prefix: str = "", now: float | None = None) -> tuple[int, int]:
        """Events within the window of the keys starting with `prefix`: all together, and the
        most of any one key."""
        now = time.monotonic() if now is None else now
        with self._lock:
            recent = [sum(1 for t in events if t > now - self.window)
                      for key, events in self._events.items() if key.startswith(prefix)]
        return sum(recent), max(recent, default=0)


JOIN_WINDOW = 600  # seconds: joins per address are counted over ten minutes


class Limits:
    """The app's limits. Per participant: cards, remarks and proposals ("contributions"),
    supports and dots ("votes").
    Per address: joins (a venue behind one Wi-Fi shares one address, so generous unless the
    workshop is open online, where people join from their own connections) and sign-ins."""

    def __init__(self, cards_per_minute: int = 20, *, contributions_per_minute: int = 6,
                 votes_per_minute: int = 30, joins_per_address: int = 300,
                 joins_per_address_online: int = 10, sign_ins_per_minute: int = 5) -> None:
        self.cards = RateLimiter(cards_per_minute, 60)
        self.contributions = RateLimiter(contributions_per_minute, 60)
        self.votes = RateLimiter(votes_per_minute, 60)
        self.joins = RateLimiter(joins_per_address, JOIN_WINDOW)
        self.joins_online = RateLimiter(joins_per_address_online, JOIN_WINDOW)
        self.sign_ins = RateLimiter(sign_ins_per_minute, 60)

    def card(self, participant_key: str) -> None:
        wait = self.cards.hit(participant_key)
        if wait is not None:
            raise TooManyRequests("Sie haben gerade sehr viele Karten geschickt. Bitte warten "
                                  "Sie {seconds} Sekunden.", wait)

    def contribution(self, participant_key: str) -> None:
        wait = self.contributions.hit(participant_key)
        if wait is not None:
            raise TooManyRequests("Sie haben gerade sehr viel geschickt. Bitte warten Sie "
                                  "{seconds} Sekunden.", wait)

    def vote(self, participant_key: str) -> None:
        """Supports, their withdrawal, dots and their removal: each redraws every phone."""
        wait = self.votes.hit(participant_key)
        if wait is not None:
            raise TooManyRequests("Sie haben gerade sehr oft abgestimmt. Bitte warten Sie "
                                  "{seconds} Sekunden.", wait)

    def join(self, workshop_id: int, address: str, *, online: bool = False) -> None:
        key = f"{workshop_id}:{address}"
        wait = (self.joins_online if online else self.joins).hit(key)
        if online and wait is None:
            self.joins.hit(key)  # the console's figures count every join
        if wait is not None:
            raise TooManyRequests("Von diesem Netzwerk sind gerade sehr viele beigetreten. Bitte "
                                  "in {seconds} Sekunden noch einmal versuchen.", wait)

    def recent_joins(self, workshop_id: int) -> tuple[int, int]:
        """Joins to the workshop in the last ten minutes, and the most through one address."""
        return self.joins.busiest(f"{workshop_id}:")

    def sign_in(self, address: str) -> None:
        wait = self.sign_ins.hit(address)
        if wait is not None:
            raise TooManyRequests("Zu viele Anmeldeversuche. Bitte warten Sie {seconds} "
                                  "Sekunden und versuchen Sie es dann noch einmal.", wait)
