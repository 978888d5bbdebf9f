"""Country of registration from the ICAO 24-bit address.

The allocation table is ICAO Annex 10 Vol III, Part I, Chapter 9, Appendix (Table 9-1), as
bundled in ``pipeline/data/refdata/icao24_allocations.csv`` with its citation. An address
outside every allocated block yields no country, with the reason, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.identify.ranges import RangeTable, load_range_csv, refdata_dir


@dataclass(frozen=True, slots=True)
class CountryVerdict:
    country: str | None  # ISO 3166-1 alpha-2
    reason: str


class IcaoCountryTable:
    def __init__(self, table: RangeTable[str]) -> None:
        self._table = table

    @classmethod
    def load(cls, path: Path | None = None) -> IcaoCountryTable:
        path = path or refdata_dir() / "icao24_allocations.csv"
        return cls(load_range_csv(path, lambda row: row["country_iso2"]))

    def country_of(self, icao24: str | None) -> CountryVerdict:
        if icao24 is None:
            return CountryVerdict(None, "no ICAO address")
        address = int(icao24, 16)
        found = self._table.lookup(address)
        if found is None:
            return CountryVerdict(None, f"{icao24} is in no allocated ICAO block")
        return CountryVerdict(found.value, f"ICAO block {found.start:06x}-{found.end:06x} "
                                           f"allocated to {found.value}")
