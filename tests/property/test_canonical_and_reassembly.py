"""Canonical JSON round-trips and agrees with its schema; reassembly ignores record cuts."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.decode.ais import decode_ais
from pipeline.decode.ais_fragments import Origin
from pipeline.decode.canonical import decode_canonical
from pipeline.decode.errors import DecodeError
from pipeline.model.track import TrackPoint, TrackUpdate
from pipeline.transport.codec import encode_point
from tests.feeds import FEEDS
from tests.schema_check import assert_valid, validator
from tests.strategies import json_values, track_points


@settings(max_examples=200, deadline=None)
@given(track_points())
def test_canonical_json_round_trips(point: TrackPoint) -> None:
    doc = orjson.loads(encode_point(point))
    assert_valid("tracks.points", doc)
    assert decode_canonical(doc) == TrackUpdate(
        **{name: getattr(point, name) for name in TrackPoint._fields})


@settings(max_examples=300, deadline=None)
@given(track_points(), st.sampled_from([
    "track_id", "kind", "source", "time", "ts_ms", "lat", "lon", "icao24", "altitude_ft",
    "speed_kt", "track_deg", "callsign", "squawk", "heading_deg", "address_type", "mmsi",
    "imo", "ship_type", "vessel_name", "registration", "military_flag", "unknown"]),
       json_values)
def test_what_the_decoder_accepts_the_schema_accepts(point: TrackPoint, field: str,
                                                     value: object) -> None:
    doc = orjson.loads(encode_point(point))
    doc[field] = value
    try:
        decode_canonical(doc)
    except DecodeError:
        return
    assert not list(validator("tracks.canonical").iter_errors(doc))


def _sample_lines() -> list[bytes]:
    return (FEEDS / "ais" / "gpsd_sample.aivdm").read_bytes().splitlines()


TYPE5 = [_sample_lines()[123], _sample_lines()[124]]  # EVER DIADEM, two fragments
OTHERS = [_sample_lines()[i] for i in (9, 31, 55, 77)]  # single-sentence type 1-3


@settings(max_examples=100, deadline=None)
@given(st.permutations(TYPE5 + OTHERS), st.lists(st.integers(1, 3), min_size=6, max_size=6))
def test_a_message_reassembles_however_its_fragments_are_cut_into_records(
        lines: list[bytes], cuts: list[int]) -> None:
    batches: list[bytes] = []
    rest = list(lines)
    for size in cuts:
        if rest:
            batches.append(b"\n".join(rest[:size]))
            rest = rest[size:]
    buffer = None
    updates = []
    for batch in batches:
        result = decode_ais(batch, Origin(0, 0, 0), buffer)
        assert not result.orphans and not result.decoded.rejected
        buffer = result.buffer
        updates += result.decoded.updates
    assert buffer is None or buffer.is_empty
    static = [u for u in updates if u.vessel_name is not None]
    assert [(u.track_id, u.vessel_name, u.imo) for u in static] == [
        ("mmsi:351759000", "EVER DIADEM", 9134270)]
    assert len(updates) == 5
