"""What the picture keeps per track, and the JSON shapes of tracks and alerts for the page.

Positions are sent twice: ``lat``/``lon`` as reported and ``x``, the longitude in the
picture's frame (continuous along the trail; see :mod:`pipeline.picture.frame`). The page
draws ``[lat, x]``; it shows ``lon`` and ``x`` folded back into [-180, 180).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from pipeline.model.events import StandardIdentity
from pipeline.model.track import TrackKind
from pipeline.picture.symbols import sidc
from pipeline.picture.wire import AlertView

EMERGENCY_SQUAWKS = frozenset({"7500", "7600", "7700"})
"""Unlawful interference, radio failure, emergency (ICAO Annex 10 Vol IV)."""

_ROUND = 5  # decimal degrees: ~1 m, more than a map can show


@dataclass(slots=True)
class TrackEntry:
    """The latest state of one track, its trail anchors and its latest identification."""

    track_id: str
    kind: TrackKind
    ts_ms: int
    lat_deg: float
    lon_deg: float
    x_deg: float
    received_ms: int
    callsign: str | None = None
    squawk: str | None = None
    alt_ft: int | None = None
    speed_kt: float | None = None
    track_deg: float | None = None
    anchors: deque[tuple[int, float, float]] = field(default_factory=deque)  # ts, lat, x
    identity: StandardIdentity = StandardIdentity.PENDING
    identity_ts_ms: int = -1
    military: bool | None = None
    aircraft_type: str | None = None
    country: str | None = None
    zones: tuple[str, ...] = ()
    stale: bool = False

    @property
    def emergency(self) -> bool:
        return self.squawk in EMERGENCY_SQUAWKS


def track_view(track: TrackEntry, stale: bool) -> dict[str, object]:
    """A track for the page: latest position, symbol code, trail (oldest first, head last)."""
    trail = [[round(lat, _ROUND), round(x, _ROUND)] for _, lat, x in track.anchors]
    head = [round(track.lat_deg, _ROUND), round(track.x_deg, _ROUND)]
    if not trail or trail[-1] != head:
        trail.append(head)
    return {
        "id": track.track_id,
        "kind": track.kind.value,
        "callsign": track.callsign,
        "squawk": track.squawk,
        "emergency": track.emergency,
        "alt_ft": track.alt_ft,
        "speed_kt": track.speed_kt,
        "track_deg": track.track_deg,
        "ts_ms": track.ts_ms,
        "lat": round(track.lat_deg, _ROUND),
        "lon": round(track.lon_deg, _ROUND),
        "x": round(track.x_deg, _ROUND),
        "identity": track.identity.value,
        "sidc": sidc(track.identity, track.kind, track.military, track.aircraft_type),
        "military": track.military,
        "aircraft_type": track.aircraft_type,
        "country": track.country,
        "zones": list(track.zones),
        "stale": stale,
        "trail": trail,
    }


def alert_view(alert: AlertView, x_deg: float) -> dict[str, object]:
    """An alert for the page; ``x_deg`` is its longitude in the frame, near its track's."""
    return {
        "id": alert.event_id,
        "type": alert.type,
        "ts_ms": alert.ts_ms,
        "track_id": alert.track_id,
        "kind": alert.kind.value,
        "callsign": alert.callsign,
        "zone_id": alert.zone_id,
        "zone_name": alert.zone_name,
        "identity": alert.identity.value,
        "previous_identity": (None if alert.previous_identity is None
                              else alert.previous_identity.value),
        "emergency": alert.emergency,
        "squawk": alert.squawk,
        "squawk_meaning": alert.squawk_meaning,
        "reasons": list(alert.reasons),
        "country": alert.country,
        "aircraft_type": alert.aircraft_type,
        "lat": round(alert.lat_deg, _ROUND),
        "x": round(x_deg, _ROUND),
    }
