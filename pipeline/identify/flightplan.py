"""Flight plans and their correlation with ADIZ entries.

A plan names the aircraft (callsign and/or ICAO address), its flight rules (DVFR or IFR,
14 CFR 99.11), the planned ADIZ penetration point and time (a DVFR plan must contain them,
14 CFR 99.9(b)(1)) and a validity window. An entry correlates with a plan when the plan is
valid at the entry, names the track (same callsign or same address), and the entry lies
within the time and distance tolerances of the planned penetration.

Default tolerances: +/-5 min, 20 NM over water, 10 NM over land. These are the conventional
figures (former Part 99 / AIM text and the Australian ADIZ procedures, refdata
``adiz_rules.md`` section 3), **not** the current text of 14 CFR Part 99; they are settings,
overridable per zone (zone properties ``fp_time_tolerance_s``, ``fp_distance_nm``,
``surface`` = ``water`` or ``land``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

EARTH_RADIUS_NM = 3440.065
"""Mean Earth radius (6371.0088 km, IUGG) in nautical miles."""

DEFAULT_TIME_TOLERANCE_S = 300
DEFAULT_DISTANCE_WATER_NM = 20.0
DEFAULT_DISTANCE_LAND_NM = 10.0


@dataclass(frozen=True, slots=True)
class FlightPlan:
    plan_id: str
    rules: str  # "DVFR" | "IFR"
    callsign: str | None
    icao24: str | None
    departure: str | None
    penetration_lat_deg: float
    penetration_lon_deg: float
    penetration_ms: int
    valid_from_ms: int
    valid_to_ms: int


@dataclass(frozen=True, slots=True)
class Tolerances:
    time_s: int = DEFAULT_TIME_TOLERANCE_S
    distance_nm: float = DEFAULT_DISTANCE_WATER_NM

    @classmethod
    def for_zone(cls, properties: Mapping[str, object]) -> Tolerances:
        """From a zone's properties; invalid values fall back to the defaults."""
        land = properties.get("surface") == "land"
        distance = properties.get("fp_distance_nm")
        time_s = properties.get("fp_time_tolerance_s")
        return cls(
            time_s=time_s if isinstance(time_s, int) and time_s > 0
            else DEFAULT_TIME_TOLERANCE_S,
            distance_nm=float(distance) if isinstance(distance, int | float) and distance > 0
            else (DEFAULT_DISTANCE_LAND_NM if land else DEFAULT_DISTANCE_WATER_NM))


@dataclass(frozen=True, slots=True)
class Correlation:
    plan_id: str | None
    reason: str

    @property
    def correlated(self) -> bool:
        return self.plan_id is not None


def distance_nm(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a sphere (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_NM * math.asin(min(1.0, math.sqrt(h)))


def correlate(plans: Iterable[FlightPlan], callsign: str | None, icao24: str | None,
              at_ms: int, lat_deg: float, lon_deg: float, tolerances: Tolerances) -> Correlation:
    """The plan an ADIZ entry correlates with, or why none does."""
    named = [p for p in plans
             if (callsign is not None and p.callsign == callsign)
             or (icao24 is not None and p.icao24 == icao24)]
    if not named:
        return Correlation(None, "no flight plan names this callsign or address")
    misses = []
    for plan in sorted(named, key=lambda p: abs(p.penetration_ms - at_ms)):
        if not plan.valid_from_ms <= at_ms <= plan.valid_to_ms:
            misses.append(f"plan {plan.plan_id} not valid at entry")
            continue
        dt_s = abs(at_ms - plan.penetration_ms) / 1000
        if dt_s > tolerances.time_s:
            misses.append(f"plan {plan.plan_id}: entry {dt_s:.0f} s from the planned "
                          f"penetration time (tolerance {tolerances.time_s} s)")
            continue
        dist = distance_nm(lat_deg, lon_deg, plan.penetration_lat_deg, plan.penetration_lon_deg)
        if dist > tolerances.distance_nm:
            misses.append(f"plan {plan.plan_id}: entry {dist:.1f} NM from the planned "
                          f"penetration point (tolerance {tolerances.distance_nm:g} NM)")
            continue
        return Correlation(plan.plan_id, f"{plan.rules} plan {plan.plan_id}: entry {dt_s:.0f} s "
                                         f"and {dist:.1f} NM from the planned penetration")
    return Correlation(None, "; ".join(misses))


class FlightPlanBook:
    """The plans in force, by plan id; changes live (the ``flightplans`` topic)."""

    def __init__(self, plans: Iterable[FlightPlan] = ()) -> None:
        self._plans = {plan.plan_id: plan for plan in plans}

    def __len__(self) -> int:
        return len(self._plans)

    def put(self, plan: FlightPlan) -> None:
        self._plans[plan.plan_id] = plan

    def delete(self, plan_id: str) -> None:
        self._plans.pop(plan_id, None)

    def correlate(self, callsign: str | None, icao24: str | None, at_ms: int, lat_deg: float,
                  lon_deg: float, tolerances: Tolerances) -> Correlation:
        return correlate(self._plans.values(), callsign, icao24, at_ms, lat_deg, lon_deg,
                         tolerances)
