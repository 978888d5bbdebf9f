"""Building zone events: deterministic ids and the order of the events of one report.

Every event has a deterministic ``event_id`` derived from the track, the zone, the type and
the event time, so a replay or a restart yields the same ids. The events of one report are
ordered by time; at the same instant lost before regained before dwell before exit before
entry (so "exits before entries", as in the skeleton), then by zone id. The events of one
zone at one instant keep the order in which they happened.
"""

from __future__ import annotations

import uuid

from pipeline.geofence.geometry import wrap_lon
from pipeline.geofence.zones import ZoneSet
from pipeline.model.events import Boundary, Transition, ZoneEvent
from pipeline.model.track import TrackPoint

_EVENT_NAMESPACE = uuid.UUID("6f0b8a52-4a55-4c1e-9e8e-0a1d12c0ffee")

_RANK = {Transition.LOST: 0, Transition.REGAINED: 1, Transition.DWELL: 2, Transition.EXIT: 3,
         Transition.ENTRY: 4}


def event_id(track_id: str, zone_id: str, transition: Transition, at_ms: int) -> str:
    """Deterministic id of a zone event."""
    return str(uuid.uuid5(_EVENT_NAMESPACE, f"{track_id}|{zone_id}|{transition}|{at_ms}"))


def make_event(point: TrackPoint, zones: ZoneSet, zone_id: str, transition: Transition,
               at_ms: int, lat: float, lon: float, interpolated: bool,
               alt_ft: float | None = None, via: Boundary | None = None,
               last_seen_ms: int | None = None) -> ZoneEvent:
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
        alt_ft=None if alt_ft is None else round(alt_ft, 1),
        via=via,
        last_seen_ms=last_seen_ms,
        zone_kind=zone.rules.kind if zone is not None else None,
    )


def order(events: list[ZoneEvent]) -> list[ZoneEvent]:
    """The events of one report in publication order (see the module docstring)."""
    if len(events) < 2:
        return events
    groups: dict[tuple[int, str], list[ZoneEvent]] = {}
    for event in events:
        groups.setdefault((event.at_ms, event.zone_id), []).append(event)
    ordered = sorted(groups.items(),
                     key=lambda item: (item[0][0], _RANK[item[1][0].transition], item[0][1]))
    return [event for _, group in ordered for event in group]
