"""Reports held until the watermark passes them, then handed out in event-time order.

Per track, the held reports are kept sorted by time; reports of one track with the same
time are ordered by :func:`order` (never by arrival, which differs from run to run), and
identical ones (the same message heard by two receivers, or sent twice after a restart) are
held once. A heap
over the tracks' oldest held time finds who is due without a scan.

:class:`Held` is the partition-level index over a store of ``track key -> held reports``;
it is derived state, rebuilt from the store after a restart.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from typing import Protocol

from pipeline.model.track import TrackUpdate

HeldReport = tuple[int, bytes, TrackUpdate]
"""(event time, encoded update, the update), in :func:`order`."""
HeldReports = tuple[HeldReport, ...]
"""One track's held reports, sorted."""


class HeldTable(Protocol):
    def get(self, key: bytes, /) -> HeldReports | None: ...

    def __setitem__(self, key: bytes, value: HeldReports, /) -> None: ...

    def __delitem__(self, key: bytes, /) -> None: ...

    def items(self) -> Iterable[tuple[bytes, HeldReports]]: ...


def order(report: HeldReport) -> tuple[int, bool, bytes]:
    """A track's reports by time; at one instant, what has no position first (a callsign or
    a squawk of that instant then reaches the position's point), then by encoding."""
    return (report[0], report[2].lat_deg is not None, report[1])


def hold(held: HeldReports | None, raw: bytes, update: TrackUpdate) -> HeldReports:
    """``held`` with one more report, kept in :func:`order`; an identical report is held
    once."""
    item = (update.ts_ms, raw, update)
    if not held:
        return (item,)
    if order(item) > order(held[-1]):
        return (*held, item)
    if any(ts == item[0] and r == raw for ts, r, _ in held):
        return held
    return tuple(sorted((*held, item), key=order))


class Held:
    """The tracks of one partition with held reports, by their oldest held time."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, bytes]] = []
        self._oldest: dict[bytes, int] = {}

    def __len__(self) -> int:
        return len(self._oldest)

    @classmethod
    def rebuild(cls, table: HeldTable) -> Held:
        index = cls()
        for key, reports in table.items():
            if reports:
                index.note(key, reports[0][0])
        return index

    def note(self, key: bytes, oldest_ms: int) -> None:
        """The track ``key``'s oldest held report is at ``oldest_ms``."""
        known = self._oldest.get(key)
        if known is None or oldest_ms < known:
            self._oldest[key] = oldest_ms
            heapq.heappush(self._heap, (oldest_ms, key))

    def due(self, table: HeldTable, upto_ms: int) -> list[tuple[int, bytes, TrackUpdate]]:
        """Take every held report at or before ``upto_ms``: (time, track key, update),
        in time order, a track's reports in their held order."""
        heap, oldest = self._heap, self._oldest
        keys: list[bytes] = []
        while heap and heap[0][0] <= upto_ms:
            ts, key = heapq.heappop(heap)
            if oldest.get(key) != ts:
                continue  # a stale entry
            del oldest[key]
            keys.append(key)
        taken: list[tuple[int, bytes, TrackUpdate]] = []
        for key in keys:
            reports = table.get(key) or ()
            cut = 0
            while cut < len(reports) and reports[cut][0] <= upto_ms:
                cut += 1
            taken.extend((ts, key, update) for ts, _, update in reports[:cut])
            rest = reports[cut:]
            if rest:
                table[key] = rest
                self.note(key, rest[0][0])
            else:
                del table[key]
        taken.sort(key=lambda item: (item[0], item[1]))  # stable: a track keeps its order
        return taken
