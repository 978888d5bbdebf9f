"""Sorted, non-overlapping ICAO 24-bit address ranges with a value each, looked up by bisection."""

from __future__ import annotations

import bisect
import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class AddressRange(Generic[V]):
    start: int
    end: int  # inclusive
    value: V


class RangeTable(Generic[V]):
    """Address -> value for the range that holds it, or None."""

    def __init__(self, ranges: Iterable[AddressRange[V]]) -> None:
        self._ranges = sorted(ranges, key=lambda r: r.start)
        for a, b in zip(self._ranges, self._ranges[1:], strict=False):
            if b.start <= a.end:
                raise ValueError(f"overlapping ranges {a.start:06X}-{a.end:06X} and "
                                 f"{b.start:06X}-{b.end:06X}")
        self._starts = [r.start for r in self._ranges]

    def __len__(self) -> int:
        return len(self._ranges)

    def lookup(self, address: int) -> AddressRange[V] | None:
        i = bisect.bisect_right(self._starts, address) - 1
        if i >= 0 and self._ranges[i].end >= address:
            return self._ranges[i]
        return None


def load_range_csv(path: Path, value: Callable[[dict[str, str]], V]) -> RangeTable[V]:
    """Read ``start_hex,end_hex,...`` rows; ``value`` builds each range's value from its row."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return RangeTable(
        AddressRange(int(row["start_hex"], 16), int(row["end_hex"], 16), value(row))
        for row in rows
    )


def refdata_dir() -> Path:
    """The bundled reference tables (see ``pipeline/data/refdata/SOURCES.md``)."""
    return Path(__file__).resolve().parent.parent / "data" / "refdata"
