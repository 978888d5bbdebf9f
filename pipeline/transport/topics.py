"""The topic catalogue: every topic adizwatch reads or writes, one entry each.

Names are the defaults; a deployment may set a prefix (``ADIZWATCH_TOPIC_PREFIX``).
Every track topic is keyed by track id so a track keeps its order and its state on one
partition; the zone topics are keyed by zone id. Each entry names its JSON Schema in
``schemas/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    INPUT = "input"        # written by feeds, read by a decoder
    INTERNAL = "internal"  # between two stages
    OUTPUT = "output"      # what users subscribe to
    CONFIG = "config"      # written by operators, read by every worker


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    role: Role
    key: str
    value: str
    schema: str | None  # file name under schemas/, None for raw text inputs
    compacted: bool = False  # cleanup.policy=compact: the latest record per key is the state


ADSB_SBS = TopicSpec("adsb.sbs", Role.INPUT, "anything or none",
                     "one SBS-1/BaseStation line (text)", "adsb.sbs.schema.json")
TRACK_UPDATES = TopicSpec("tracks.updates", Role.INTERNAL, "track id",
                          "partial track update (JSON), re-keyed by track",
                          "tracks.updates.schema.json")
TRACK_POINTS = TopicSpec("tracks.points", Role.OUTPUT, "track id",
                         "canonical track point (JSON)", "tracks.points.schema.json")
ZONE_EVENTS = TopicSpec("zones.events", Role.OUTPUT, "track id",
                        "zone entry/exit event (JSON)", "zones.events.schema.json")
IDENTIFICATIONS = TopicSpec("alerts.identification", Role.OUTPUT, "track id",
                            "identification event (JSON)", "alerts.identification.schema.json")
ZONES_CONFIG = TopicSpec("zones.config", Role.CONFIG, "zone id",
                         "GeoJSON Feature of a zone; null (tombstone) deletes it",
                         "zones.config.schema.json", compacted=True)
ZONES_CHANGES = TopicSpec("zones.changes", Role.OUTPUT, "zone id",
                          "what each zones.config record did (JSON): the change log",
                          "zones.changes.schema.json")
DEADLETTER = TopicSpec("adizwatch.deadletter", Role.OUTPUT, "none",
                       "rejected input with its reason (JSON)", "adizwatch.deadletter.schema.json")

CATALOGUE: tuple[TopicSpec, ...] = (
    ADSB_SBS, TRACK_UPDATES, TRACK_POINTS, ZONE_EVENTS, IDENTIFICATIONS, ZONES_CONFIG,
    ZONES_CHANGES, DEADLETTER,
)


def topic_name(spec: TopicSpec, prefix: str = "") -> str:
    """The topic's name in a deployment with ``prefix``."""
    return f"{prefix}{spec.name}"
