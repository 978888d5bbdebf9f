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
    CONFIG = "config"      # written by operators, compacted, read by every worker


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
ADSB_READSB = TopicSpec("adsb.readsb", Role.INPUT, "anything or none",
                        "readsb/tar1090 aircraft.json document or one aircraft object (JSON)",
                        "adsb.readsb.schema.json")
ADSB_OPENSKY = TopicSpec("adsb.opensky", Role.INPUT, "anything or none",
                         "OpenSky /states/all response (JSON)", "adsb.opensky.schema.json")
TRACKS_CANONICAL = TopicSpec("tracks.canonical", Role.INPUT, "anything or none",
                             "canonical track point from another system (JSON)",
                             "tracks.canonical.schema.json")
AIS_NMEA = TopicSpec("ais.nmea", Role.INPUT, "receiver/source id (its fragments meet on one "
                     "partition)", "AIS NMEA 0183 sentence(s) (text)", "ais.nmea.schema.json")
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

WATCHLISTS = TopicSpec("watchlists", Role.CONFIG, "entry key (icao24:, mmsi:, callsign:)",
                      "watch-list row (JSON), null = delete", "watchlists.schema.json",
                      compacted=True)
FLIGHTPLANS = TopicSpec("flightplans", Role.CONFIG, "plan id",
                        "flight plan (JSON), null = withdraw", "flightplans.schema.json",
                        compacted=True)

INPUTS: tuple[TopicSpec, ...] = (ADSB_SBS, ADSB_READSB, ADSB_OPENSKY, TRACKS_CANONICAL, AIS_NMEA)

CATALOGUE: tuple[TopicSpec, ...] = (
    *INPUTS, TRACK_UPDATES, TRACK_POINTS, ZONE_EVENTS, IDENTIFICATIONS, ZONES_CONFIG,
    ZONES_CHANGES, DEADLETTER, WATCHLISTS, FLIGHTPLANS,
)


def topic_name(spec: TopicSpec, prefix: str = "") -> str:
    """The topic's name in a deployment with ``prefix``."""
    return f"{prefix}{spec.name}"


def control_group(group_id: str) -> str:
    """The consumer group (and faust app id) of a deployment's faust control plane, beside
    the track runtime's group ``group_id``: it consumes ``zones.config``."""
    return f"{group_id}.control"
