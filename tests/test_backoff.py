"""The one reconnect policy every client uses."""

from __future__ import annotations

from websockets.exceptions import InvalidURI

from feeds.wire.backoff import Backoff, retryable


def test_backoff_doubles_to_five_seconds_and_restarts_after_a_welcome() -> None:
    backoff = Backoff(jitter=0.0)
    delays = [backoff.delay() for _ in range(8)]
    assert delays == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0]
    backoff.reset()
    assert backoff.delay() == 0.2


def test_jitter_keeps_seats_out_of_step() -> None:
    delays = {Backoff().delay() for _ in range(50)}
    assert len(delays) > 1 and all(0.16 <= d <= 0.24 for d in delays)


def test_connection_trouble_is_retried_a_bad_address_is_not() -> None:
    assert retryable(ConnectionRefusedError()) and retryable(TimeoutError())
    assert not retryable(InvalidURI("http://x", "not a WebSocket URI"))
