"""Produce watch-list entries and flight plans into their compacted topics (the CLI loaders)."""

from __future__ import annotations

import orjson
from aiokafka import AIOKafkaProducer

from pipeline.identify.watchlist import WatchEntry
from pipeline.settings import Settings
from pipeline.transport.admin import ensure_catalogue
from pipeline.transport.config_codec import encode_flightplan
from pipeline.transport.config_files import FileLoad
from pipeline.transport.kafka_client import client_kwargs
from pipeline.transport.topics import FLIGHTPLANS, WATCHLISTS, topic_name


def watch_row(entry: WatchEntry) -> dict[str, str | None]:
    """The topic form of an entry: the columns of its CSV layout."""
    if entry.key.startswith("mmsi:"):
        return {"MMSI": entry.key[5:], "IMO": entry.imo, "name": entry.name,
                "flag": entry.flag, "category": entry.category}
    tags = [*entry.tags, None, None, None]
    cmpg = None if entry.military is None else ("Mil" if entry.military else "Civ")
    return {"$ICAO": entry.key.split(":", 1)[1].upper() if entry.key.startswith("icao24:")
            else entry.key, "$Registration": entry.name, "$Operator": entry.operator,
            "$Type": entry.type_name, "$ICAO Type": entry.icao_type, "#CMPG": cmpg,
            "$Tag 1": tags[0], "$Tag 2": tags[1], "$Tag 3": tags[2],
            "Category": entry.category, "$#Link": entry.link}


async def produce_config(settings: Settings, loaded: FileLoad) -> int:
    """Send every entry and plan of ``loaded``; returns how many were sent.

    The catalogue's missing topics are created first (compacted, with the deployment's
    partitions): a first send to a missing topic would have the broker create it with its
    own defaults when it auto-creates topics.
    """
    await ensure_catalogue(settings)
    producer = AIOKafkaProducer(**client_kwargs(settings))
    await producer.start()
    try:
        watch_topic = topic_name(WATCHLISTS, settings.topic_prefix)
        plan_topic = topic_name(FLIGHTPLANS, settings.topic_prefix)
        for entry in loaded.watch:
            await producer.send_and_wait(watch_topic, orjson.dumps(watch_row(entry)),
                                         key=entry.key.encode())
        for plan in loaded.plans:
            await producer.send_and_wait(plan_topic, encode_flightplan(plan),
                                         key=plan.plan_id.encode())
        return len(loaded.watch) + len(loaded.plans)
    finally:
        await producer.stop()
