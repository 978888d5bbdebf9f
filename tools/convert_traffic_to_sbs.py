"""Convert a xoolive/traffic trajectory sample (OpenSky data) into SBS-1 / BaseStation lines.

Input: a gzip JSON array of per-second records, as pandas ``orient="records"`` writes them
(``timestamp`` in epoch ms, ``icao24``, ``callsign``, ``latitude``, ``longitude``,
``altitude`` ft, ``groundspeed`` kt, ``track`` deg, ``vertical_rate`` ft/min, ``onground``),
with its ``<file>.meta.json`` sidecar (upstream repository, path, commit, licence, sha256).
The sha256 is checked before anything is converted.

Output: one SBS-1 line per record, 22 comma-separated fields, in time order:

- ``MSG,1`` (identification) when an aircraft's callsign first appears or changes;
- ``MSG,3`` (airborne position) for every record with a position: altitude, latitude,
  longitude (5 decimals) and the on-ground flag. The source has no squawk, so the alert,
  emergency and SPI flags are left empty (unknown), as dump1090 does;
- ``MSG,4`` (airborne velocity) when ground speed, track or vertical rate changed materially
  since the last one written, and at least every ``VELOCITY_HEARTBEAT_MS``.

Values are the recorded ones, not smoothed: OpenSky repeats the last position for a few
seconds until a new one is decoded, and those repeats are kept as they are.

Optionally (``--zone-file`` and ``--zone-id``) it reports where the converted track crosses
one ADIZ boundary, reading consecutive positions as straight lines in longitude/latitude
like the pipeline's geofence does.

Usage::

    python tools/convert_traffic_to_sbs.py SRC OUT [--zone-file F --zone-id ID]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SPEED_CHANGE_KT = 5.0
"""A ground-speed change this large is news; smaller ones are the source's 1 kt jitter."""

TRACK_CHANGE_DEG = 5.0
"""A heading change this large is a turn worth a velocity message."""

VRATE_CHANGE_FPM = 1000
"""The source's vertical rate jumps by several hundred ft/min from one second to the next
(64 ft/min steps); a lower threshold would write a velocity message nearly every second."""

VELOCITY_HEARTBEAT_MS = 30_000
"""Write a velocity message at least this often while velocity data keeps coming."""

SBS_FIELDS = 22


class ConversionError(ValueError):
    """The input does not look like the documented traffic sample."""


@dataclass(frozen=True, slots=True)
class Record:
    """One source row, narrowed to the types the conversion needs."""

    ts_ms: int
    icao24: str
    callsign: str | None
    lat_deg: float | None
    lon_deg: float | None
    alt_ft: float | None
    speed_kt: float | None
    track_deg: float | None
    vrate_fpm: float | None
    on_ground: bool


@dataclass(frozen=True, slots=True)
class Velocity:
    ts_ms: int
    speed_kt: float
    track_deg: float
    vrate_fpm: float


def _opt_float(row: dict[str, object], key: str, index: int) -> float | None:
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConversionError(f"row {index}: {key} is not a number: {value!r}")
    return float(value)


def parse_rows(rows: object) -> list[Record]:
    """Narrow the decoded JSON array to records, sorted by time (stable).

    Raises:
        ConversionError: when the array or one of its rows has the wrong shape.
    """
    if not isinstance(rows, list):
        raise ConversionError("expected a JSON array of records")
    records: list[Record] = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ConversionError(f"row {index} is not an object")
        ts = row.get("timestamp")
        icao = row.get("icao24")
        callsign = row.get("callsign")
        on_ground = row.get("onground", False)
        if not isinstance(ts, int) or isinstance(ts, bool):
            raise ConversionError(f"row {index}: timestamp is not epoch ms: {ts!r}")
        if not isinstance(icao, str) or len(icao) != 6:
            raise ConversionError(f"row {index}: icao24 is not 6 hex digits: {icao!r}")
        int(icao, 16)
        if callsign is not None and not isinstance(callsign, str):
            raise ConversionError(f"row {index}: callsign is not text: {callsign!r}")
        if not isinstance(on_ground, bool):
            raise ConversionError(f"row {index}: onground is not a boolean: {on_ground!r}")
        lat = _opt_float(row, "latitude", index)
        lon = _opt_float(row, "longitude", index)
        if (lat is None) != (lon is None):
            raise ConversionError(f"row {index}: latitude without longitude or the reverse")
        records.append(Record(
            ts_ms=ts,
            icao24=icao.upper(),
            callsign=(callsign.strip() or None) if callsign is not None else None,
            lat_deg=lat,
            lon_deg=lon,
            alt_ft=_opt_float(row, "altitude", index),
            speed_kt=_opt_float(row, "groundspeed", index),
            track_deg=_opt_float(row, "track", index),
            vrate_fpm=_opt_float(row, "vertical_rate", index),
            on_ground=on_ground,
        ))
    records.sort(key=lambda r: r.ts_ms)
    return records


def load_source(src: Path) -> tuple[list[Record], dict[str, object]]:
    """Read the sample and its sidecar, checking the sha256 recorded there.

    Raises:
        ConversionError: missing sidecar, checksum mismatch or malformed rows.
    """
    meta_path = src.with_name(src.name + ".meta.json")
    if not meta_path.is_file():
        raise ConversionError(f"missing sidecar {meta_path}")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if not isinstance(meta, dict):
        raise ConversionError(f"{meta_path} is not a JSON object")
    raw = src.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if meta.get("sha256") != digest:
        raise ConversionError(
            f"{src.name}: sha256 {digest} does not match the sidecar's {meta.get('sha256')}")
    return parse_rows(json.loads(gzip.decompress(raw))), meta


def _flag(value: bool) -> str:
    return "-1" if value else "0"


def _num(value: float) -> str:
    """Integral values without a decimal point, others with one decimal."""
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _angle_diff(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


def sbs_line(msg_type: int, icao24: str, ts_ms: int, *, callsign: str = "", alt: str = "",
             speed: str = "", track: str = "", lat: str = "", lon: str = "", vrate: str = "",
             squawk: str = "", flags: Sequence[str] = ("", "", "", "")) -> str:
    """One BaseStation line; generated and logged times are both the record time."""
    moment = datetime.fromtimestamp(ts_ms / 1000, tz=UTC)
    day = moment.strftime("%Y/%m/%d")
    clock = moment.strftime("%H:%M:%S.") + f"{ts_ms % 1000:03d}"
    fields = ["MSG", str(msg_type), "1", "1", icao24, "1", day, clock, day, clock, callsign,
              alt, speed, track, lat, lon, vrate, squawk, *flags]
    if len(fields) != SBS_FIELDS:
        raise AssertionError(f"built {len(fields)} fields")
    return ",".join(fields)


def _velocity_due(last: Velocity | None, now: Velocity) -> bool:
    if last is None or now.ts_ms - last.ts_ms >= VELOCITY_HEARTBEAT_MS:
        return True
    return (abs(now.speed_kt - last.speed_kt) >= SPEED_CHANGE_KT
            or _angle_diff(now.track_deg, last.track_deg) >= TRACK_CHANGE_DEG
            or abs(now.vrate_fpm - last.vrate_fpm) >= VRATE_CHANGE_FPM)


def convert(records: Iterable[Record]) -> list[str]:
    """SBS-1 lines for time-ordered records (see the module docstring for the rules)."""
    lines: list[str] = []
    callsigns: dict[str, str] = {}
    velocities: dict[str, Velocity] = {}
    for rec in records:
        if rec.callsign is not None and callsigns.get(rec.icao24) != rec.callsign:
            callsigns[rec.icao24] = rec.callsign
            lines.append(sbs_line(1, rec.icao24, rec.ts_ms, callsign=rec.callsign))
        if rec.lat_deg is not None and rec.lon_deg is not None:
            lines.append(sbs_line(
                3, rec.icao24, rec.ts_ms,
                alt=_num(round(rec.alt_ft)) if rec.alt_ft is not None else "",
                lat=f"{rec.lat_deg:.5f}", lon=f"{rec.lon_deg:.5f}",
                flags=("", "", "", _flag(rec.on_ground))))
        if rec.speed_kt is not None and rec.track_deg is not None and rec.vrate_fpm is not None:
            now = Velocity(rec.ts_ms, rec.speed_kt, rec.track_deg, rec.vrate_fpm)
            if _velocity_due(velocities.get(rec.icao24), now):
                velocities[rec.icao24] = now
                lines.append(sbs_line(
                    4, rec.icao24, rec.ts_ms, speed=_num(rec.speed_kt),
                    track=f"{rec.track_deg % 360.0:.1f}", vrate=_num(round(rec.vrate_fpm))))
    return lines


# --- optional zone check -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ZoneCrossing:
    ts_ms: int
    entering: bool
    lat_deg: float
    lon_deg: float


def zone_crossings(lines: Iterable[str], zone_file: Path, zone_id: str) -> list[ZoneCrossing]:
    """Boundary crossings of each aircraft's consecutive MSG,3 positions.

    Segments are straight in longitude/latitude; a point on the boundary counts as inside.
    Crossing times are interpolated linearly along the segment.
    """
    import shapely
    from shapely.geometry import LineString, Point, shape

    collection = json.loads(zone_file.read_text(encoding="utf-8"))
    features = [f for f in collection["features"] if f["properties"]["id"] == zone_id]
    if len(features) != 1:
        raise ConversionError(f"{zone_file}: expected one feature with id {zone_id!r}")
    zone = shape(features[0]["geometry"])
    shapely.prepare(zone)
    boundary = zone.boundary

    last: dict[str, tuple[int, float, float]] = {}
    found: list[ZoneCrossing] = []
    for line in lines:
        p = line.split(",")
        if p[1] != "3" or not p[14]:
            continue
        ts_ms = int(datetime.strptime(f"{p[6]} {p[7]}", "%Y/%m/%d %H:%M:%S.%f")
                    .replace(tzinfo=UTC).timestamp() * 1000)
        lat, lon = float(p[14]), float(p[15])
        prev = last.get(p[4])
        last[p[4]] = (ts_ms, lat, lon)
        if prev is None or (prev[1], prev[2]) == (lat, lon):
            continue
        t0, lat0, lon0 = prev
        segment = LineString([(lon0, lat0), (lon, lat)])
        hit = segment.intersection(boundary)
        cuts: set[float] = set()
        for part in getattr(hit, "geoms", (hit,)):
            if part.is_empty:
                continue
            for x, y in part.coords:
                cuts.add(segment.project(Point(x, y), normalized=True))
        if not cuts:
            continue
        # The state between two boundary points is read at their midpoint, so a segment
        # that only grazes a vertex makes no crossing.
        edges = [0.0, *sorted(cuts), 1.0]
        states = []
        for a, b in itertools.pairwise(edges):
            mid = segment.interpolate((a + b) / 2, normalized=True)
            states.append(bool(shapely.intersects_xy(zone, mid.x, mid.y)))
        for frac, before, after in zip(edges[1:-1], states, states[1:], strict=False):
            if before != after:
                x, y = segment.interpolate(frac, normalized=True).coords[0]
                found.append(ZoneCrossing(round(t0 + frac * (ts_ms - t0)), after, y, x))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path, help="traffic sample (.json.gz) with its .meta.json")
    parser.add_argument("out", type=Path, help="SBS-1 file to write")
    parser.add_argument("--zone-file", type=Path, help="GeoJSON file for the crossing report")
    parser.add_argument("--zone-id", help="feature id in --zone-file")
    args = parser.parse_args(argv)
    if (args.zone_file is None) != (args.zone_id is None):
        parser.error("--zone-file and --zone-id go together")
    try:
        records, meta = load_source(args.src)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    lines = convert(records)
    if not lines:
        print(f"error: {args.src} produced no lines", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(line + "\n" for line in lines), encoding="ascii")

    source = meta.get("source")
    origin = (f"{source.get('repository')} {source.get('path')} @{source.get('commit')}"
              if isinstance(source, dict) else "unknown")
    counts: dict[str, int] = {}
    for line in lines:
        counts[line[:5]] = counts.get(line[:5], 0) + 1
    first, last = lines[0].split(","), lines[-1].split(",")
    print(f"source: {origin} ({meta.get('licence')})")
    print(f"wrote {args.out}: {len(lines)} lines "
          + " ".join(f"{kind}={n}" for kind, n in sorted(counts.items()))
          + f"; {first[6]} {first[7]} - {last[6]} {last[7]} UTC")
    if args.zone_file is not None:
        crossings = zone_crossings(lines, args.zone_file, args.zone_id)
        print(f"{args.zone_id}: {len(crossings)} boundary crossings")
        for c in crossings:
            moment = datetime.fromtimestamp(c.ts_ms / 1000, tz=UTC)
            kind = "entry" if c.entering else "exit "
            print(f"  {kind} {moment:%Y-%m-%d %H:%M:%S}Z at {c.lat_deg:.4f}, {c.lon_deg:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
