"""Military verdict from the ICAO 24-bit address.

The ranges are community knowledge (tar1090-db ``ranges.json`` with readsb labels), bundled
in ``pipeline/data/refdata/military_icao24_ranges.csv``. An address in a range is military;
outside every range the verdict is *unknown* (None), not civil: many air forces, Russia's
and China's among them, have no published range.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.identify.ranges import RangeTable, load_range_csv, refdata_dir


@dataclass(frozen=True, slots=True)
class MilitaryVerdict:
    military: bool | None
    reason: str | None
    country: str | None = None  # the state operating the range


class MilitaryRanges:
    def __init__(self, table: RangeTable[str]) -> None:
        self._table = table

    @classmethod
    def load(cls, path: Path | None = None) -> MilitaryRanges:
        path = path or refdata_dir() / "military_icao24_ranges.csv"
        return cls(load_range_csv(path, lambda row: row["country_iso2"]))

    def verdict(self, icao24: str | None) -> MilitaryVerdict:
        if icao24 is None:
            return MilitaryVerdict(None, None)
        found = self._table.lookup(int(icao24, 16))
        if found is None:
            return MilitaryVerdict(None, None)
        return MilitaryVerdict(True, f"{icao24} in {found.value} military range "
                                     f"{found.start:06x}-{found.end:06x}", found.value)
