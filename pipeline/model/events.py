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


@dataclass(frozen=True, slots=True)
class Identification:
    """The identity assigned to a track at a zone event, with the reasons that decided it."""

    event_id: str
    zone_event: ZoneEvent
    country: str | None
    country_reason: str | None
    military: bool | None
    military_reason: str | None
    identity: StandardIdentity
    reasons: tuple[str, ...]
