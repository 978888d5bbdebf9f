"""Merging partial SBS updates into track points, on real node-sbs1 lines."""

from __future__ import annotations

import orjson
import pytest

from pipeline.assemble.merger import TrackMemory, merge
from pipeline.decode.sbs import decode_sbs
from pipeline.model.track import AddressType, Source, TrackKind, TrackPoint, TrackUpdate


def _update(line: bytes, ts_ms: int) -> TrackUpdate:
    update = decode_sbs(line, ts_ms)
    assert update is not None
    return update


def test_point_carries_the_latest_callsign_squawk_and_speed() -> None:
    memory = None
    for line, ts in [
        (b"MSG,1,,,4B1908,,,,,,SWR40   ,,,,,,,,0,0,0,0", 1000),
        (b"MSG,6,,,4B1908,,,,,,,2525,,,,,,1000,0,0,0,0", 2000),
        (b"MSG,4,,,4B1908,,,,,,,,210,95,,,-640,,0,0,0,0", 3000),
    ]:
        memory, point = merge(memory, _update(line, ts))
        assert point is None
    memory, point = merge(memory, _update(
        b"MSG,3,,,4B1908,,,,,,,2525,,,33.96693,-118.25598,,,0,0,0,0", 4000))
    assert point == TrackPoint(
        track_id="icao24:4b1908", kind=TrackKind.AIRCRAFT, source=Source.SBS, ts_ms=4000,
        lat_deg=33.96693, lon_deg=-118.25598, icao24="4b1908", alt_ft=2525, speed_kt=210.0,
        track_deg=95.0, vrate_fpm=-640, callsign="SWR40", squawk="1000", alert=False,
        emergency=False, spi=False, on_ground=False)


def test_an_older_update_fills_gaps_but_never_overwrites() -> None:
    memory, _ = merge(None, _update(b"MSG,6,,,4B1908,,,,,,,,,,,,,7700,,,,", 5000))
    memory, _ = merge(memory, _update(b"MSG,6,,,4B1908,,,,,,,,,,,,,1200,,,,", 4000))
    memory, _ = merge(memory, _update(b"MSG,1,,,4B1908,,,,,,SWR40,,,,,,,,,,,", 3000))
    assert (memory.squawk, memory.callsign, memory.updated_ms) == ("7700", "SWR40", 5000)


def test_memory_round_trips_through_its_stored_form() -> None:
    memory, _ = merge(None, _update(b"MSG,1,,,4B1908,,,,,,SWR40,,,,,,,,0,0,0,0", 3000))
    assert TrackMemory.from_dict(memory.to_dict()) == memory


def test_a_position_not_newer_than_the_last_point_publishes_nothing() -> None:
    line = b"MSG,3,,,4B1908,,,,,,,2525,,,33.96693,-118.25598,,,0,0,0,0"
    memory, first = merge(None, _update(line, 4000))
    memory, again = merge(memory, _update(line, 4000))
    memory, late = merge(memory, _update(line, 3000))
    assert first is not None
    assert (again, late, memory.last_point_ms) == (None, None, 4000)


def test_memory_is_stored_as_an_array_and_the_older_object_form_still_loads() -> None:
    update = TrackUpdate(track_id="icao24:4ca2d1", kind=TrackKind.AIRCRAFT, source=Source.SBS,
                         ts_ms=1_000, icao24="4ca2d1", callsign="RYR12", squawk="7700",
                         address_type=AddressType.ICAO, lat_deg=53.1, lon_deg=-6.2)
    memory, _ = merge(None, update)
    stored = orjson.loads(orjson.dumps(memory.to_stored()))
    assert isinstance(stored, list) and len(stored) == len(TrackMemory._fields)
    assert TrackMemory.from_stored(stored) == memory
    assert TrackMemory.from_stored(orjson.loads(orjson.dumps(memory.to_dict()))) == memory
    assert TrackMemory.from_stored(stored).address_type is AddressType.ICAO
    with pytest.raises(ValueError):
        TrackMemory.from_stored(stored[:-1])
    with pytest.raises(ValueError):
        TrackMemory.from_stored("icao24:4ca2d1")
