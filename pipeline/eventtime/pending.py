"""Reports held until the watermark passes them, then handed out in event-time order.

Per track, the held reports are kept sorted by time; reports of one track with the same
time are ordered by :func:`order` (never by arrival, which differs from run to run), and
identical ones (the same message heard by two receivers, or sent twice after a restart) are
held once. A report's encoding is made only when needed: for such a tie, or when the held
reports are written to the changelog. A heap
over the tracks' oldest held time finds who is due without a scan.

:class:`Held` is the partition-level index over a store of ``track key -> held reports``;
it is derived state, rebuilt from the store after a restart.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from typing import Protocol

from pipeline.model.track import TrackUpdate

HeldReport = tuple[int, bytes | None, TrackUpdate]
"""(event time, encoded update or None until needed, the update), in :func:`order`."""
HeldReports = tuple[HeldReport, ...]
"""One track's held reports, sorted."""
Encode = Callable[[TrackUpdate], bytes]


class HeldTable(Protocol):
    def get(self, key: bytes, /) -> HeldReports | None: ...

    def __setitem__(self, key: bytes, value: HeldReports, /) -> None: ...

    def __delitem__(self, key: bytes, /) -> None: ...

    def items(self) -> Iterable[tuple[bytes, HeldReports]]: ...


def order(report: tuple[int, bytes, TrackUpdate]) -> tuple[int, bool, bytes]:
    """A track's reports by time; at one instant, what has no position first (a callsign or
    a squawk of that instant then reaches the position's point), then by encoding."""
    return (report[0], report[2].lat_deg is not None, report[1])


def encoded(reports: HeldReports, encode: Encode) -> tuple[tuple[int, bytes, TrackUpdate], ...]:
    """``reports`` with every encoding filled in (for the changelog, or to order a tie)."""
    return tuple((ts, raw if raw is not None else encode(update), update)
                 for ts, raw, update in reports)


def hold(held: HeldReports | None, raw: bytes | None, update: TrackUpdate,
         encode: Encode) -> HeldReports:
    """``held`` with one more report, kept in :func:`order`; an identical report is held
    once. ``raw`` is the update's encoding if known; it is made with ``encode`` only when
    the order needs it (two reports of one instant)."""
    item = (update.ts_ms, raw, update)
    if not held:
        return (item,)
    if item[0] > held[-1][0]:
        return (*held, item)  # the common case: newer than everything held
    full = encoded((*held, item), encode)
    unique = {(ts, raw_): (ts, raw_, u) for ts, raw_, u in full}
    return tuple(sorted(unique.values(), key=order))


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

    def due(self, table: HeldTable, upto_ms: int) -> list[tuple[bytes, TrackUpdate]]:
        """Take every held report at or before ``upto_ms``: (track key, update), track by
        track in the order of their oldest report, each track's reports in held order.
        (Tracks are independent: the order across tracks changes no output's content.)"""
        heap, oldest = self._heap, self._oldest
        taken: list[tuple[bytes, TrackUpdate]] = []
        later: list[tuple[bytes, int]] = []
        while heap and heap[0][0] <= upto_ms:
            ts, key = heapq.heappop(heap)
            if oldest.get(key) != ts:
                continue  # a stale entry
            del oldest[key]
            reports = table.get(key) or ()
            if reports[-1][0] <= upto_ms:  # the common case: all of them
                taken.extend((key, update) for _, _, update in reports)
                del table[key]
                continue
            cut = 0
            while reports[cut][0] <= upto_ms:
                cut += 1
            taken.extend((key, update) for _, _, update in reports[:cut])
            table[key] = reports[cut:]
            later.append((key, reports[cut][0]))
        for key, ts in later:  # noted after the loop: they are not due now
            self.note(key, ts)
        return taken
