"""Is this worker alive, and is it ready? The answers behind ``/healthz`` and ``/readyz``.

Liveness: the processing loop calls :meth:`Health.beat` on every iteration, idle or not (an
idle ``getmany`` returns empty after its timeout, so an idle loop still beats). The worker
is alive while the last beat is younger than the liveness window; a loop stuck in a call
that never returns stops beating, and the orchestrator restarts the process. Before the
first beat (start-up: topics, group join, state recovery) the worker counts as alive for a
start-up grace period instead.

Readiness: set by the runtime with a reason (``starting`` until it says otherwise; ready
once it consumes; not ready while it stops).

The clock is injected (monotonic seconds), so the judgement is testable without waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

LIVENESS_WINDOW_S = 30.0
"""Longest silence between beats of a live loop: an idle ``getmany`` returns after its
timeout, a rebalance takes seconds (about 6 s on the embedded broker), and the decode
handlers run 40-50k records/s (``bench/results/decode_*.json``), so even a 10,000-record
batch takes a fraction of a second: 30 s without a beat is far outside normal."""

STARTUP_GRACE_S = 300.0
"""Alive without a beat for this long after start: creating topics, joining the group
(half the session timeout on Tansu, docs/broker-differences.md) and recovering state from
the changelogs come first."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """An answer of a probe: ``ok`` (HTTP 200, else 503) and a one-line text."""

    ok: bool
    text: str


class Health:
    """Beats and readiness of one worker; safe to use from any thread."""

    def __init__(self, liveness_window_s: float = LIVENESS_WINDOW_S,
                 startup_grace_s: float = STARTUP_GRACE_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if liveness_window_s <= 0 or startup_grace_s <= 0:
            raise ValueError("liveness window and start-up grace must be positive")
        self.liveness_window_s = liveness_window_s
        self.startup_grace_s = startup_grace_s
        self._clock = clock
        self._lock = threading.Lock()
        self._started_s = clock()
        self._last_beat_s: float | None = None
        self._ready = False
        self._reason = "starting"

    def beat(self) -> None:
        """The processing loop is alive (call once per iteration, also when idle)."""
        now = self._clock()
        with self._lock:
            self._last_beat_s = now

    def set_ready(self, ready: bool, reason: str) -> None:
        """Ready (or not) to do its work, and why: shown by ``/readyz``."""
        with self._lock:
            self._ready = ready
            self._reason = reason

    @property
    def ready(self) -> bool:
        with self._lock:
            return self._ready

    def liveness(self) -> Verdict:
        """Alive while the last beat is younger than the window (start-up: the grace)."""
        now = self._clock()
        with self._lock:
            last = self._last_beat_s
        if last is None:
            age = now - self._started_s
            if age < self.startup_grace_s:
                return Verdict(True, f"ok: starting, no beat yet ({age:.1f} s since start)")
            return Verdict(False, f"no beat in {age:.1f} s since start "
                                  f"(start-up grace {self.startup_grace_s:g} s)")
        age = now - last
        if age < self.liveness_window_s:
            return Verdict(True, "ok")
        return Verdict(False, f"last beat {age:.1f} s ago "
                              f"(liveness window {self.liveness_window_s:g} s)")

    def readiness(self) -> Verdict:
        """Ready as last set, with the reason."""
        with self._lock:
            ready, reason = self._ready, self._reason
        return Verdict(ready, f"ready: {reason}" if ready else f"not ready: {reason}")
