"""The topic catalogue: every topic adizwatch reads or writes, one entry each.

Names are the defaults; a deployment may set a prefix (``ADIZWATCH_TOPIC_PREFIX``).
Every topic except the raw inputs is keyed by track id so a track keeps its order and
its state on one partition. Each entry names its JSON Schema in ``schemas/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    INPUT = "input"        # written by feeds, read by a decoder
    INTERNAL = "internal"  # between two stages
    OUTPUT = "output"      # what users subscribe to
    CONFIG = "config"      # compacted; every worker reads all of it


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    role: Role
    key: str
    value: str
    schema: str | None  # file name under schemas/, None for raw text inputs


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
DEADLETTER = TopicSpec("adizwatch.deadletter", Role.OUTPUT, "none",
                       "rejected input with its reason (JSON)", "adizwatch.deadletter.schema.json")

WATCHLISTS = TopicSpec("watchlists", Role.CONFIG, "entry key (icao24:, mmsi:, callsign:)",
                      "watch-list row (JSON), null = delete", "watchlists.schema.json")
FLIGHTPLANS = TopicSpec("flightplans", Role.CONFIG, "plan id",
                        "flight plan (JSON), null = withdraw", "flightplans.schema.json")

INPUTS: tuple[TopicSpec, ...] = (ADSB_SBS, ADSB_READSB, ADSB_OPENSKY, TRACKS_CANONICAL, AIS_NMEA)

CATALOGUE: tuple[TopicSpec, ...] = (
    *INPUTS, TRACK_UPDATES, TRACK_POINTS, ZONE_EVENTS, IDENTIFICATIONS, DEADLETTER,
    WATCHLISTS, FLIGHTPLANS,
)


def topic_name(spec: TopicSpec, prefix: str = "") -> str:
    """The topic's name in a deployment with ``prefix``."""
    return f"{prefix}{spec.name}"
