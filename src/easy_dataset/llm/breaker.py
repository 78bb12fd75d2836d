"""Per-endpoint circuit breakers: an endpoint that keeps failing to answer counts as down.

After `unreachable_after` connection failures or timeouts in a row (any HTTP reply, even an
error status, proves the endpoint is up and resets the count), or once a call has spent all
its attempts with no reply while nobody else got one, every call to that endpoint fails at
once with `EndpointUnreachableError` instead of being sent, so a job pauses with one clear
reason rather than retrying each item against a dead server. A new run of a job (resume,
from any interface) closes the breakers again with `reset_all`.
"""

from __future__ import annotations

import threading

from easy_dataset.errors import EndpointUnreachableError
from easy_dataset.llm.presets import resolve_base_url
from easy_dataset.llm.types import ModelConfig

# Error kinds that say the endpoint did not answer at all.
UNANSWERED = frozenset({"connection", "timeout"})
# Fewer unanswered attempts of one call than this say too little (a test connection's one
# retry, say): the call's own error is the better report.
SILENT_ATTEMPTS = 3


class CircuitBreaker:
    """Counts unanswered calls in a row for one endpoint; open once the count reaches K."""

    def __init__(self, endpoint: str, threshold: int) -> None:
        self.endpoint = endpoint
        self.threshold = threshold
        self._lock = threading.Lock()
        self._in_a_row = 0
        self._last_error = ""

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._in_a_row >= self.threshold

    def check(self) -> None:
        """Raise EndpointUnreachableError when the endpoint counts as down."""
        with self._lock:
            if self._in_a_row < self.threshold:
                return
            count, last = self._in_a_row, self._last_error
        raise EndpointUnreachableError(self.endpoint, count, last)

    def record(self, error_kind: str | None, message: str = "") -> None:
        """Note how an attempt ended: None for a reply (of any status), else its error kind."""
        with self._lock:
            if error_kind in UNANSWERED:
                self._in_a_row += 1
                self._last_error = message
            elif error_kind != "cancelled":  # a call we cancelled says nothing either way
                self._in_a_row = 0

    def trip_if_silent(self, attempts: int) -> EndpointUnreachableError | None:
        """After a call gave up: when its `attempts` were the latest unanswered ones in a row
        (nobody got a reply meanwhile), the endpoint is down, not this call's request."""
        with self._lock:
            if attempts < SILENT_ATTEMPTS or self._in_a_row < attempts:
                return None
            count, last = self._in_a_row, self._last_error
            self._in_a_row = max(self._in_a_row, self.threshold)
        return EndpointUnreachableError(self.endpoint, count, last)

    def reset(self) -> None:
        with self._lock:
            self._in_a_row = 0
            self._last_error = ""


_registry: dict[str, CircuitBreaker] = {}
_registry_lock = threading.Lock()


def breaker_for(config: ModelConfig) -> CircuitBreaker:
    """The process-wide breaker of the config's endpoint, with the config's threshold."""
    endpoint = resolve_base_url(config)
    with _registry_lock:
        breaker = _registry.get(endpoint)
        if breaker is None:
            breaker = _registry[endpoint] = CircuitBreaker(endpoint, config.unreachable_after)
        else:
            breaker.threshold = config.unreachable_after
        return breaker


def reset_all() -> None:
    """Close every breaker: the next call to each endpoint is sent and tells again."""
    with _registry_lock:
        breakers = list(_registry.values())
    for breaker in breakers:
        breaker.reset()
