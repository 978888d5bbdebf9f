"""The geofence step: one accepted report in, the zone entries and exits it reveals out.

Semantics, per track, in the order its reports arrive:

* A report whose time is not newer than the newest accepted one (a duplicate or a late
  report) does not move the track and creates no event (outcome ``late``/``duplicate``).
* The first accepted report creates an entry for every zone it is inside, at its time.
* Between two accepted reports at most ``max_gap_ms`` apart the track moves in a straight
  line in longitude/latitude, the shorter way round the antimeridian; every boundary
  crossing on that segment is an event, with its time and position interpolated linearly
  along the segment (several per segment where the segment cuts a concave zone or a hole).
* After a longer gap, the zones containing the new report are compared with the old ones and
  each change is one event at the new report's time and position.
* A point on the boundary counts as inside.

Every event has a deterministic ``event_id`` derived from the track, the zone, the type and
the crossing time, so a replay or a restart yields the same ids. Events of one report are
ordered by time, exits before entries at the same instant, then by zone id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from pipeline.geofence.geometry import segment_crossings, unwrap_lon, wrap_lon
from pipeline.geofence.zones import ZoneSet
from pipeline.model.events import Transition, ZoneEvent
from pipeline.model.track import TrackPoint

DEFAULT_MAX_GAP_MS = 300_000
"""Beyond 5 minutes between reports a straight line is no longer a credible path."""

_EVENT_NAMESPACE = uuid.UUID("6f0b8a52-4a55-4c1e-9e8e-0a1d12c0ffee")


class StepOutcome(StrEnum):
    FIRST = "first"
    SEGMENT = "segment"
    GAP = "gap"
    DUPLICATE = "duplicate"
    LATE = "late"


@dataclass(frozen=True, slots=True)
class TrackState:
    """What the geofence remembers of a track: its last accepted report and where it is."""

    last_ts_ms: int
    last_lat_deg: float
    last_lon_deg: float
    inside: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"last_ts_ms": self.last_ts_ms, "last_lat_deg": self.last_lat_deg,
                "last_lon_deg": self.last_lon_deg, "inside": list(self.inside)}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> TrackState:
        """Rebuild from :meth:`to_dict` output (the table's stored form)."""
        ts, lat, lon, inside = (data.get("last_ts_ms"), data.get("last_lat_deg"),
                                data.get("last_lon_deg"), data.get("inside"))
        if (not isinstance(ts, int) or not isinstance(lat, int | float)
                or not isinstance(lon, int | float) or not isinstance(inside, list)
                or not all(isinstance(z, str) for z in inside)):
            raise ValueError(f"not a stored track state: {data!r}")
        return cls(ts, float(lat), float(lon), tuple(inside))


@dataclass(frozen=True, slots=True)
class StepResult:
    state: TrackState
    events: list[ZoneEvent]
    outcome: StepOutcome


def event_id(track_id: str, zone_id: str, transition: Transition, at_ms: int) -> str:
    """Deterministic id of a zone event."""
    return str(uuid.uuid5(_EVENT_NAMESPACE, f"{track_id}|{zone_id}|{transition}|{at_ms}"))


def _event(point: TrackPoint, zones: ZoneSet, zone_id: str, transition: Transition,
           at_ms: int, lat: float, lon: float, interpolated: bool) -> ZoneEvent:
    zone = zones.by_id.get(zone_id)
    return ZoneEvent(
        event_id=event_id(point.track_id, zone_id, transition, at_ms),
        transition=transition,
        zone_id=zone_id,
        zone_name=zone.name if zone is not None else zone_id,
        at_ms=at_ms,
        lat_deg=lat,
        lon_deg=wrap_lon(lon),
        point=point,
        interpolated=interpolated,
    )


def _order(events: list[ZoneEvent]) -> list[ZoneEvent]:
    return sorted(events, key=lambda e: (e.at_ms, e.transition != Transition.EXIT, e.zone_id))


def step(state: TrackState | None, point: TrackPoint, zones: ZoneSet,
         max_gap_ms: int = DEFAULT_MAX_GAP_MS) -> StepResult:
    """Advance one track by one report.

    Args:
        state: the track's state, None for a track not seen before.
        point: the new report.
        zones: the zones to test.
        max_gap_ms: the longest gap bridged by a straight segment.

    Returns:
        The new state (unchanged for a late or duplicate report), the events, the outcome.
    """
    lat1, lon1 = point.lat_deg, point.lon_deg
    if state is None:
        inside = tuple(sorted(z.zone_id for z in zones.containing(lat1, lon1)))
        entries = [_event(point, zones, zid, Transition.ENTRY, point.ts_ms, lat1, lon1, False)
                   for zid in inside]
        return StepResult(TrackState(point.ts_ms, lat1, lon1, inside), entries,
                          StepOutcome.FIRST)

    if point.ts_ms <= state.last_ts_ms:
        outcome = (StepOutcome.DUPLICATE if point.ts_ms == state.last_ts_ms
                   else StepOutcome.LATE)
        return StepResult(state, [], outcome)

    new_state_inside: set[str] = set(state.inside)
    events: list[ZoneEvent] = []
    if point.ts_ms - state.last_ts_ms > max_gap_ms:
        now_inside = {z.zone_id for z in zones.containing(lat1, lon1)}
        for zid in sorted(new_state_inside - now_inside):
            events.append(_event(point, zones, zid, Transition.EXIT, point.ts_ms, lat1, lon1,
                                 False))
        for zid in sorted(now_inside - new_state_inside):
            events.append(_event(point, zones, zid, Transition.ENTRY, point.ts_ms, lat1, lon1,
                                 False))
        new_state = TrackState(point.ts_ms, lat1, lon1, tuple(sorted(now_inside)))
        return StepResult(new_state, _order(events), StepOutcome.GAP)

    lat0, lon0, t0 = state.last_lat_deg, state.last_lon_deg, state.last_ts_ms
    lon1u = unwrap_lon(lon0, lon1)
    dt = point.ts_ms - t0
    candidates = {z.zone_id: z for z in zones.candidates(
        min(lon0, lon1u), min(lat0, lat1), max(lon0, lon1u), max(lat0, lat1))}
    # A zone the track is in but that was removed from the set is left at this report.
    for zid in sorted(new_state_inside - zones.by_id.keys()):
        events.append(_event(point, zones, zid, Transition.EXIT, point.ts_ms, lat1, lon1, False))
        new_state_inside.discard(zid)
    for zid in sorted(new_state_inside - candidates.keys()):
        if zid in zones.by_id:
            candidates[zid] = zones.by_id[zid]
    for zid, zone in candidates.items():
        _, crossings, inside_end = segment_crossings(zone.extended, zone.boundary,
                                                     lon0, lat0, lon1u, lat1)
        currently = zid in new_state_inside
        for crossing in crossings:
            if crossing.entering == currently:
                continue  # keep entries and exits alternating against the stored state
            at_ms = t0 + round(dt * crossing.t)
            lat = lat0 + (lat1 - lat0) * crossing.t
            lon = lon0 + (lon1u - lon0) * crossing.t
            transition = Transition.ENTRY if crossing.entering else Transition.EXIT
            events.append(_event(point, zones, zid, transition, at_ms, lat, lon,
                                 0.0 < crossing.t < 1.0))
            currently = crossing.entering
        if currently != inside_end:
            transition = Transition.ENTRY if inside_end else Transition.EXIT
            events.append(_event(point, zones, zid, transition, point.ts_ms, lat1, lon1, False))
        if inside_end:
            new_state_inside.add(zid)
        else:
            new_state_inside.discard(zid)
    new_state = TrackState(point.ts_ms, lat1, lon1, tuple(sorted(new_state_inside)))
    return StepResult(new_state, _order(events), StepOutcome.SEGMENT)
