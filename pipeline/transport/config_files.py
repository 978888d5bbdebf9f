"""Watch-lists and flight plans from files, loaded at start (and by the CLI loaders).

Watch-lists are CSV (``identify/watchlist.py``); flight plans are JSON lines, one plan per
line in the ``flightplans`` topic form. Bad rows are reported with file and line and
skipped; a file that cannot be read at all is an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.identify.flightplan import FlightPlan
from pipeline.identify.watchlist import WatchEntry, load_csv
from pipeline.transport.config_codec import decode_flightplan


@dataclass
class FileLoad:
    watch: list[WatchEntry] = field(default_factory=list)
    plans: list[FlightPlan] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "file:line: reason"


def load_watchlist_files(paths: Iterable[Path]) -> FileLoad:
    result = FileLoad()
    for path in paths:
        report = load_csv(path.read_text(encoding="utf-8"), path.name)
        result.watch.extend(report.entries)
        result.errors.extend(f"{path}:{e.line}: {e.reason}" for e in report.errors)
    return result


def load_flightplan_files(paths: Iterable[Path]) -> FileLoad:
    result = FileLoad()
    for path in paths:
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    result.plans.append(decode_flightplan(line))
                except ValueError as exc:
                    result.errors.append(f"{path}:{number}: {exc}")
    return result
