"""Hypothesis strategies: real recorded inputs, their mutations, and arbitrary input.

Real inputs come from ``tests/data/feeds/`` (see its SOURCES.md). Mutations are the kinds
of damage a feed suffers in transit or at the hands of an attacker: flipped, dropped,
inserted and repeated bytes, truncation, two records spliced together, fields replaced.
"""

from __future__ import annotations

import math
from functools import cache

import orjson
from hypothesis import strategies as st

from pipeline.geofence.zones import ZoneSet, load_zone_collection
from pipeline.model.track import AddressType, Source, TrackKind, TrackPoint
from tests.feeds import FEEDS

_AIS_FILES = ("ais/gpsd_sample.aivdm", "ais/kystverket_2019-08-07_tagblock_1000lines.nm4",
              "ais/dma-aislib_2010-06-11_pghp.nmea", "ais/libais_uscg_test.aivdm",
              "ais/libais_orbcomm_tagblock.nmea", "ais/gfw/bad-type5.nmea",
              "ais/gfw/spire-test.nmea", "ais/gfw/ee-multiline.nmea")
_SBS_FILES = ("adsb/node-sbs1_msgs.txt", "adsb/orbital-detector_N66W.sbs1")


@cache
def real_lines(fmt: str) -> tuple[bytes, ...]:
    """Distinct non-comment lines of the recorded feeds of a line format (a sample)."""
    files = _AIS_FILES if fmt == "ais" else _SBS_FILES if fmt == "sbs" else (
        "adsb/readsb_jsonlines_1.json", "adsb/readsb_jsonlines_3.json")
    lines: dict[bytes, None] = {}
    for name in files:
        for line in (FEEDS / name).read_bytes().splitlines():
            if line.strip() and not line.startswith(b"#"):
                lines[line] = None
    return tuple(lines)[:3000]


@cache
def readsb_aircraft() -> tuple[dict[str, object], ...]:
    doc = orjson.loads((FEEDS / "adsb" / "readsb_aircraft_5.json").read_bytes())
    return tuple(doc["aircraft"])


@cache
def opensky_states() -> tuple[list[object], ...]:
    doc = orjson.loads((FEEDS / "adsb" / "opensky_states_all_2021-10-17T1149Z.json").read_bytes())
    return tuple(doc["states"][:500])


@st.composite
def mutated(draw: st.DrawFn, originals: st.SearchStrategy[bytes]) -> bytes:
    """A real record with one to four kinds of damage."""
    data = bytearray(draw(originals))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "drop", "insert", "repeat", "truncate",
                                     "splice", "byte"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "drop" and data:
            del data[at:at + draw(st.integers(1, 8))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "repeat":
            data[at:at] = data[at:at + draw(st.integers(1, 40))] * draw(st.integers(1, 5))
        elif kind == "truncate":
            del data[at:]
        elif kind == "splice":
            other = draw(originals)
            data[at:] = other[draw(st.integers(0, len(other))):]
        elif kind == "byte" and data:
            data[at] = draw(st.sampled_from(b"!$\\*,:-~\x00\xff\n\r9A@"))
    return bytes(data)


def records(fmt: str) -> st.SearchStrategy[bytes]:
    """Arbitrary bytes, arbitrary text, real records and mutated real records of a format."""
    originals = st.sampled_from(real_lines(fmt))
    return st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
        originals,
        mutated(originals),
        st.lists(st.one_of(originals, mutated(originals)), min_size=2, max_size=5).map(
            b"\n".join),
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)


@st.composite
def readsb_documents(draw: st.DrawFn) -> object:
    """A real aircraft.json with some aircraft fields replaced by arbitrary JSON values."""
    aircraft = [dict(a) for a in draw(st.lists(st.sampled_from(readsb_aircraft()),
                                               max_size=6))]
    for entry in aircraft:
        if draw(st.booleans()):
            key = draw(st.sampled_from([*entry, "lat", "lon", "dbFlags", "now"]))
            entry[key] = draw(json_values)
    doc: dict[str, object] = {"now": 1700587919.936, "messages": 1, "aircraft": aircraft}
    if draw(st.booleans()):
        doc[draw(st.sampled_from(["now", "aircraft", "messages"]))] = draw(json_values)
    return doc


@st.composite
def opensky_documents(draw: st.DrawFn) -> object:
    """A real response with some state fields replaced by arbitrary JSON values."""
    states = [list(s) for s in draw(st.lists(st.sampled_from(opensky_states()), max_size=6))]
    for state in states:
        if draw(st.booleans()):
            state[draw(st.integers(0, 16))] = draw(json_values)
        if draw(st.integers(0, 9)) == 0:
            del state[draw(st.integers(0, 16)):]
    doc: dict[str, object] = {"time": 1634471390, "states": states}
    if draw(st.booleans()):
        doc[draw(st.sampled_from(["time", "states"]))] = draw(json_values)
    return doc


def _printable(max_size: int) -> st.SearchStrategy[str]:
    return st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1,
                   max_size=max_size)


def _maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


def _finite(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False).filter(math.isfinite)


@st.composite
def track_points(draw: st.DrawFn) -> TrackPoint:
    """Any valid track point (every optional field maybe present)."""
    scheme = draw(st.sampled_from(["icao24", "nonicao", "mmsi"]))
    if scheme == "mmsi":
        address = draw(st.text("0123456789", min_size=9, max_size=9))
        kind = draw(st.sampled_from(list(TrackKind)))
    else:
        address = draw(st.text("0123456789abcdef", min_size=6, max_size=6))
        kind = TrackKind.AIRCRAFT
    ident = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=8)
    return TrackPoint(
        track_id=f"{scheme}:{address}", kind=kind, source=draw(st.sampled_from(list(Source))),
        ts_ms=draw(st.integers(0, 4_102_444_800_000)),
        lat_deg=draw(_finite(-90, 90)), lon_deg=draw(_finite(-180, 180)),
        icao24=address if scheme == "icao24" and draw(st.booleans()) else None,
        alt_ft=draw(_maybe(st.integers(-2000, 100_000))),  # type: ignore[arg-type]
        speed_kt=draw(_maybe(_finite(0, 4000))),  # type: ignore[arg-type]
        track_deg=draw(_maybe(_finite(0, 360))),  # type: ignore[arg-type]
        vrate_fpm=draw(_maybe(st.integers(-60_000, 60_000))),  # type: ignore[arg-type]
        callsign=draw(_maybe(_printable(8))),  # type: ignore[arg-type]
        squawk=draw(_maybe(st.text("01234567", min_size=4, max_size=4))),  # type: ignore[arg-type]
        alert=draw(_maybe(st.booleans())),  # type: ignore[arg-type]
        emergency=draw(_maybe(st.booleans())),  # type: ignore[arg-type]
        spi=draw(_maybe(st.booleans())),  # type: ignore[arg-type]
        on_ground=draw(_maybe(st.booleans())),  # type: ignore[arg-type]
        heading_deg=draw(_maybe(_finite(0, 360))),  # type: ignore[arg-type]
        address_type=draw(_maybe(st.sampled_from(list(AddressType)))),  # type: ignore[arg-type]
        data_source=draw(_maybe(st.text("abcxyz019_", min_size=1, max_size=32))),  # type: ignore[arg-type]
        registration=draw(_maybe(st.text("ABZ09-", min_size=1, max_size=12))),  # type: ignore[arg-type]
        aircraft_type=draw(_maybe(ident)),  # type: ignore[arg-type]
        military_flag=draw(_maybe(st.booleans())),  # type: ignore[arg-type]
        mmsi=address if scheme == "mmsi" and draw(st.booleans()) else None,
        vessel_name=draw(_maybe(_printable(20))),  # type: ignore[arg-type]
        imo=draw(_maybe(st.integers(1_000_000, 9_999_999))),  # type: ignore[arg-type]
        ship_type=draw(_maybe(st.integers(1, 99))),  # type: ignore[arg-type]
        destination=draw(_maybe(_printable(20))),  # type: ignore[arg-type]
    )


# --- geofence strategies ---------------------------------------------------------------

T0 = 1_721_800_000_000


def _poly(zone_id: str, rings: list[list[list[float]]], **props: object) -> dict[str, object]:
    return {"type": "Feature", "properties": {"id": zone_id, **props},
            "geometry": {"type": "Polygon", "coordinates": rings}}


# Small zones around (0..10, 0..10) and across the antimeridian, with every optional rule.
PROPERTY_ZONES = ZoneSet(load_zone_collection({"type": "FeatureCollection", "features": [
    _poly("u", [[[0, 0], [10, 0], [10, 10], [6, 10], [6, 4], [4, 4], [4, 10], [0, 10],
                 [0, 0]]]),
    _poly("donut", [[[1, 1], [9, 1], [9, 9], [1, 9], [1, 1]],
                    [[3, 3], [3, 7], [7, 7], [7, 3], [3, 3]]], floor_ft=1000, ceiling_ft=20000),
    _poly("sticky", [[[2, -2], [8, -2], [8, 12], [2, 12], [2, -2]]], min_inside_s=60,
          dwell_s=120),
    _poly("far", [[[2, 2], [5, 2], [5, 5], [2, 5], [2, 2]]], min_inside_nm=20,
          applies_to="aircraft"),
    {"type": "Feature", "properties": {"id": "circle", "radius_nm": 120, "dwell_s": 30},
     "geometry": {"type": "Point", "coordinates": [5.0, 5.0]}},
    {"type": "Feature", "properties": {"id": "split"}, "geometry": {
        "type": "MultiPolygon", "coordinates": [
            [[[176, 0], [180, 0], [180, 6], [176, 6], [176, 0]]],
            [[[-180, 0], [-176, 0], [-176, 6], [-180, 6], [-180, 0]]]]}},
]}))


@st.composite
def tracks(draw: st.DrawFn, max_points: int = 25) -> list[TrackPoint]:
    """One track's reports in arrival order: mostly forward in time, with duplicates, late
    reports, gaps and long silences; positions around the property zones."""
    kind = draw(st.sampled_from([TrackKind.AIRCRAFT, TrackKind.AIRCRAFT, TrackKind.VESSEL]))
    track_id = "icao24:abc123" if kind is TrackKind.AIRCRAFT else "mmsi:366000001"
    near_split = draw(st.booleans())
    lon_box = (174.0, 186.0) if near_split else (-2.0, 12.0)
    n = draw(st.integers(1, max_points))
    t_ms = T0
    points = []
    for _ in range(n):
        step_ms = draw(st.one_of(
            st.integers(0, 60_000), st.integers(60_000, 320_000),
            st.sampled_from([0, -1_000, 700_000, 2_000_000])))
        t_ms += step_ms
        lon = draw(st.floats(*lon_box, allow_nan=False))
        lon = (lon + 180.0) % 360.0 - 180.0
        lat = draw(st.one_of(st.floats(-3.0, 13.0, allow_nan=False),
                             st.sampled_from([0.0, 1.0, 3.0, 4.0, 5.0, 10.0])))
        alt = draw(st.one_of(st.none(), st.integers(0, 30000), st.sampled_from([1000, 20000])))
        points.append(TrackPoint(track_id, kind, Source.CANONICAL, t_ms, lat, lon,
                                 alt_ft=None if kind is TrackKind.VESSEL else alt))
    return points
