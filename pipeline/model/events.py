"""Zone events and identification events: the pipeline's outputs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pipeline.model.track import TrackPoint


class Transition(StrEnum):
    """The type of a zone event (the ``type`` field on ``zones.events``)."""

    ENTRY = "zone.entry"
    EXIT = "zone.exit"
    DWELL = "zone.dwell"          # inside a zone for its configured dwell time
    LOST = "track.lost"           # a track inside a zone has gone silent
    REGAINED = "track.regained"   # a lost track reported again


EventType = Transition


class Boundary(StrEnum):
    """Which boundary an entry or exit went through."""

    LATERAL = "lateral"
    FLOOR = "floor"
    CEILING = "ceiling"


class StandardIdentity(StrEnum):
    """Standard identities of STANAG 1241 / APP-6 / MIL-STD-2525 (refdata adiz_rules.md §6)."""

    PENDING = "pending"
    UNKNOWN = "unknown"
    ASSUMED_FRIEND = "assumed friend"
    FRIEND = "friend"
    NEUTRAL = "neutral"
    SUSPECT = "suspect"
    HOSTILE = "hostile"


@dataclass(frozen=True, slots=True)
class ZoneEvent:
    """Something happened to a track and a zone at ``at_ms``, (``lat_deg``, ``lon_deg``).

    ``point`` is the accepted report that revealed it (for interpolated crossings the report
    at the end of the segment; for ``track.lost`` the track's last report). Entry and exit
    times and positions are interpolated along the segment, as is ``alt_ft`` (the altitude
    at the event, None when unknown). ``via`` says which boundary an entry or exit went
    through (None when no boundary was crossed: a first report, after a gap, a removed zone).
    ``last_seen_ms`` is the time of the last report before the silence (lost and regained).
    """

    event_id: str
    transition: Transition
    zone_id: str
    zone_name: str
    at_ms: int
    lat_deg: float
    lon_deg: float
    point: TrackPoint
    interpolated: bool
    alt_ft: float | None = None
    via: Boundary | None = None
    last_seen_ms: int | None = None
    zone_kind: str | None = None


class Trigger(StrEnum):
    """Why an identification event was published."""

    ZONE_ENTRY = "zone.entry"
    ZONE_EXIT = "zone.exit"
    IDENTITY_CHANGE = "identity.change"
    EMERGENCY = "emergency"


@dataclass(frozen=True, slots=True)
class Identification:
    """The identity of a track at a moment, with the evidence and the reasons that decided it.

    ``zone_event`` is set for zone triggers; ``zones`` are the zones the track is inside
    after the event. ``correlation`` is the flight-plan verdict of the ADIZ entry in force,
    as (plan id or None, reason).
    """

    event_id: str
    trigger: Trigger
    at_ms: int
    lat_deg: float
    lon_deg: float
    point: TrackPoint
    zone_event: ZoneEvent | None
    zones: tuple[str, ...]
    country: str | None
    country_reason: str | None
    military: bool | None
    military_reason: str | None
    aircraft_type: str | None
    watchlist: str | None  # the matching entry's key and category
    correlation: tuple[str | None, str] | None
    emergency: bool
    squawk_meaning: str | None
    identity: StandardIdentity
    previous_identity: StandardIdentity
    rule: str
    reasons: tuple[str, ...]
