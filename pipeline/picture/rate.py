"""Events per second over a sliding window of whole wall-clock seconds.

Counts go into one bucket per second; the rate is the mean over the last completed seconds
of the window (the current second is still filling, so it would read low). Callers pass the
time; memory is one bucket per second of the window.
"""

from __future__ import annotations

from collections import deque


class RateCounter:
    def __init__(self, window_ms: int = 5_000) -> None:
        self.window_s = max(1, window_ms // 1000)
        self._buckets: deque[list[int]] = deque()  # [second, count], oldest first

    def count(self, now_ms: int, n: int = 1) -> None:
        second = now_ms // 1000
        if self._buckets and self._buckets[-1][0] == second:
            self._buckets[-1][1] += n
        else:
            self._buckets.append([second, n])
        while self._buckets and self._buckets[0][0] < second - self.window_s - 1:
            self._buckets.popleft()

    def per_second(self, now_ms: int) -> float:
        current = now_ms // 1000
        total = sum(n for second, n in self._buckets
                    if current - self.window_s <= second < current)
        return total / self.window_s
