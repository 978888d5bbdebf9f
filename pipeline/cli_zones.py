"""``adizwatch zones ...``: list, check and publish zones.

* ``zones list [--zones FILES] [--live]``: the zones a worker would load (id, name, kind,
  source, applies_to, band, dwell, area), from the files, and with ``--live`` after the
  records already on ``zones.config`` (read from the configured bootstrap servers).
* ``zones check FILE...``: validate GeoJSON files offline; every refused feature with its
  reason. Exit 1 if any is refused.
* ``zones put FILE...``: publish each feature of the files to ``zones.config`` (key = id).
* ``zones delete ID...``: publish tombstones.

Area: WGS84 area via authalic latitudes on the authalic sphere (``geofence/earth.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

import orjson

from pipeline.geofence.earth import area_km2
from pipeline.geofence.errors import ZoneError
from pipeline.geofence.zone_config import ZoneRegistry
from pipeline.geofence.zones import Zone, ZoneSet, load_zone_files, zone_from_feature
from pipeline.settings import Settings
from pipeline.transport.topics import ZONES_CONFIG, topic_name


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    zones = sub.add_parser("zones", help="list, check and publish zones")
    zones_sub = zones.add_subparsers(dest="zones_command", required=True)
    zl = zones_sub.add_parser("list", help="list the zones that would be loaded")
    zl.add_argument("--zones", help="GeoJSON file(s) or directories, comma-separated "
                                    "(default: ADIZWATCH_ZONES or the bundled ADIZ set)")
    zl.add_argument("--live", action="store_true",
                    help="also apply the records on zones.config (needs the broker)")
    zl.add_argument("--bootstrap-servers")
    zl.add_argument("--json", action="store_true", help="one JSON object per zone")
    zc = zones_sub.add_parser("check", help="validate GeoJSON zone files offline")
    zc.add_argument("files", type=Path, nargs="+")
    zp = zones_sub.add_parser("put", help="publish the features of GeoJSON files to "
                                          "zones.config")
    zp.add_argument("files", type=Path, nargs="+")
    zp.add_argument("--bootstrap-servers")
    zd = zones_sub.add_parser("delete", help="delete zones (tombstones on zones.config)")
    zd.add_argument("ids", nargs="+")
    zd.add_argument("--bootstrap-servers")


def _band(zone: Zone) -> str:
    rules = zone.rules
    if not rules.banded:
        return ""
    low = "-" if rules.floor_ft is None else f"{rules.floor_ft:g}"
    high = "-" if rules.ceiling_ft is None else f"{rules.ceiling_ft:g}"
    return f"{low}..{high}"


def _row(zone: Zone) -> dict[str, object]:
    rules = zone.rules
    band = _band(zone)
    return {"id": zone.zone_id, "name": zone.name, "kind": rules.kind,
            "source": str(zone.properties.get("source", "")),
            "applies_to": rules.applies_to.value, "band_ft": band,
            "dwell_s": None if rules.dwell_ms is None else rules.dwell_ms / 1000,
            "area_km2": round(area_km2(zone.geometry))}


async def _read_live(settings: Settings, registry: ZoneRegistry) -> int:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    from pipeline.transport.handlers import RecordMeta
    from pipeline.transport.kafka_client import client_kwargs
    from pipeline.transport.zone_handlers import apply_record

    topic = topic_name(ZONES_CONFIG, settings.topic_prefix)
    consumer = AIOKafkaConsumer(**client_kwargs(settings), group_id=None,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        if not parts:
            await consumer.topics()
            parts = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        if not tps:
            return 0
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        count = 0
        for tp in tps:
            while await consumer.position(tp) < ends[tp]:
                batch = await consumer.getmany(tp, timeout_ms=1000)
                for record in batch.get(tp, []):
                    if record.offset < ends[tp]:
                        apply_record(registry, record.key, record.value,
                                     RecordMeta(topic, tp.partition, record.offset,
                                                record.timestamp))
                        count += 1
        return count
    finally:
        await consumer.stop()


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console
    from rich.table import Table

    zones: ZoneSet = load_zone_files(settings.zone_paths)
    title = f"{len(zones)} zones from {', '.join(str(p) for p in settings.zone_paths)}"
    if args.live:
        registry = ZoneRegistry(zones.zones)
        records = asyncio.run(_read_live(settings, registry))
        zones = registry.zones
        title = f"{len(zones)} zones (files + {records} zones.config records)"
    rows = [_row(zone) for zone in zones.zones]
    if args.json:
        for row in rows:
            sys.stdout.write(orjson.dumps(row).decode() + "\n")
        return 0
    table = Table(title=title)
    widths = {"id": (10, 26), "name": (8, 20), "kind": (5, None), "source": (8, 14),
              "applies_to": (10, None), "band_ft": (7, None), "dwell_s": (7, None),
              "area_km2": (10, None)}
    for column, (low, high) in widths.items():
        table.add_column(column, justify="right" if column == "area_km2" else "left",
                         no_wrap=True, overflow="ellipsis", min_width=low, max_width=high)
    for row in rows:
        table.add_row(*("" if row[c] is None else f"{row[c]:,}" if c == "area_km2"
                        else str(row[c]) for c in row))
    Console().print(table)
    print("area: WGS84 area via authalic latitudes on the authalic sphere "
          "(pipeline/geofence/earth.py)", file=sys.stderr)
    return 0


def _check(files: list[Path]) -> int:
    refused = 0
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"{path}: unreadable: {exc}")
            refused += 1
            continue
        features = data.get("features", [data]) if isinstance(data, dict) else [data]
        for i, feature in enumerate(features):
            try:
                zone = zone_from_feature(feature)
            except ZoneError as exc:
                print(f"{path} feature {i}: REFUSED {exc.reason.value}: {exc}")
                refused += 1
            else:
                print(f"{path} feature {i}: ok {zone.zone_id} "
                      f"({area_km2(zone.geometry):,.0f} km2)")
    return 1 if refused else 0


def _publish(settings: Settings, records: list[tuple[bytes, bytes | None]]) -> int:
    from aiokafka import AIOKafkaProducer

    from pipeline.transport.admin import ensure_catalogue
    from pipeline.transport.kafka_client import client_kwargs

    topic = topic_name(ZONES_CONFIG, settings.topic_prefix)

    async def go() -> None:
        await ensure_catalogue(settings)  # else the first send creates it, uncompacted
        producer = AIOKafkaProducer(**client_kwargs(settings))
        await producer.start()
        try:
            for key, value in records:
                await producer.send_and_wait(topic, key=key, value=value)
        finally:
            await producer.stop()

    asyncio.run(go())
    print(f"{len(records)} records sent to {topic}", file=sys.stderr)
    return 0


def _put(files: list[Path], settings: Settings) -> int:
    if _check(files):
        print("nothing sent: fix the refused features first", file=sys.stderr)
        return 1
    records: list[tuple[bytes, bytes | None]] = []
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        for feature in data.get("features", [data]):
            records.append((str(feature["properties"]["id"]).encode(), orjson.dumps(feature)))
    return _publish(settings, records)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run a ``zones`` subcommand; returns the exit code."""
    if args.zones_command == "list":
        return _list(args, settings)
    if args.zones_command == "check":
        return _check(args.files)
    if args.zones_command == "put":
        return _put(args.files, settings)
    return _publish(settings, [(zone_id.encode(), None) for zone_id in args.ids])
