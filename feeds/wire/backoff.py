"""When to try again: the one reconnect policy of every client (consoles, simulator, gateways).

Connection trouble is retried after 0.2 s, doubling up to 5 s, with jitter
so that forty seats do not reconnect in step after a hub restart; a client
that was welcomed starts again from the shortest delay.  A refusal or a bad
address is not retried.
"""

from __future__ import annotations

import random

from websockets.client import process_exception
from websockets.exceptions import ConnectionClosed

START_S = 0.2
CAP_S = 5.0
JITTER = 0.2  # ± share of the delay


class Backoff:
    def __init__(self, start: float = START_S, cap: float = CAP_S, jitter: float = JITTER) -> None:
        self.start, self.cap, self.jitter = start, cap, jitter
        self._next = start

    def delay(self) -> float:
        """The wait before the next attempt; each call doubles the one after, up to the cap."""
        base, self._next = self._next, min(2 * self._next, self.cap)
        return base * random.uniform(1 - self.jitter, 1 + self.jitter)

    def reset(self) -> None:
        """The link worked: the next loss is retried quickly again."""
        self._next = self.start


def retryable(exc: BaseException) -> bool:
    """Connection trouble is worth another try; a refusal or a bad URL is not."""
    if isinstance(exc, (ConnectionClosed, OSError, TimeoutError)):
        return True
    return isinstance(exc, Exception) and process_exception(exc) is None
