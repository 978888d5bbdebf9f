"""Watch-lists: aircraft in the plane-alert-db layout, vessels in a simple layout.

Aircraft CSV header, as published by plane-alert-db (column names matter, order does not)::

    $ICAO,$Registration,$Operator,$Type,$ICAO Type,#CMPG,$Tag 1,$Tag 2,$Tag 3,Category,$#Link

``#CMPG`` is Civ, Mil, Pol or Gov; ``Mil`` makes the entry a military verdict. An ``$ICAO``
of the form ``callsign:PATTERN`` (``*`` and ``?`` wildcards) matches callsigns instead of an
address. Vessel CSV header: ``MMSI,IMO,name,flag,category``.

Every file is hostile input: a malformed row is reported with its line number and skipped,
never fatal. Ids are read as text; a hex id a spreadsheet turned into a number (``8.40E+11``)
is rejected with that reason. How a category counts (friendly, suspect, hostile) is policy,
set in the identity rules, not here.
"""

from __future__ import annotations

import csv
import fnmatch
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_HEX = frozenset("0123456789abcdefABCDEF")
AIRCRAFT_COLUMNS = ("$ICAO", "$Registration", "$Operator", "$Type", "$ICAO Type", "#CMPG",
                    "$Tag 1", "$Tag 2", "$Tag 3", "Category", "$#Link")
VESSEL_COLUMNS = ("MMSI", "IMO", "name", "flag", "category")
MAX_FIELD = 200


ANSWERS_KEPT = 50_000
"""Remembered answers of :meth:`Watchlist.match` (tracks seen recently)."""


@dataclass(frozen=True, slots=True)
class WatchEntry:
    """One watch-list row. ``key`` is ``icao24:<hex>``, ``mmsi:<digits>`` or ``callsign:<glob>``."""

    key: str
    category: str
    source: str  # file and line, or topic and offset
    name: str | None = None  # registration or vessel name
    operator: str | None = None
    type_name: str | None = None
    icao_type: str | None = None
    military: bool | None = None
    tags: tuple[str, ...] = ()
    flag: str | None = None
    imo: str | None = None
    link: str | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    reason: str


@dataclass
class LoadReport:
    entries: list[WatchEntry] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > MAX_FIELD:
        raise ValueError(f"field longer than {MAX_FIELD} characters")
    return value or None


def parse_icao_key(text: str) -> str:
    """``icao24:<hex>`` or ``callsign:<PATTERN>`` from a ``$ICAO`` cell.

    Raises:
        ValueError: with the reason.
    """
    value = text.strip()
    if value.lower().startswith("callsign:"):
        pattern = value[len("callsign:"):].strip().upper()
        if not pattern or len(pattern) > 8 or not all(c.isalnum() or c in "*?" for c in pattern):
            raise ValueError(f"bad callsign pattern {pattern!r}")
        return f"callsign:{pattern}"
    if "E+" in value.upper() or "." in value:
        raise ValueError(f"hex id {value!r} looks like a number mangled by a spreadsheet")
    if len(value) != 6 or not _HEX.issuperset(value):
        raise ValueError(f"hex id {value!r} is not 6 hex digits")
    return f"icao24:{value.lower()}"


def aircraft_entry(row: Mapping[str, str | None], source: str) -> WatchEntry:
    """One plane-alert-db row. Raises ValueError with the reason."""
    icao = row.get("$ICAO")
    if icao is None:
        raise ValueError("missing $ICAO")
    cmpg = _clean(row.get("#CMPG"))
    category = _clean(row.get("Category"))
    if category is None:
        raise ValueError("missing Category")
    tags = tuple(t for t in (_clean(row.get(f"$Tag {i}")) for i in (1, 2, 3)) if t)
    icao_type = _clean(row.get("$ICAO Type"))
    return WatchEntry(
        key=parse_icao_key(icao), category=category, source=source,
        name=_clean(row.get("$Registration")), operator=_clean(row.get("$Operator")),
        type_name=_clean(row.get("$Type")), icao_type=icao_type.upper() if icao_type else None,
        military=None if cmpg is None else cmpg.lower() == "mil", tags=tags,
        link=_clean(row.get("$#Link")))


def vessel_entry(row: Mapping[str, str | None], source: str) -> WatchEntry:
    """One vessel row. Raises ValueError with the reason."""
    mmsi = (row.get("MMSI") or "").strip()
    if len(mmsi) != 9 or not mmsi.isdigit() or not mmsi.isascii():
        raise ValueError(f"MMSI {mmsi!r} is not 9 digits")
    imo = _clean(row.get("IMO"))
    if imo is not None and not (len(imo) == 7 and imo.isdigit()):
        raise ValueError(f"IMO {imo!r} is not 7 digits")
    category = _clean(row.get("category"))
    if category is None:
        raise ValueError("missing category")
    flag = _clean(row.get("flag"))
    return WatchEntry(key=f"mmsi:{mmsi}", category=category, source=source,
                      name=_clean(row.get("name")), imo=imo,
                      flag=flag.upper() if flag else None)


def load_csv(text: str, source: str) -> LoadReport:
    """Parse an aircraft or vessel watch-list (told apart by the header)."""
    report = LoadReport()
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(reader.fieldnames or ())
    if "$ICAO" in header:
        build = aircraft_entry
    elif "MMSI" in header:
        build = vessel_entry
    else:
        report.errors.append(RowError(1, "header has neither $ICAO nor MMSI"))
        return report
    for row in reader:
        line = reader.line_num
        if None in row:
            report.errors.append(RowError(line, "more fields than the header"))
            continue
        try:
            report.entries.append(build(row, f"{source}:{line}"))
        except ValueError as exc:
            report.errors.append(RowError(line, str(exc)))
    return report


class Watchlist:
    """Entries by key, with callsign patterns tried in load order. Mutable for live updates.

    Every evaluation of a track inside a zone asks for its entry, so answers are remembered
    until the list changes (bounded), and the callsign patterns are kept apart from the
    address entries: a plane-alert-db list has thousands of addresses and few patterns.
    """

    def __init__(self, entries: Iterable[WatchEntry] = ()) -> None:
        self.version = 0
        """Counts the changes (:meth:`put`, :meth:`delete`): answers given before differ."""
        self._by_key: dict[str, WatchEntry] = {}
        self._patterns: dict[str, WatchEntry] = {}  # callsign pattern -> entry, load order
        self._answers: dict[tuple[str | None, str | None, str | None], WatchEntry | None] = {}
        for entry in entries:
            self.put(entry)

    def __len__(self) -> int:
        return len(self._by_key)

    def put(self, entry: WatchEntry) -> None:
        self._by_key[entry.key] = entry
        if entry.key.startswith("callsign:"):
            self._patterns[entry.key[9:]] = entry
        self._answers.clear()
        self.version += 1

    def delete(self, key: str) -> None:
        self._by_key.pop(key, None)
        if key.startswith("callsign:"):
            self._patterns.pop(key[9:], None)
        self._answers.clear()
        self.version += 1

    def match(self, icao24: str | None = None, mmsi: str | None = None,
              callsign: str | None = None) -> WatchEntry | None:
        """The entry for the address or MMSI, else the first callsign pattern that matches."""
        question = (icao24, mmsi, callsign)
        if question in self._answers:
            return self._answers[question]
        if len(self._answers) >= ANSWERS_KEPT:
            self._answers.clear()
        answer = self._answers[question] = self._match(icao24, mmsi, callsign)
        return answer

    def _match(self, icao24: str | None, mmsi: str | None,
               callsign: str | None) -> WatchEntry | None:
        for key in (f"icao24:{icao24}" if icao24 else None, f"mmsi:{mmsi}" if mmsi else None):
            if key is not None and key in self._by_key:
                return self._by_key[key]
        if callsign:
            for pattern, entry in self._patterns.items():
                if fnmatch.fnmatchcase(callsign, pattern):
                    return entry
        return None
