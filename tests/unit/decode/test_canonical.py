"""Canonical track points (tracks.canonical): the tracks.points schema, checked by hand."""

from __future__ import annotations

import orjson
import pytest

from pipeline.decode.canonical import decode_canonical
from pipeline.decode.errors import DecodeError
from pipeline.model.track import AddressType, Source, TrackKind, TrackPoint, TrackUpdate
from pipeline.transport.codec import encode_point
from tests.schema_check import assert_valid

VESSEL = TrackPoint(
    track_id="mmsi:351759000", kind=TrackKind.VESSEL, source=Source.AIS, ts_ms=1_276_256_772_470,
    lat_deg=40.5, lon_deg=-73.9, speed_kt=12.3, track_deg=224.0, heading_deg=215.0,
    mmsi="351759000", imo=9134270, callsign="3FOF8", vessel_name="EVER DIADEM", ship_type=70,
    destination="NEW YORK")
AIRCRAFT = TrackPoint(
    track_id="icao24:ae11e3", kind=TrackKind.AIRCRAFT, source=Source.READSB,
    ts_ms=1_700_578_049_795, lat_deg=35.070734, lon_deg=-106.306686, icao24="ae11e3",
    alt_ft=30050, speed_kt=478.4, track_deg=265.56, vrate_fpm=64, callsign="NORSE02",
    squawk="2323", alert=False, spi=False, address_type=AddressType.ICAO, data_source="mlat",
    registration="77-0356", aircraft_type="E3TF", military_flag=True)


def _as_update(point: TrackPoint) -> TrackUpdate:
    return TrackUpdate(**{name: getattr(point, name) for name in TrackPoint._fields})


@pytest.mark.parametrize("point", [VESSEL, AIRCRAFT], ids=["vessel", "aircraft"])
def test_a_published_point_decodes_to_itself(point: TrackPoint) -> None:
    doc = orjson.loads(encode_point(point))
    assert_valid("tracks.canonical", doc)
    assert decode_canonical(doc) == _as_update(point)


def _doc(**changes: object) -> dict[str, object]:
    doc = orjson.loads(encode_point(AIRCRAFT))
    doc.update(changes)
    return {k: v for k, v in doc.items() if v != "DELETE"}


@pytest.mark.parametrize(("doc", "reason"), [
    (_doc(extra=1), "bad_field"),
    (_doc(track_id="DELETE"), "missing_field"),
    (_doc(track_id="icao24:AE11E3"), "bad_field"),
    (_doc(track_id="mmsi:12345"), "bad_field"),
    (_doc(kind="ship"), "bad_field"),
    (_doc(kind="vessel"), "bad_field"),  # an ICAO address is an aircraft
    (_doc(source="radar"), "bad_field"),
    (_doc(time="2023-11-21T14:47:29.795+00:00"), "bad_field"),
    (_doc(time="2023-11-21T14:47:30.795Z"), "bad_field"),  # disagrees with ts_ms
    (_doc(ts_ms=1.7e12), "bad_field"),
    (_doc(ts_ms=True), "bad_field"),
    (_doc(lat=90.5), "out_of_range"),
    (_doc(lon="-106.3"), "bad_field"),
    (_doc(icao24="ae11e4"), "bad_field"),  # not the track's address
    (_doc(squawk="7780"), "bad_field"),
    (_doc(callsign="NORSE02XY"), "bad_field"),
    (_doc(altitude_ft=30050.5), "bad_field"),
    (_doc(speed_kt=-1), "out_of_range"),
    (_doc(military_flag=1), "bad_field"),
    (_doc(address_type="other"), "bad_field"),
    (_doc(imo=123), "out_of_range"),
    ([1], "unknown_format"),
])
def test_records_breaking_the_schema_are_rejected(doc: object, reason: str) -> None:
    with pytest.raises(DecodeError) as caught:
        decode_canonical(doc)
    assert caught.value.reason == reason


def test_optional_nulls_are_unknowns() -> None:
    doc = {"track_id": "mmsi:351759000", "kind": "vessel", "source": "canonical",
           "time": "2010-06-11T11:46:12.470Z", "ts_ms": 1_276_256_772_470, "lat": 40.5,
           "lon": -73.9, "vessel_name": None}
    assert_valid("tracks.canonical", doc)
    assert decode_canonical(doc) == TrackUpdate(
        track_id="mmsi:351759000", kind=TrackKind.VESSEL, source=Source.CANONICAL,
        ts_ms=1_276_256_772_470, lat_deg=40.5, lon_deg=-73.9)
