"""A feed as several receivers deliver it, and the events that are true of it.

Built from the bundled seed scenario (``pipeline/data/feeds/seed-scenario-alaska.sbs``, 16
aircraft over the Bering and Chukchi seas, 6 h): every line is heard by one or two of three
receivers, chosen per aircraft and minute (coverage that overlaps and changes). Each
receiver stamps its copy with its own clock (offsets of a few tens of milliseconds) and
delivers it with its own latency (0.2, 1.5 and 3 s), and the feed is the lines in delivery
order, keyed by receiver: so the same aircraft arrives from several keys (and, on several
partitions, from several input partitions), slightly out of order. Two coverage holes are cut
into the bombers' tracks inside the Alaska ADIZ: one of 12 minutes (a real silence: lost, then
regained) and one of 8 minutes (no loss: the threshold is 10).

:func:`truth` computes what a correct pipeline publishes from the same lines with nothing
shared but the decoder: each track's reports in time order through the independent
geofence (``tests/geofence_oracle.py``), plus the losses the end of the feed reveals.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from pipeline.assemble.merger import merge
from pipeline.decode.sbs import decode_sbs
from pipeline.demo import bundled_feeds
from pipeline.geofence.zones import default_zone_dir
from pipeline.model.track import TrackPoint
from tests.geofence_oracle import OracleZone, run_track

RECEIVERS = (b"rx-gambell", b"rx-wales", b"rx-kotzebue")
CLOCK_OFFSET_MS = (0, 40, -25)
LATENCY_MS = (200, 1_500, 3_000)
SILENCE = ("7A6E21", datetime(2024, 7, 24, 17, 40, tzinfo=UTC), timedelta(minutes=12))
SHORT_GAP = ("7A6E2B", datetime(2024, 7, 24, 18, 10, tzinfo=UTC), timedelta(minutes=8))
LOST_MS = 600_000


def _lines() -> list[bytes]:
    path = next(p for p in bundled_feeds() if p.name == "seed-scenario-alaska.sbs")
    return [line for line in path.read_bytes().splitlines() if line.strip()]


def _time(fields: list[bytes]) -> datetime:
    stamp = (fields[6] + b" " + fields[7]).decode()
    return datetime.strptime(stamp, "%Y/%m/%d %H:%M:%S.%f").replace(tzinfo=UTC)


def _restamp(fields: list[bytes], at: datetime) -> bytes:
    date = at.strftime("%Y/%m/%d").encode()
    clock = at.strftime("%H:%M:%S.").encode() + f"{at.microsecond // 1000:03d}".encode()
    out = list(fields)
    out[6], out[7], out[8], out[9] = date, clock, date, clock
    return b",".join(out)


def _cut(icao: str, at: datetime) -> bool:
    for hole_icao, start, length in (SILENCE, SHORT_GAP):
        if icao == hole_icao and start <= at < start + length:
            return True
    return False


def _hearing(icao: str, at: datetime) -> tuple[int, ...]:
    h = zlib.crc32(f"{icao}/{at:%Y%m%d%H%M}".encode()) % 6
    return (h,) if h < 3 else (h - 3, (h - 2) % 3)


def multi_receiver_feed() -> list[tuple[bytes, bytes]]:
    """(receiver key, SBS line), in delivery order."""
    copies: list[tuple[datetime, int, int, bytes]] = []
    for index, line in enumerate(_lines()):
        fields = line.split(b",")
        icao, at = fields[4].decode(), _time(fields)
        if _cut(icao, at):
            continue
        for rx in _hearing(icao, at):
            stamped = at + timedelta(milliseconds=CLOCK_OFFSET_MS[rx])
            delivered = stamped + timedelta(milliseconds=LATENCY_MS[rx])
            copies.append((delivered, rx, index, _restamp(fields, stamped)))
    copies.sort()
    return [(RECEIVERS[rx], line) for _, rx, _, line in copies]


def truth(feed: Sequence[tuple[bytes, bytes]]) -> Counter[str]:
    """The zone events a correct pipeline publishes for ``feed``, counted by type."""
    import orjson

    updates = [u for _, line in feed if (u := decode_sbs(line, 0)) is not None]
    updates.sort(key=lambda u: (u.ts_ms, u.lat_deg is not None))
    memory: dict[str, object] = {}
    points: dict[str, list[TrackPoint]] = {}
    for update in updates:
        merged, point = merge(memory.get(update.track_id), update)  # type: ignore[arg-type]
        memory[update.track_id] = merged
        if point is not None:
            points.setdefault(point.track_id, []).append(point)
    zones = [OracleZone.from_feature(feature)
             for path in sorted(default_zone_dir().glob("*.geojson"))
             for feature in orjson.loads(path.read_bytes())["features"]]
    end_ms = max(u.ts_ms for u in updates)
    counts: Counter[str] = Counter()
    for track in points.values():
        events = run_track(track, zones)
        counts.update(e.type for e in events)
        inside: set[str] = set()
        for e in events:
            if e.type in ("zone.entry", "track.regained"):
                inside.add(e.zone_id)
            elif e.type == "zone.exit":
                inside.discard(e.zone_id)
        last = max(p.ts_ms for p in track)
        if last + LOST_MS <= end_ms:  # the end of the feed reveals the silence
            counts["track.lost"] += len(inside)
    return counts
