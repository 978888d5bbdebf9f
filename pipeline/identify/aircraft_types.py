"""ICAO Doc 8643 type designators and whether they are military types.

From ``pipeline/data/refdata/aircraft_types.csv`` (cited per row). One designator may have
several rows (TU95 covers the Tu-95 and Tu-142; SU27 the Su-27/30/35 family): a designator
is military when any of its rows says so. Rows without a designator are skipped.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from pipeline.identify.ranges import refdata_dir


@dataclass(frozen=True, slots=True)
class AircraftType:
    designator: str
    names: tuple[str, ...]
    military: bool


class AircraftTypes:
    def __init__(self, types: dict[str, AircraftType]) -> None:
        self._types = types

    @classmethod
    def load(cls, path: Path | None = None) -> AircraftTypes:
        path = path or refdata_dir() / "aircraft_types.csv"
        types: dict[str, AircraftType] = {}
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                code = row["designator"].strip().upper()
                if not code:
                    continue
                seen = types.get(code)
                military = row["military"].strip().lower() == "true"
                types[code] = AircraftType(
                    code, (*(seen.names if seen else ()), row["name"]),
                    military or (seen.military if seen else False))
        return cls(types)

    def get(self, designator: str | None) -> AircraftType | None:
        return None if designator is None else self._types.get(designator.strip().upper())
