"""The geofence step: one accepted report in, the zone events it reveals out.

Semantics, per track, in the order its reports arrive (the skeleton's, unchanged for zones
without the optional rules):

* A report whose time is not newer than the newest accepted one (a duplicate or a late
  report) does not move the track and creates no event (outcome ``late``/``duplicate``).
* The first accepted report creates an entry for every zone it is inside, at its time.
* Between two accepted reports at most ``max_gap_ms`` apart the track moves in a straight
  line in longitude/latitude, the shorter way round the antimeridian, and its altitude
  changes linearly; every boundary crossing on that segment, lateral or through a zone's
  floor or ceiling, is an event, with its time, position and altitude interpolated along
  the segment (several per segment where it cuts a concave zone or a hole).
* After a longer gap, the zones containing the new report are compared with the old ones and
  each change is one event at the new report's time and position.
* A point on the boundary counts as inside; so does an altitude equal to the floor or the
  ceiling. A zone applies only to the kinds of track it names (``applies_to``); vessels
  ignore altitude bands.

Optional per-zone rules (``rules.py``):

* hysteresis (``min_inside_s``/``min_inside_nm``): an entry counts only once the track has
  been inside that long or that far; it is then published with its original crossing time
  and position. A track that leaves before produces neither the entry nor the exit.
* dwell (``dwell_s``): one ``zone.dwell`` per visit when the track has been inside that long,
  at entry time + dwell, interpolated along the segment where that instant falls (after a
  gap, at the report that shows the track still inside).

Lost and regained (``timers.py``): a track inside a zone whose next report comes after its
lost deadline is declared lost first (``track.lost`` at the deadline, one per zone), then
``track.regained`` at the new report, per zone it was lost in, with where it reappeared.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pipeline.geofence.earth import haversine_m
from pipeline.geofence.events import event_id, make_event, order
from pipeline.geofence.geometry import unwrap_lon
from pipeline.geofence.state import Pending, TrackState, Visit
from pipeline.geofence.timers import LostAfter, lost_deadline, lost_events
from pipeline.geofence.vertical import Piece, band_interval, clip_to_band, in_band
from pipeline.geofence.zones import Zone, ZoneSet
from pipeline.model.events import Boundary, Transition, ZoneEvent
from pipeline.model.track import TrackKind, TrackPoint

__all__ = ["DEFAULT_MAX_GAP_MS", "StepOutcome", "StepResult", "TrackState", "event_id", "step"]

DEFAULT_MAX_GAP_MS = 300_000
"""Beyond 5 minutes between reports a straight line is no longer a credible path."""

DEFAULT_LOST_AFTER = LostAfter()


class StepOutcome(StrEnum):
    FIRST = "first"
    SEGMENT = "segment"
    GAP = "gap"
    DUPLICATE = "duplicate"
    LATE = "late"


@dataclass(slots=True)
class StepResult:  # not frozen, for speed, like TrackState
    state: TrackState
    events: list[ZoneEvent]
    outcome: StepOutcome


class _Move:
    """The movement of one step: a segment between two reports, or a jump (first/gap)."""

    __slots__ = ("_length_m", "alt0", "alt1", "dt", "events", "jump", "lat0", "lat1", "lon0",
                 "lon1", "point", "t0", "zones")

    def __init__(self, state: TrackState | None, point: TrackPoint, zones: ZoneSet,
                 jump: bool, lon1: float) -> None:
        self.point, self.zones, self.jump = point, zones, jump
        self.t0 = point.ts_ms if state is None else state.last_ts_ms
        self.dt = point.ts_ms - self.t0
        self.lat0 = point.lat_deg if state is None else state.last_lat_deg
        self.lon0 = point.lon_deg if state is None else state.last_lon_deg
        self.alt0 = None if state is None else state.last_alt_ft
        self.lat1, self.lon1, self.alt1 = point.lat_deg, lon1, point.alt_ft
        self.events: list[ZoneEvent] = []
        self._length_m: float | None = None

    @property
    def length_m(self) -> float:
        if self._length_m is None:
            self._length_m = 0.0 if self.jump else haversine_m(self.lon0, self.lat0, self.lon1,
                                                               self.lat1)
        return self._length_m

    def time_at(self, t: float) -> int:
        return self.point.ts_ms if self.jump else self.t0 + round(self.dt * t)

    def emit(self, zone_id: str, transition: Transition, t: float, via: Boundary | None,
             at_ms: int | None = None) -> None:
        """An event at segment parameter ``t`` (time ``at_ms`` if given)."""
        if self.jump:
            t = 1.0
        alt: float | None = None
        a0 = self.alt0 if self.alt0 is not None else self.alt1
        a1 = self.alt1 if self.alt1 is not None else self.alt0
        if a0 is not None and a1 is not None:
            alt = a0 + (a1 - a0) * t
        self.events.append(make_event(
            self.point, self.zones, zone_id, transition,
            self.time_at(t) if at_ms is None else at_ms,
            self.lat0 + (self.lat1 - self.lat0) * t, self.lon0 + (self.lon1 - self.lon0) * t,
            0.0 < t < 1.0, alt_ft=alt, via=via))

    def emit_pending(self, pending: Pending) -> None:
        self.events.append(make_event(
            self.point, self.zones, pending.zone_id, Transition.ENTRY, pending.since_ms,
            pending.lat_deg, pending.lon_deg, pending.interpolated, alt_ft=pending.alt_ft,
            via=pending.via))


class _ZoneRun:
    """One zone's state machine over one step: OUT, PENDING (hysteresis) or IN."""

    __slots__ = ("inside", "move", "pend_t", "pending", "rules", "visit", "zone_id")

    def __init__(self, move: _Move, zone: Zone, inside: bool, pending: Pending | None,
                 visit: Visit | None) -> None:
        self.move, self.zone_id, self.rules = move, zone.zone_id, zone.rules
        self.inside, self.pending = inside, pending
        self.visit = visit if self.rules.dwell_ms is not None else None
        if inside and self.visit is None and self.rules.dwell_ms is not None:
            # Dwell configured while the track was already in: count from this report.
            self.visit = Visit(self.zone_id, move.point.ts_ms)
        self.pend_t = 0.0

    @property
    def raw_inside(self) -> bool:
        return self.inside or self.pending is not None

    def run(self, pieces: list[Piece]) -> None:
        for a, b, via_in, via_out in pieces:
            if a > 0.0 and not self.raw_inside:
                self._enter(a, via_in)
            if b < 1.0 and self.raw_inside:
                self._leave(b, via_out)
        inside_end = bool(pieces) and pieces[-1][1] == 1.0
        if self.raw_inside != inside_end:
            if inside_end:
                self._enter(1.0, None)
            else:
                self._leave(1.0, None)
        if self.pending is not None and self._confirmed(1.0):
            self._confirm()
        if self.inside:
            self._dwell(1.0)

    def _enter(self, t: float, via: Boundary | None) -> None:
        move = self.move
        if not self.rules.hysteresis:
            move.emit(self.zone_id, Transition.ENTRY, t, via)
            self._entered(move.time_at(t))
            return
        a0 = move.alt0 if move.alt0 is not None else move.alt1
        a1 = move.alt1 if move.alt1 is not None else move.alt0
        tt = 1.0 if move.jump else t
        self.pending = Pending(
            self.zone_id, move.time_at(t), move.lat0 + (move.lat1 - move.lat0) * tt,
            move.lon0 + (move.lon1 - move.lon0) * tt,
            None if a0 is None or a1 is None else a0 + (a1 - a0) * tt, via, 0.0 < tt < 1.0)
        self.pend_t = t

    def _entered(self, at_ms: int) -> None:
        self.inside = True
        self.pending = None
        if self.rules.dwell_ms is not None:
            self.visit = Visit(self.zone_id, at_ms)

    def _leave(self, t: float, via: Boundary | None) -> None:
        if self.pending is not None:
            if not self._confirmed(t):
                self.pending = None
                return
            self._confirm()
        if not self.move.jump:  # after a gap, found outside: not known to have stayed
            self._dwell(t)
        self.move.emit(self.zone_id, Transition.EXIT, t, via)
        self.inside = False
        self.visit = None

    def _confirmed(self, t: float) -> bool:
        pending, rules = self.pending, self.rules
        assert pending is not None
        if (rules.min_inside_ms is not None
                and self.move.time_at(t) - pending.since_ms >= rules.min_inside_ms):
            return True
        return (rules.min_inside_m is not None
                and pending.inside_m + (t - self.pend_t) * self.move.length_m
                >= rules.min_inside_m)

    def _confirm(self) -> None:
        pending = self.pending
        assert pending is not None
        self.move.emit_pending(pending)
        self._entered(pending.since_ms)

    def _dwell(self, t: float) -> None:
        visit, dwell_ms, move = self.visit, self.rules.dwell_ms, self.move
        if visit is None or visit.dwelt or dwell_ms is None:
            return
        due = visit.entered_ms + dwell_ms
        if due > move.time_at(t):
            return
        if move.jump or move.dt == 0:
            move.emit(self.zone_id, Transition.DWELL, 1.0, None)
        else:
            tau = min(1.0, max(0.0, (due - move.t0) / move.dt))
            move.emit(self.zone_id, Transition.DWELL, tau, None, at_ms=due)
        self.visit = Visit(self.zone_id, visit.entered_ms, True)

    def carried_pending(self) -> Pending | None:
        pending = self.pending
        if pending is None or self.move.jump:
            return pending
        travelled = (1.0 - self.pend_t) * self.move.length_m
        return Pending(pending.zone_id, pending.since_ms, pending.lat_deg, pending.lon_deg,
                       pending.alt_ft, pending.via, pending.interpolated,
                       pending.inside_m + travelled)


def _applies(zone: Zone, kind: TrackKind) -> bool:
    return zone.rules.applies_to.covers(kind)


_WHOLE = [(0.0, 1.0)]


def _still_inside(found: list[tuple[Zone, list[tuple[float, float]]]], inside: tuple[str, ...],
                  kind: TrackKind, alt0: int | None, alt1: int | None) -> bool:
    """True when the segment is inside exactly the zones the track is in, throughout."""
    if len(found) != len(inside):
        return False
    for zone, intervals in found:
        if intervals != _WHOLE or zone.zone_id not in inside or not _applies(zone, kind):
            return False
        if (zone.rules.banded and kind is TrackKind.AIRCRAFT
                and band_interval(alt0, alt1, zone.rules) != (0.0, 1.0)):
            return False
    return True


def _point_inside(zones: ZoneSet, point: TrackPoint) -> list[Zone]:
    aircraft = point.kind is TrackKind.AIRCRAFT
    return [z for z in zones.containing(point.lat_deg, point.lon_deg)
            if _applies(z, point.kind) and (not aircraft or in_band(point.alt_ft, z.rules))]


def _run_zones(move: _Move, state: TrackState | None,
               pieces_of: dict[str, list[Piece]]) -> TrackState:
    zones, point = move.zones, move.point
    inside = set() if state is None else set(state.inside)
    pendings = {} if state is None else {p.zone_id: p for p in state.pending}
    visits = {} if state is None else {v.zone_id: v for v in state.visits}
    new_inside: list[str] = []
    new_pending: list[Pending] = []
    new_visits: list[Visit] = []
    for zid in sorted(inside | pieces_of.keys() | pendings.keys() | visits.keys()):
        zone = zones.by_id.get(zid)
        if zone is None:  # removed from the set: left at this report
            if zid in inside:
                move.emit(zid, Transition.EXIT, 1.0, None)
            continue
        run = _ZoneRun(move, zone, zid in inside, pendings.get(zid), visits.get(zid))
        run.run(pieces_of.get(zid, []))
        if run.inside:
            new_inside.append(zid)
        if (carried := run.carried_pending()) is not None:
            new_pending.append(carried)
        if run.visit is not None and run.inside:
            new_visits.append(run.visit)
    return TrackState(point.ts_ms, point.lat_deg, point.lon_deg, tuple(new_inside),
                      point.alt_ft, tuple(new_visits), tuple(new_pending), None, point)


def step(state: TrackState | None, point: TrackPoint, zones: ZoneSet,
         max_gap_ms: int = DEFAULT_MAX_GAP_MS,
         lost_after: LostAfter = DEFAULT_LOST_AFTER) -> StepResult:
    """Advance one track by one report.

    Args:
        state: the track's state, None for a track not seen before.
        point: the new report.
        zones: the zones to test.
        max_gap_ms: the longest gap bridged by a straight segment.
        lost_after: silence after which a track inside a zone is lost.

    Returns:
        The new state (unchanged for a late or duplicate report), the events in order, the
        outcome.
    """
    if state is None:
        move = _Move(None, point, zones, True, point.lon_deg)
        first: dict[str, list[Piece]] = {
            z.zone_id: [(1.0, 1.0, None, None)] for z in _point_inside(zones, point)}
        new_state = _run_zones(move, None, first)
        return StepResult(new_state, order(move.events), StepOutcome.FIRST)

    ts = point.ts_ms
    if ts <= state.last_ts_ms:
        outcome = StepOutcome.DUPLICATE if ts == state.last_ts_ms else StepOutcome.LATE
        return StepResult(state, [], outcome)

    inside = state.inside
    if not inside and not state.pending and ts - state.last_ts_ms <= max_gap_ms:
        # Far from every zone: the common case, kept free of anything not needed.
        lon0, lon1 = state.last_lon_deg, point.lon_deg
        delta = lon1 - lon0
        if delta > 180.0:
            lon1 -= 360.0
        elif delta < -180.0:
            lon1 += 360.0
        if zones.nothing_near(lon0, state.last_lat_deg, lon1, point.lat_deg):
            return StepResult(TrackState(ts, point.lat_deg, point.lon_deg, (), point.alt_ft,
                                         (), (), None, point), [], StepOutcome.SEGMENT)
    early: list[ZoneEvent] = []
    if inside:
        lost_at = state.lost_at_ms
        deadline = lost_deadline(point.track_id, state, lost_after)
        if deadline is not None and ts >= deadline:
            early = lost_events(point.track_id, state, deadline, zones)
            lost_at = deadline
        if lost_at is not None:
            early.extend(make_event(point, zones, zid, Transition.REGAINED, ts, point.lat_deg,
                                    point.lon_deg, False, alt_ft=point.alt_ft,
                                    last_seen_ms=state.last_ts_ms)
                         for zid in inside)

    if ts - state.last_ts_ms > max_gap_ms:
        move = _Move(state, point, zones, True, point.lon_deg)
        was = set(state.inside) | {p.zone_id for p in state.pending}
        pieces_of: dict[str, list[Piece]] = {
            z.zone_id: [(0.0 if z.zone_id in was else 1.0, 1.0, None, None)]
            for z in _point_inside(zones, point)}
        outcome = StepOutcome.GAP
    else:
        lon1 = unwrap_lon(state.last_lon_deg, point.lon_deg)
        found = zones.segment(state.last_lon_deg, state.last_lat_deg, lon1, point.lat_deg)
        kind = point.kind
        if (not early and not state.pending and not state.visits
                and _still_inside(found, inside, kind, state.last_alt_ft, point.alt_ft)):
            # Deep inside the same zones: nothing can happen.
            return StepResult(TrackState(ts, point.lat_deg, point.lon_deg, inside,
                                         point.alt_ft, (), (), None, point), [],
                              StepOutcome.SEGMENT)
        move = _Move(state, point, zones, False, lon1)
        pieces_of = {}
        for zone, intervals in found:
            if not _applies(zone, kind):
                continue
            if kind is TrackKind.AIRCRAFT:
                pieces = clip_to_band(intervals, state.last_alt_ft, point.alt_ft, zone.rules)
            else:
                pieces = [(a, b, Boundary.LATERAL, Boundary.LATERAL)
                          for a, b in intervals]
            if pieces:
                pieces_of[zone.zone_id] = pieces
        outcome = StepOutcome.SEGMENT
    new_state = _run_zones(move, state, pieces_of)
    return StepResult(new_state, order(early + move.events), outcome)
