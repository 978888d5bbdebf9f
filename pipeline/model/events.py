"""Zone events and identification events: the pipeline's outputs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pipeline.model.track import TrackPoint


class Transition(StrEnum):
    ENTRY = "zone.entry"
    EXIT = "zone.exit"


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
    """A track crossed a zone boundary at ``at_ms`` and (``lat_deg``, ``lon_deg``).

    ``point`` is the accepted report that revealed the crossing (for interpolated crossings
    it is the report at the end of the segment); the crossing position and time are
    interpolated along the segment.
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
