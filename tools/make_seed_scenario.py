"""Generate the seed scenario feed: a SIMULATION of the 24 July 2024 bomber patrol near Alaska.

THIS IS A SIMULATION, NOT RECORDED DATA. It is built from public reporting:

- NORAD statement, 24 July 2024: NORAD "detected, tracked, and intercepted two Russian TU-95
  and two PRC H-6 military aircraft operating in the Alaska ADIZ"; fighter jets from the
  United States and Canada conducted the intercept; the aircraft remained in international
  airspace and did not enter American or Canadian sovereign airspace.
- Press reports of the intercept naming US F-16 and F-35 and Canadian CF-18 fighters.
- Russian MoD statement, 25 July 2024: Tu-95MS and H-6K bombers patrolled over the Chukchi
  and Bering seas and the northern Pacific for more than five hours, with Su-30SM and Su-35S
  fighter cover; all aircraft returned to their home airfields.

Everything else is invented and plausible, not known: the routes, the times, Anadyr as the
departure airfield, the ICAO addresses (picked from each State's block), the callsigns and
squawks, and the two civil airliners (added for flight-plan correlation).

Output: SBS-1 / BaseStation lines (22 fields) in time order for 2024-07-24 UTC. Reports are
sparse, like a feed at the edge of coverage: a position every 20-90 s with a few longer
gaps, velocity, identification and squawk messages now and then.

Routes are timed waypoints joined by great circles on a spherical Earth (interpolated on
unit vectors), so crossing the antimeridian needs no special case. The bombers' waypoints
past 180 deg are written with unwrapped longitudes (183.6 for 176.4 W); every output
longitude is wrapped back into [-180, 180). Formation members fly the leader's route some
seconds behind and a mile or so to one side. The report times come from a fixed seed; the
output depends on nothing else (no clock, no input file).

After writing, the script reads its own output back and checks it with shapely against the
Alaska ADIZ: every bomber and escort crosses the antimeridian eastbound and then enters the
zone; no bomber or escort comes within 12 NM of US land (approximated by coast points);
every NORAD fighter and airliner enters and leaves the zone. It prints a summary and exits 1
when a check fails.

Usage::

    python tools/make_seed_scenario.py OUT [--adiz us-alaska-adiz.geojson]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20240724
SCENARIO_DAY = datetime(2024, 7, 24, tzinfo=UTC)
EARTH_RADIUS_NM = 3440.065
REPO = Path(__file__).resolve().parents[1]
ZONE_ID = "us-alaska-adiz"

REPORT_INTERVAL_S = (20.0, 90.0)
"""Usual spacing of position reports: a sparse feed at the edge of coverage."""
COVERAGE_GAP_S = (120.0, 280.0)
COVERAGE_GAP_PROBABILITY = 0.05
VELOCITY_PROBABILITY = 0.3
"""Chance that a position report is followed by a velocity report."""
VELOCITY_TURN_DEG = 20.0
"""A track change this large since the last velocity report always gets a new one."""
IDENT_INTERVAL_S = (900.0, 1500.0)
SQUAWK_INTERVAL_S = (240.0, 540.0)
MAX_LINES = 6000
TERRITORIAL_SEA_NM = 12.0


def hms(hours: int, minutes: int, seconds: int = 0) -> float:
    """Seconds after 2024-07-24 00:00Z, the time base of every route."""
    return float(hours * 3600 + minutes * 60 + seconds)


# --- spherical geometry ------------------------------------------------------------------

Vec = tuple[float, float, float]


def _vec(lat: float, lon: float) -> Vec:
    la, lo = math.radians(lat), math.radians(lon)
    return (math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la))


def _latlon(v: Vec) -> tuple[float, float]:
    x, y, z = v
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def central_angle(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * math.asin(min(1.0, math.sqrt(h)))


def distance_nm(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return EARTH_RADIUS_NM * central_angle(lat1, lon1, lat2, lon2)


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360.0


def destination(lat: float, lon: float, bearing: float, dist_nm: float) -> tuple[float, float]:
    d, b, p = dist_nm / EARTH_RADIUS_NM, math.radians(bearing), math.radians(lat)
    p2 = math.asin(math.sin(p) * math.cos(d) + math.cos(p) * math.sin(d) * math.cos(b))
    l2 = math.radians(lon) + math.atan2(math.sin(b) * math.sin(d) * math.cos(p),
                                        math.cos(d) - math.sin(p) * math.sin(p2))
    return math.degrees(p2), math.degrees(l2)


def slerp(lat1: float, lon1: float, lat2: float, lon2: float, f: float) -> tuple[float, float]:
    omega = central_angle(lat1, lon1, lat2, lon2)
    if omega < 1e-12:
        return lat1, lon1
    a, b = math.sin((1 - f) * omega) / math.sin(omega), math.sin(f * omega) / math.sin(omega)
    v1, v2 = _vec(lat1, lon1), _vec(lat2, lon2)
    lat, lon = _latlon((a * v1[0] + b * v2[0], a * v1[1] + b * v2[1], a * v1[2] + b * v2[2]))
    return lat, lon


def wrap_lon(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


# --- paths -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fix:
    t_s: float
    lat_deg: float
    lon_deg: float
    alt_ft: float


@dataclass(frozen=True, slots=True)
class Route:
    fixes: tuple[Fix, ...]

    def __post_init__(self) -> None:
        times = [f.t_s for f in self.fixes]
        if len(times) < 2 or any(b <= a for a, b in itertools.pairwise(times)):
            raise ValueError(f"path times must increase: {times}")

    @property
    def start_s(self) -> float:
        return self.fixes[0].t_s

    @property
    def end_s(self) -> float:
        return self.fixes[-1].t_s

    def at(self, t: float) -> tuple[float, float, float]:
        """Latitude, longitude (not wrapped) and altitude at time t (clamped to the path)."""
        fx = self.fixes
        if t <= fx[0].t_s:
            return fx[0].lat_deg, fx[0].lon_deg, fx[0].alt_ft
        for a, b in itertools.pairwise(fx):
            if t <= b.t_s:
                f = (t - a.t_s) / (b.t_s - a.t_s)
                lat, lon = slerp(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg, f)
                return lat, lon, a.alt_ft + f * (b.alt_ft - a.alt_ft)
        return fx[-1].lat_deg, fx[-1].lon_deg, fx[-1].alt_ft

    def velocity(self, t: float) -> tuple[float, float, float]:
        """Ground speed (kt), track (deg) and vertical rate (ft/min) around time t."""
        t0 = min(t, self.end_s - 10.0)
        lat0, lon0, alt0 = self.at(t0)
        lat1, lon1, alt1 = self.at(t0 + 10.0)
        speed = distance_nm(lat0, lon0, lat1, lon1) * 360.0
        return speed, bearing_deg(lat0, lon0, lat1, lon1), (alt1 - alt0) * 6.0


Leg = tuple[float, float, float, float]
"""(lat, lon, alt_ft, speed_kt flown to reach this point)."""


def fly(start: Fix, legs: Sequence[Leg]) -> list[Fix]:
    """Fixes from ``start`` along ``legs``, timed by each leg's speed."""
    fixes = [start]
    for lat, lon, alt, speed in legs:
        prev = fixes[-1]
        hours = distance_nm(prev.lat_deg, prev.lon_deg, lat, lon) / speed
        fixes.append(Fix(prev.t_s + hours * 3600.0, lat, lon, alt))
    return fixes


def arrive(origin: tuple[float, float, float], legs: Sequence[Leg], target: Fix,
           speed_kt: float) -> list[Fix]:
    """Fixes from ``origin`` through ``legs`` and on at ``speed_kt`` to reach ``target`` on
    time; the departure time follows from the distances. Ends with ``target``."""
    fixes = fly(Fix(0.0, *origin), legs)
    last = fixes[-1]
    arrival = last.t_s + distance_nm(last.lat_deg, last.lon_deg, target.lat_deg,
                                     target.lon_deg) / speed_kt * 3600.0
    shift = target.t_s - arrival
    return [Fix(f.t_s + shift, f.lat_deg, f.lon_deg, f.alt_ft) for f in fixes] + [target]


def station(leader: Route, t: float, delay_s: float, right_nm: float, up_ft: float) -> Fix:
    """Where a wingman flying ``delay_s`` behind and ``right_nm`` to the right is at time t."""
    lat, lon, alt = leader.at(t - delay_s)
    if right_nm:
        # The heading over three minutes around t bisects the leader's turns, so the wingman
        # swings round them instead of jumping from one side of the corner to the other.
        lat0, lon0, _ = leader.at(t - delay_s - 90.0)
        lat1, lon1, _ = leader.at(t - delay_s + 90.0)
        lat, lon = destination(lat, lon, bearing_deg(lat0, lon0, lat1, lon1) + 90.0, right_nm)
    return Fix(t, lat, lon, alt + up_ft)


def follow(leader: Route, t0: float, t1: float, delay_s: float, right_nm: float = 0.0,
           up_ft: float = 0.0, step_s: float = 120.0) -> list[Fix]:
    """A wingman's fixes from t0 to t1 (every ``step_s`` and at the leader's turns)."""
    times = {t0, t1}
    times.update(f.t_s + delay_s for f in leader.fixes if t0 < f.t_s + delay_s < t1)
    t = t0 + step_s
    while t < t1:
        times.add(t)
        t += step_s
    times.update(f.t_s + delay_s + dt for f in leader.fixes for dt in (-60.0, 60.0)
                 if t0 < f.t_s + delay_s + dt < t1)
    return [station(leader, t, delay_s, right_nm, up_ft) for t in sorted(times)]


# --- the scenario ------------------------------------------------------------------------

ANADYR = (64.735, 177.741, 200.0)          # Ugolny airport, Chukotka
EIELSON = (64.665, -147.101, 550.0)        # Eielson AFB, Alaska
ANCHORAGE = (61.174, -149.996, 150.0)      # Ted Stevens Anchorage International
BOMBERS_TAKE_OFF_S = hms(16, 0)


@dataclass(frozen=True, slots=True)
class Aircraft:
    icao24: str
    callsign: str
    type_designator: str
    description: str
    operator: str
    group: str                  # "bomber", "escort", "norad", "civil"
    path: Route
    squawks: tuple[tuple[float, str], ...] = ()
    gaps: tuple[tuple[float, float], ...] = ()
    """Forced coverage gaps (start, end) in seconds after midnight."""


def _leader() -> tuple[Route, dict[str, float]]:
    """The bomber group's path (Tu-95 no. 1) and the times of its named fixes.

    Chukchi Sea first, then south over Chukotka and into the Bering Sea: both legs enter
    the zone from the west and stay well off the US islands and coast.
    """
    named: list[tuple[str, Leg]] = [
        ("climb", (64.95, 178.55, 9000, 250)),
        ("climb2", (65.40, 179.80, 24000, 330)),
        ("join", (66.10, 182.00, 31000, 370)),        # 178.0 W: the H-6 pair joins here
        ("chukotka_n", (67.90, 188.00, 31000, 385)),
        ("chukchi_in", (69.60, 192.80, 30000, 385)),  # 169 W crossed on this leg
        ("chukchi_ne", (71.20, 194.80, 30000, 385)),
        ("chukchi_nw", (72.20, 191.60, 30000, 385)),
        ("chukchi_out", (70.60, 187.50, 31000, 385)),  # 169 W crossed westbound
        ("strait", (66.80, 188.00, 31000, 385)),      # over Chukotka
        ("gulf", (63.90, 185.30, 31000, 385)),        # Gulf of Anadyr
        ("bering_in", (61.60, 184.60, 31000, 385)),   # zone entered on this leg
        ("bering_s", (59.20, 184.80, 30000, 385)),
        ("bering_sw", (59.25, 183.30, 30000, 385)),   # a wide turn for the wingmen
        ("bering_out", (61.40, 179.00, 29000, 385)),  # zone left, 180 crossed westbound
        ("descent", (63.70, 178.30, 16000, 360)),
        ("approach", (64.45, 177.95, 5000, 250)),
        ("landing", (*ANADYR, 160)),
    ]
    fixes = fly(Fix(BOMBERS_TAKE_OFF_S, *ANADYR), [leg for _, leg in named])
    times = {name: fix.t_s for (name, _), fix in zip(named, fixes[1:], strict=True)}
    return Route(tuple(fixes)), times


def _meridian_time(path: Route, lon: float, t0: float, t1: float) -> float:
    """When the path crosses a meridian between t0 and t1 (bisection)."""
    def east(t: float) -> bool:
        return wrap_lon(path.at(t)[1] - lon) > 0
    lo, hi = t0, t1
    if east(lo) == east(hi):
        raise ValueError(f"no crossing of {lon} between {t0} and {t1}")
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if east(mid) == east(lo) else (lo, mid)
    return (lo + hi) / 2


def build_scenario() -> list[Aircraft]:
    """The sixteen aircraft of the scenario with their paths."""
    lead, at = _leader()

    def wingman(delay: float, right: float, up: float, start: list[Fix]) -> Route:
        mid = follow(lead, start[-1].t_s, at["descent"] + delay, delay, right, up)[1:]
        approach: list[Leg] = [(63.95, 178.20, 12000, 330), (64.45, 177.95, 5000, 250),
                               (*ANADYR, 160)]
        return Route(tuple([*start, *mid, *fly(mid[-1], approach)[1:]]))

    # Tu-95 no. 2 takes off 40 s after the leader and moves out to its station in the climb.
    tu95_2 = wingman(40.0, 0.8, 500.0,
                     follow(lead, lead.start_s + 40.0, at["climb2"] + 40.0, 40.0))
    h6 = []
    for delay, right, up in ((100.0, -1.0, -1000.0), (140.0, -0.6, -1500.0)):
        target = station(lead, at["join"] + delay, delay, right, up)
        h6.append(wingman(delay, right, up, arrive(
            ANADYR, [(64.90, 178.40, 9000, 280), (65.50, 180.00, 26000, 360)], target, 370.0)))
    # H-6 no. 2 drops out of coverage for a while, across its entry into the Chukchi part.
    t_169w = _meridian_time(h6[1], -169.0, at["chukotka_n"], at["chukchi_in"] + 300.0)
    h6_gap = ((t_169w - 170.0, t_169w + 160.0),)

    def escort(join: str, leave: str, delay: float, right: float, out: list[Leg],
               back: list[Leg]) -> Route:
        target = station(lead, at[join] + delay, delay, right, 1500.0)
        mid = follow(lead, target.t_s, at[leave] + delay, delay, right, 1500.0)
        start = arrive(ANADYR, out, target, 480.0)
        return Route(tuple([*start, *mid[1:], *fly(mid[-1], back)[1:]]))

    home: list[Leg] = [(64.90, 178.40, 6000, 380), (*ANADYR, 170)]
    su35 = [escort("climb2", "chukchi_out", d, r,
                   [(64.95, 178.40, 12000, 320), (65.30, 179.20, 28000, 430)],
                   [(68.00, 183.00, 25000, 480), *home])
            for d, r in ((20.0, 2.5), (35.0, 3.2))]
    su30 = [escort("gulf", "bering_out", d, r,
                   [(64.60, 178.80, 15000, 340), (64.30, 181.50, 30000, 450)],
                   [(62.60, 178.60, 20000, 480), *home])
            for d, r in ((20.0, -2.5), (35.0, -3.2))]

    def interceptor(join_t: float, leave_t: float, delay: float, right: float,
                    out: list[Leg], back: list[Leg]) -> Route:
        target = station(lead, join_t, delay, right, 1000.0)
        mid = follow(lead, join_t, leave_t, delay, right, 1000.0)
        start = arrive(EIELSON, out, target, 540.0)
        return Route(tuple([*start, *mid[1:], *fly(mid[-1], back)[1:]]))

    recovery: list[Leg] = [(64.60, -148.60, 7000, 400), (*EIELSON, 170)]
    to_bering: list[Leg] = [(64.50, -149.60, 15000, 380), (63.90, -156.00, 33000, 520),
                            (62.70, -166.00, 33000, 540)]
    from_bering: list[Leg] = [(61.80, -170.00, 31000, 480), (63.20, -162.00, 33000, 500),
                              (64.30, -153.00, 30000, 500), *recovery]
    to_chukchi: list[Leg] = [(65.10, -149.60, 15000, 380), (67.60, -156.00, 33000, 520),
                             (69.90, -162.50, 33000, 540)]
    from_chukchi: list[Leg] = [(70.30, -163.00, 32000, 480), (67.80, -155.50, 33000, 500),
                               (65.30, -150.00, 25000, 500), *recovery]
    # The F-35s shadow the Chukchi leg; over the Bering Sea the F-16s hand over to the
    # CF-18s. The last pair on task breaks off a few minutes before the bombers leave.
    f35_on, f35_off = at["chukchi_ne"] - 240.0, at["chukchi_nw"] - 60.0
    f16_on, f16_off = at["bering_in"] + 240.0, at["bering_s"] + 300.0
    cf18_on, cf18_off = at["bering_s"] - 120.0, at["bering_sw"] + 600.0
    f35 = [interceptor(f35_on, f35_off, d, r, to_chukchi, from_chukchi)
           for d, r in ((40.0, 2.0), (55.0, 2.8))]
    f16 = [interceptor(f16_on, f16_off, d, r, to_bering, from_bering)
           for d, r in ((45.0, 2.0), (60.0, 2.8))]
    cf18 = [interceptor(cf18_on, cf18_off, d, r, to_bering, from_bering)
            for d, r in ((50.0, -2.0), (65.0, -2.8))]

    kal = Route(tuple(fly(Fix(hms(17, 35), *ANCHORAGE), [
        (61.10, -151.50, 9000, 280), (60.90, -155.00, 30000, 430),
        (60.20, -161.00, 36000, 480), (58.70, -170.00, 36000, 490),
        (56.60, -179.90, 36000, 490), (53.80, 172.00, 36000, 495),
        (52.00, 165.00, 36000, 495)])))
    jal = Route(tuple(fly(Fix(hms(16, 50), 50.50, 168.00, 37000), [
        (53.20, 176.00, 37000, 505), (56.50, -176.00, 37000, 505),
        (59.50, -166.00, 37000, 505), (61.60, -158.50, 37000, 500),
        (63.00, -151.00, 37000, 500), (63.80, -146.00, 37000, 500)])))

    def codes(base: str, route: Route, on: float, off: float) -> tuple[tuple[float, str], ...]:
        # Discrete code from ATC; 7777 (US: military interceptor operations) while on task.
        return ((route.start_s, base), (on, "7777"), (off, base))

    ru, cn, usaf, rcaf = ("Russian Aerospace Forces", "PLA Air Force", "USAF (NORAD)",
                          "Royal Canadian Air Force (NORAD)")
    return [
        Aircraft("15A7C3", "", "TU95", "Tu-95MS", ru, "bomber", lead),
        Aircraft("15A7C9", "", "TU95", "Tu-95MS", ru, "bomber", tu95_2),
        Aircraft("7A6E21", "", "TU16", "H-6K", cn, "bomber", h6[0]),
        Aircraft("7A6E2B", "", "TU16", "H-6K", cn, "bomber", h6[1], gaps=h6_gap),
        Aircraft("15B0D4", "", "SU27", "Su-35S", ru, "escort", su35[0]),
        Aircraft("15B0D6", "", "SU27", "Su-35S", ru, "escort", su35[1]),
        Aircraft("15B1E2", "", "SU27", "Su-30SM", ru, "escort", su30[0]),
        Aircraft("15B1E5", "", "SU27", "Su-30SM", ru, "escort", su30[1]),
        Aircraft("AE7E13", "REAPR21", "F35", "F-35A", usaf, "norad", f35[0],
                 codes("4233", f35[0], f35_on, f35_off)),
        Aircraft("AE7E14", "REAPR22", "F35", "F-35A", usaf, "norad", f35[1],
                 codes("4234", f35[1], f35_on, f35_off)),
        Aircraft("AE7D41", "DRAGN11", "F16", "F-16C", usaf, "norad", f16[0],
                 codes("4231", f16[0], f16_on, f16_off)),
        Aircraft("AE7D42", "DRAGN12", "F16", "F-16C", usaf, "norad", f16[1],
                 codes("4232", f16[1], f16_on, f16_off)),
        Aircraft("C2C4A1", "MAPLE01", "F18H", "CF-18 (CF-188)", rcaf,
                 "norad", cf18[0], codes("4235", cf18[0], cf18_on, cf18_off)),
        Aircraft("C2C4A2", "MAPLE02", "F18H", "CF-18 (CF-188)", rcaf,
                 "norad", cf18[1], codes("4236", cf18[1], cf18_on, cf18_off)),
        Aircraft("71C2D7", "KAL272", "B77W", "B777-300ER", "Korean Air", "civil", kal,
                 ((kal.start_s, "2561"),)),
        Aircraft("86E4B5", "JAL6", "B77W", "B777-300ER", "Japan Airlines", "civil", jal,
                 ((jal.start_s, "2000"), (hms(17, 38), "3147"))),
    ]


# --- SBS output --------------------------------------------------------------------------

TYPE_ORDER = {1: 0, 6: 1, 3: 2, 4: 3}


@dataclass(order=True, frozen=True, slots=True)
class Message:
    ts_ms: int
    icao24: str
    order: int
    line: str = field(compare=False)


def sbs_line(msg_type: int, icao24: str, ts_ms: int, *, callsign: str = "", alt: str = "",
             speed: str = "", track: str = "", lat: str = "", lon: str = "", vrate: str = "",
             squawk: str = "", flags: Sequence[str] = ("", "", "", "")) -> Message:
    moment = SCENARIO_DAY + timedelta(milliseconds=ts_ms)
    day = moment.strftime("%Y/%m/%d")
    clock = moment.strftime("%H:%M:%S.") + f"{ts_ms % 1000:03d}"
    fields = ["MSG", str(msg_type), "1", "1", icao24, "1", day, clock, day, clock, callsign,
              alt, speed, track, lat, lon, vrate, squawk, *flags]
    return Message(ts_ms, icao24, TYPE_ORDER[msg_type], ",".join(fields))


def _fmt_lon(lon: float) -> str:
    text = f"{wrap_lon(lon):.5f}"
    return f"{float(text) - 360.0:.5f}" if float(text) >= 180.0 else text


def _alt(alt_ft: float) -> str:
    return str(round(alt_ft / 25.0) * 25)


def _angle_diff(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


def _squawk_at(ac: Aircraft, t: float) -> str:
    code = ""
    for since, value in ac.squawks:
        if t >= since:
            code = value
    return code


def reports(ac: Aircraft) -> list[Message]:
    """The sparse SBS reports of one aircraft, from just after take-off to just before landing
    (or over the whole path when it starts or ends in the air)."""
    rng = random.Random(SEED * 1_000_003 + int(ac.icao24, 16))
    path = ac.path
    airborne_start = path.fixes[0].alt_ft > 2000
    airborne_end = path.fixes[-1].alt_ft > 2000
    t = path.start_s + (rng.uniform(1.0, 20.0) if airborne_start else rng.uniform(45.0, 90.0))
    end = path.end_s - (0.0 if airborne_end else rng.uniform(45.0, 90.0))
    out: list[Message] = []

    def ms(seconds: float) -> int:
        return round(seconds * 1000.0)

    def ident(when: float) -> None:
        out.append(sbs_line(1, ac.icao24, ms(when), callsign=ac.callsign))

    last_code = ""

    def surveillance(when: float) -> None:
        nonlocal last_code
        code = _squawk_at(ac, when)
        # The alert flag marks a changed Mode A code, as BaseStation does.
        alert = bool(last_code) and code != last_code
        last_code = code
        out.append(sbs_line(6, ac.icao24, ms(when), alt=_alt(path.at(when)[2]), squawk=code,
                            flags=("-1" if alert else "0", "0", "0", "0")))

    if ac.callsign:
        ident(t - rng.uniform(1.0, 4.0))
    next_ident = t + rng.uniform(*IDENT_INTERVAL_S)
    next_squawk = t + rng.uniform(1.0, 8.0) if ac.squawks else math.inf
    last_track: float | None = None
    while t < end:
        gap = next((g for g in ac.gaps if g[0] <= t < g[1]), None)
        if gap is not None:
            t = gap[1] + rng.uniform(1.0, 10.0)
            continue
        lat, lon, alt = path.at(t)
        out.append(sbs_line(3, ac.icao24, ms(t), alt=_alt(alt), lat=f"{lat:.5f}",
                            lon=_fmt_lon(lon), flags=("0", "0", "0", "0")))
        speed, track, vrate = path.velocity(t)
        if (last_track is None or rng.random() < VELOCITY_PROBABILITY
                or _angle_diff(track, last_track) >= VELOCITY_TURN_DEG):
            last_track = track
            out.append(sbs_line(4, ac.icao24, ms(t + rng.uniform(0.3, 4.0)),
                                speed=str(round(speed)), track=f"{track:.1f}",
                                vrate=str(round(vrate / 64.0) * 64)))
        if ac.callsign and t >= next_ident:
            ident(t + rng.uniform(0.5, 6.0))
            next_ident = t + rng.uniform(*IDENT_INTERVAL_S)
        if ac.squawks and (t >= next_squawk or (last_code and _squawk_at(ac, t) != last_code)):
            surveillance(t + rng.uniform(0.5, 6.0))
            next_squawk = t + rng.uniform(*SQUAWK_INTERVAL_S)
        if rng.random() < COVERAGE_GAP_PROBABILITY:
            t += rng.uniform(*COVERAGE_GAP_S)
        else:
            t += rng.uniform(*REPORT_INTERVAL_S)
    return out


def render(aircraft: Iterable[Aircraft]) -> str:
    """All reports of all aircraft in time order, one line each."""
    messages = sorted(m for ac in aircraft for m in reports(ac))
    return "".join(m.line + "\n" for m in messages)


# --- checks ------------------------------------------------------------------------------

US_COAST_POINTS: tuple[tuple[str, float, float], ...] = (
    # Approximate points on US land near the scenario (islands and headlands).
    ("Gambell, St Lawrence I.", 63.78, -171.74),
    ("Southwest Cape, St Lawrence I.", 63.32, -171.45),
    ("Savoonga, St Lawrence I.", 63.69, -170.48),
    ("Northeast Cape, St Lawrence I.", 63.32, -168.97),
    ("St Matthew I.", 60.40, -172.70),
    ("Hall I.", 60.65, -173.10),
    ("St Paul I.", 57.15, -170.25),
    ("St George I.", 56.60, -169.55),
    ("Nunivak I. west", 60.05, -166.95),
    ("Little Diomede I.", 65.76, -168.95),
    ("Cape Prince of Wales", 65.64, -168.09),
    ("Point Hope", 68.35, -166.80),
    ("Cape Lisburne", 68.88, -166.22),
    ("Point Lay", 69.74, -163.05),
    ("Icy Cape", 70.33, -161.90),
    ("Wainwright", 70.64, -160.03),
    ("Point Barrow", 71.39, -156.47),
    ("Attu I.", 52.90, 173.20),
    ("Adak I.", 51.88, -176.65),
    ("Unalaska I.", 53.88, -166.54),
)


class ScenarioCheckError(Exception):
    """The generated feed does not show what the scenario promises."""


@dataclass(frozen=True, slots=True)
class Crossing:
    ts_ms: int
    entering: bool
    lat_deg: float
    lon_deg: float


@dataclass(slots=True)
class TrackSummary:
    lines: int = 0
    positions: list[tuple[int, float, float]] = field(default_factory=list)
    crossings: list[Crossing] = field(default_factory=list)
    eastbound_180_ms: list[int] = field(default_factory=list)
    """Times of the first report east of the antimeridian after one west of it."""
    westbound_180_ms: list[int] = field(default_factory=list)
    max_gap_s: float = 0.0
    min_coast_nm: float = math.inf
    min_coast_name: str = ""


def _timestamp_ms(date_text: str, time_text: str) -> int:
    moment = datetime.strptime(f"{date_text} {time_text} +0000", "%Y/%m/%d %H:%M:%S.%f %z")
    return round(moment.timestamp() * 1000)


def analyse(text: str, zone_file: Path) -> dict[str, TrackSummary]:
    """Read the feed back and find, per aircraft, zone crossings, antimeridian crossings,
    the longest gap between positions and the closest approach to the US coast points.

    Consecutive positions are joined by straight lines in longitude/latitude (the shorter
    way round), as the pipeline's geofence does; a point on the boundary counts as inside.
    """
    import shapely
    from shapely.affinity import translate
    from shapely.geometry import LineString, Point, shape

    collection = json.loads(zone_file.read_text(encoding="utf-8"))
    features = [f for f in collection["features"] if f["properties"]["id"] == ZONE_ID]
    if len(features) != 1:
        raise ScenarioCheckError(f"{zone_file}: no single feature with id {ZONE_ID!r}")
    base = shape(features[0]["geometry"])
    zone = shapely.union_all([base, translate(base, xoff=360.0), translate(base, xoff=-360.0)])
    shapely.prepare(zone)
    boundary = zone.boundary

    tracks: dict[str, TrackSummary] = {}
    previous_ms = -1
    for number, line in enumerate(text.splitlines(), start=1):
        p = line.split(",")
        if len(p) != 22 or p[0] != "MSG":
            raise ScenarioCheckError(f"line {number}: not a 22-field MSG line: {line}")
        ts = _timestamp_ms(p[6], p[7])
        if ts < previous_ms:
            raise ScenarioCheckError(f"line {number}: out of time order")
        previous_ms = ts
        summary = tracks.setdefault(p[4], TrackSummary())
        summary.lines += 1
        if p[1] == "3":
            summary.positions.append((ts, float(p[14]), float(p[15])))

    for summary in tracks.values():
        pts = summary.positions
        for (t0, lat0, lon0), (t1, lat1, lon1) in itertools.pairwise(pts):
            summary.max_gap_s = max(summary.max_gap_s, (t1 - t0) / 1000.0)
            if lon1 - lon0 > 180.0:
                summary.westbound_180_ms.append(t1)
                lon1 -= 360.0
            elif lon1 - lon0 < -180.0:
                summary.eastbound_180_ms.append(t1)
                lon1 += 360.0
            for k in range(11):
                f = k / 10
                lat, lon = lat0 + f * (lat1 - lat0), lon0 + f * (lon1 - lon0)
                for name, clat, clon in US_COAST_POINTS:
                    d = distance_nm(lat, lon, clat, clon)
                    if d < summary.min_coast_nm:
                        summary.min_coast_nm, summary.min_coast_name = d, name
            segment = LineString([(lon0, lat0), (lon1, lat1)])
            hit = segment.intersection(boundary)
            cuts = sorted({segment.project(Point(x, y), normalized=True)
                           for part in getattr(hit, "geoms", (hit,)) if not part.is_empty
                           for x, y in part.coords})
            if not cuts:
                continue
            edges = [0.0, *cuts, 1.0]
            states = [bool(shapely.intersects_xy(zone, m.x, m.y)) for m in (
                segment.interpolate((a + b) / 2, normalized=True)
                for a, b in itertools.pairwise(edges))]
            for frac, before, after in zip(cuts, states, states[1:], strict=False):
                if before != after:
                    x, y = segment.interpolate(frac, normalized=True).coords[0]
                    summary.crossings.append(
                        Crossing(round(t0 + frac * (t1 - t0)), after, y, wrap_lon(x)))
    return tracks


def check(aircraft: Sequence[Aircraft], tracks: dict[str, TrackSummary],
          line_count: int) -> list[str]:
    """The scenario's promises that the feed breaks (empty when all hold)."""
    problems: list[str] = []
    if line_count > MAX_LINES:
        problems.append(f"{line_count} lines, more than {MAX_LINES}")
    for ac in aircraft:
        tr = tracks.get(ac.icao24)
        if tr is None or not tr.positions:
            problems.append(f"{ac.icao24}: no positions")
            continue
        entries = [c for c in tr.crossings if c.entering]
        exits = [c for c in tr.crossings if not c.entering]
        if not entries or not exits:
            problems.append(f"{ac.icao24}: {len(entries)} entries, {len(exits)} exits")
            continue
        if ac.group in ("bomber", "escort"):
            if not tr.eastbound_180_ms or tr.eastbound_180_ms[0] > entries[0].ts_ms:
                problems.append(f"{ac.icao24}: no eastbound antimeridian crossing before "
                                "its first zone entry")
            if tr.min_coast_nm <= TERRITORIAL_SEA_NM:
                problems.append(f"{ac.icao24}: {tr.min_coast_nm:.1f} NM from "
                                f"{tr.min_coast_name}")
        if ac.group != "civil" and tr.crossings[-1].entering:
            problems.append(f"{ac.icao24}: still inside the zone at its last report")
    if not any(tracks[ac.icao24].max_gap_s > 300 for ac in aircraft if ac.group == "bomber"):
        problems.append("no bomber has a gap of more than 300 s")
    return problems


def _clock(ts_ms: int) -> str:
    return datetime.fromtimestamp(ts_ms / 1000.0, tz=UTC).strftime("%H:%M:%S")


def summary_text(aircraft: Sequence[Aircraft], tracks: dict[str, TrackSummary]) -> str:
    """Per aircraft: lines, positions, longest gap, antimeridian crossings (E = eastbound,
    W = westbound), first zone entry, entries/exits and the closest US coast point."""
    rows = ["SIMULATION - seed scenario, Alaska ADIZ, 2024-07-24 (built from public reporting)",
            f"{'icao24':6} {'callsign':8} {'type':4} {'aircraft':18} {'lines':>5} {'pos':>4} "
            f"{'gap s':>5} {'E/W180':>6} {'1st entry':>9} {'in/out':>6}  closest US coast point"]
    for ac in aircraft:
        tr = tracks[ac.icao24]
        entries = [c for c in tr.crossings if c.entering]
        first = _clock(entries[0].ts_ms) if entries else "-"
        coast = (f"{tr.min_coast_nm:.0f} NM ({tr.min_coast_name})"
                 if ac.group in ("bomber", "escort") else "-")
        rows.append(
            f"{ac.icao24:6} {ac.callsign or '-':8} {ac.type_designator:4} "
            f"{ac.description[:18]:18} {tr.lines:5d} {len(tr.positions):4d} "
            f"{tr.max_gap_s:5.0f} {len(tr.eastbound_180_ms):>3d}/{len(tr.westbound_180_ms):<2d} "
            f"{first:>9} {len(entries):>3d}/{len(tr.crossings) - len(entries):<2d}  {coast}")
    rows.append(f"{ZONE_ID} crossings (interpolated between reports):")
    for ac in aircraft:
        events = ", ".join(f"{'entry' if c.entering else 'exit'} {_clock(c.ts_ms)} "
                           f"({c.lat_deg:.2f}, {c.lon_deg:.2f})"
                           for c in tracks[ac.icao24].crossings)
        rows.append(f"  {ac.icao24} {ac.callsign or '-'} {ac.description}, {ac.operator}: {events}")
    return "\n".join(rows)


def default_zone_file() -> Path:
    bundled = REPO / "pipeline" / "data" / "adiz" / "us-alaska-adiz.geojson"
    if bundled.is_file():
        return bundled
    return REPO.parent / "shared" / "refdata" / "adiz" / "us-alaska-adiz.geojson"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="SBS-1 file to write")
    parser.add_argument("--adiz", type=Path, default=None,
                        help="GeoJSON with the us-alaska-adiz feature (for the checks)")
    args = parser.parse_args(argv)
    zone_file = args.adiz or default_zone_file()
    if not zone_file.is_file():
        print(f"error: ADIZ file not found: {zone_file}", file=sys.stderr)
        return 1
    aircraft = build_scenario()
    text = render(aircraft)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="ascii")
    try:
        tracks = analyse(text, zone_file)
    except ScenarioCheckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    line_count = text.count("\n")
    print(summary_text(aircraft, tracks))
    print(f"wrote {args.out}: {line_count} lines")
    problems = check(aircraft, tracks, line_count)
    for problem in problems:
        print(f"check failed: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
