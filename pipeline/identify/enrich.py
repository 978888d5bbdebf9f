"""Everything known about a track, gathered for the identity rules, with its provenance.

The evidence comes from the reference tables (ICAO allocations, MMSI MIDs, military ranges,
Doc 8643 types, squawk codes), the watch-list and the track's own report. Each verdict keeps
where it came from, so an identification event can say why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.identify.aircraft_types import AircraftTypes
from pipeline.identify.evaluations import Evaluations
from pipeline.identify.flightplan import FlightPlanBook
from pipeline.identify.icao_country import CountryVerdict, IcaoCountryTable
from pipeline.identify.military import MilitaryRanges
from pipeline.identify.mmsi_country import MidTable
from pipeline.identify.rules import Decision, RuleTable
from pipeline.identify.squawk import SquawkMeaning, SquawkTable
from pipeline.identify.watchlist import WatchEntry, Watchlist
from pipeline.model.track import TrackKind, TrackPoint

DEFAULT_ALLIED_COUNTRIES = frozenset({"US", "CA"})
"""NORAD's two nations: the default own/allied set for the Alaska scenario."""


@dataclass
class IdentifyContext:
    """The tables and lists the identify stage reads; watch-list and plans change live."""

    countries: IcaoCountryTable
    mids: MidTable
    military: MilitaryRanges
    types: AircraftTypes
    squawks: SquawkTable
    rules: RuleTable
    allied: frozenset[str]
    watchlist: Watchlist = field(default_factory=Watchlist)
    plans: FlightPlanBook = field(default_factory=FlightPlanBook)
    evaluations: Evaluations[tuple[Decision, Enrichment]] = field(
        default_factory=Evaluations, compare=False, repr=False)
    """The identify stage's kept evaluations (``evaluations.py``); the reference tables
    above are fixed for the life of a context, the watch-list and the rules are checked."""

    @classmethod
    def load(cls, rules: RuleTable, allied: frozenset[str]) -> IdentifyContext:
        """With the bundled reference tables."""
        return cls(IcaoCountryTable.load(), MidTable.load(), MilitaryRanges.load(),
                   AircraftTypes.load(), SquawkTable.load(), rules, allied)


@dataclass(frozen=True, slots=True)
class Enrichment:
    country: str | None
    country_reason: str
    military: bool | None
    military_reason: str | None
    military_state: str | None  # the state whose military the verdict names
    aircraft_type: str | None
    type_military: bool | None
    type_reason: str | None
    watch: WatchEntry | None
    disposition: str | None
    squawk: SquawkMeaning | None

    def evidence(self) -> list[str]:
        lines = [self.country_reason]
        for extra in (self.military_reason, self.type_reason):
            if extra:
                lines.append(extra)
        if self.watch is not None:
            lines.append(f"watch-list {self.watch.key} category {self.watch.category!r} "
                         f"({self.disposition or 'no disposition'}) from {self.watch.source}")
        if self.squawk is not None:
            lines.append(f"squawk {self.squawk.code}: {self.squawk.meaning}")
        return lines


def _mmsi(point: TrackPoint) -> str | None:
    return point.track_id[5:] if point.track_id.startswith("mmsi:") else None


def enrich(point: TrackPoint, ctx: IdentifyContext) -> Enrichment:
    """Country, military, type, watch-list and squawk verdicts for the track of ``point``."""
    mmsi = _mmsi(point)
    country: CountryVerdict
    if point.kind is TrackKind.VESSEL or mmsi is not None:
        country = ctx.mids.country_of(mmsi)
    else:
        country = ctx.countries.country_of(point.icao24)
    watch = ctx.watchlist.match(icao24=point.icao24, mmsi=mmsi, callsign=point.callsign)
    disposition = ctx.rules.disposition(watch.category if watch else None)

    ranged = ctx.military.verdict(point.icao24)
    military, military_reason, military_state = ranged.military, ranged.reason, ranged.country
    if military is None and point.military_flag is not None:
        military = point.military_flag
        military_reason = (f"source aircraft database (readsb dbFlags) says "
                           f"{'military' if military else 'not military'}")
        military_state = country.country if military else None
    if military is None and watch is not None and watch.military is not None:
        military = watch.military
        military_reason = f"watch-list {watch.key} #CMPG says {'Mil' if military else 'not Mil'}"
        military_state = country.country if military else None

    # The type: the watch-list's, else the one the source reported (readsb ``t``).
    designator = watch.icao_type if watch is not None and watch.icao_type else (
        point.aircraft_type.upper() if point.aircraft_type else None)
    known = ctx.types.get(designator)
    type_military = known.military if known is not None else None
    type_reason = (f"type {designator} ({known.names[0]}) is "
                   f"{'a military' if known.military else 'a civil'} type (ICAO Doc 8643)"
                   if known is not None and designator is not None else None)
    return Enrichment(country.country, country.reason, military, military_reason,
                      military_state, designator, type_military, type_reason, watch,
                      disposition, ctx.squawks.meaning(point.squawk))
