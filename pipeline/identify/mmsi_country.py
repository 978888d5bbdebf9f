"""Flag state from an MMSI, following the MMSI formats of ITU-R M.585-9.

| pattern | station | MID at |
|---|---|---|
| ``MIDxxxxxx`` (first digit 2-7) | ship | digits 1-3 |
| ``0MIDxxxxx`` | group of ships | digits 2-4 |
| ``00MIDxxxx`` | coast station | digits 3-5 |
| ``111MIDxxx`` | SAR aircraft | digits 4-6 |
| ``99MIDxxxx`` | aid to navigation | digits 3-5 |
| ``98MIDxxxx`` | craft of a parent ship | digits 3-5 |
| ``8MIDxxxxx`` | handheld VHF with DSC/GNSS | digits 2-4 |
| ``970xxyyyy`` / ``972`` / ``974`` | AIS-SART / MOB / EPIRB-AIS | none |

The MID table (``pipeline/data/refdata/mmsi_mid.csv``) is the ITU's, with its citation. An
MMSI that is malformed, has no MID, or whose MID is unallocated gets no country, with the
reason: an unallocated MID is a data-quality or spoofing signal, never a guess.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from pipeline.identify.icao_country import CountryVerdict
from pipeline.identify.ranges import refdata_dir

_NO_MID = {"970": "AIS-SART", "972": "MOB device", "974": "EPIRB-AIS"}


@dataclass(frozen=True, slots=True)
class MmsiFormat:
    station: str
    mid: str | None


def mmsi_format(mmsi: str) -> MmsiFormat | None:
    """The station type and MID of a 9-digit MMSI; None when it fits no format."""
    if len(mmsi) != 9 or not mmsi.isdigit() or not mmsi.isascii():
        return None
    if mmsi[:3] in _NO_MID:
        return MmsiFormat(_NO_MID[mmsi[:3]], None)
    if mmsi.startswith("111"):
        return MmsiFormat("SAR aircraft", mmsi[3:6])
    if mmsi.startswith("99"):
        return MmsiFormat("aid to navigation", mmsi[2:5])
    if mmsi.startswith("98"):
        return MmsiFormat("craft of a parent ship", mmsi[2:5])
    if mmsi.startswith("00"):
        return MmsiFormat("coast station", mmsi[2:5])
    if mmsi.startswith("0"):
        return MmsiFormat("group of ships", mmsi[1:4])
    if mmsi.startswith("8"):
        return MmsiFormat("handheld VHF", mmsi[1:4])
    if mmsi[0] in "234567":
        return MmsiFormat("ship", mmsi[:3])
    return None


class MidTable:
    def __init__(self, mids: dict[str, str]) -> None:
        self._mids = mids

    @classmethod
    def load(cls, path: Path | None = None) -> MidTable:
        path = path or refdata_dir() / "mmsi_mid.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            return cls({row["mid"]: row["country_iso2"] for row in csv.DictReader(handle)})

    def country_of(self, mmsi: str | None) -> CountryVerdict:
        if mmsi is None:
            return CountryVerdict(None, "no MMSI")
        fmt = mmsi_format(mmsi)
        if fmt is None:
            return CountryVerdict(None, f"MMSI {mmsi!r} fits no ITU-R M.585 format")
        if fmt.mid is None:
            return CountryVerdict(None, f"MMSI {mmsi} is a {fmt.station}: it carries no MID")
        country = self._mids.get(fmt.mid)
        if country is None:
            return CountryVerdict(None, f"MID {fmt.mid} of {fmt.station} MMSI {mmsi} "
                                        "is not allocated")
        return CountryVerdict(country, f"MID {fmt.mid} ({fmt.station}) allocated to {country}")
