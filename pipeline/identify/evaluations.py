"""Identity evaluations remembered while nothing they depend on has changed.

A track inside a zone is evaluated again at every report (an identity may change with new
evidence or a live watch-list update), and almost every report brings the same evidence as
the one before. An evaluation depends only on:

* the report's identifying fields (track id, kind, ICAO address, callsign, readsb military
  flag, type designator, squawk),
* the track's identity state (zones it is in, their flight-plan correlations, the two
  anomaly flags),
* the context: the rule table, the watch-list (changed in place: its ``version`` counts the
  changes), the zone set (replaced on every change) and the fixed reference tables.

So the evaluation is kept under the first two, for as long as the third stays the same
objects at the same watch-list version; any change there forgets every kept evaluation.
Decisions and enrichments are immutable, so one kept answer can be handed out many times.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from pipeline.identify.rules import RuleTable
    from pipeline.identify.watchlist import Watchlist

T = TypeVar("T")

KEPT = 20_000
"""Evaluations kept at most (then all are forgotten): one or a few per track in a zone, so
a worker keeps up to about 20,000 tracks inside zones without re-enriching them (each
kept answer is a few hundred bytes)."""


class Evaluations(Generic[T]):
    """Answers by evaluation key, valid for one rule table, watch-list version and zone set."""

    __slots__ = ("_known", "_rules", "_version", "_watchlist", "_zones")

    def __init__(self) -> None:
        self._known: dict[tuple[object, ...], T] = {}
        self._rules: RuleTable | None = None
        self._watchlist: Watchlist | None = None
        self._version = -1
        self._zones: object = None

    def __len__(self) -> int:
        return len(self._known)

    def get(self, key: tuple[object, ...], rules: RuleTable, watchlist: Watchlist,
            zones: object) -> T | None:
        """The answer kept for ``key`` under this context; None when there is none."""
        if (rules is not self._rules or watchlist is not self._watchlist
                or watchlist.version != self._version or zones is not self._zones):
            self._known.clear()
            self._rules, self._watchlist = rules, watchlist
            self._version, self._zones = watchlist.version, zones
            return None
        return self._known.get(key)

    def put(self, key: tuple[object, ...], answer: T) -> None:
        """Keep ``answer`` (after a :meth:`get` under the same context)."""
        if len(self._known) >= KEPT:
            self._known.clear()
        self._known[key] = answer
