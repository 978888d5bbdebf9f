"""Special Mode A codes and their meaning (``pipeline/data/refdata/squawks.csv``, cited).

7500, 7600 and 7700 are emergencies worldwide (ICAO; EU SERA.13005; FAA AIM 4-1-20, 6-2-2);
the other codes in the table carry a meaning worth showing but are not emergencies.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from pipeline.identify.ranges import refdata_dir

EMERGENCY_CODES = frozenset({"7500", "7600", "7700"})


@dataclass(frozen=True, slots=True)
class SquawkMeaning:
    code: str
    meaning: str
    scope: str
    emergency: bool


class SquawkTable:
    def __init__(self, codes: dict[str, SquawkMeaning]) -> None:
        self._codes = codes

    @classmethod
    def load(cls, path: Path | None = None) -> SquawkTable:
        path = path or refdata_dir() / "squawks.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return cls({row["code"]: SquawkMeaning(row["code"], row["meaning"], row["scope"],
                                               row["code"] in EMERGENCY_CODES) for row in rows})

    def meaning(self, code: str | None) -> SquawkMeaning | None:
        return None if code is None else self._codes.get(code)
