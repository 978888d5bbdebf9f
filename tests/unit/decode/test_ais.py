"""AIS decoding on real recorded sentences (gpsd's sample.aivdm oracle) and built ones.

Values in the oracle tests are copied from the comments of
``tests/data/feeds/ais/gpsd_sample.aivdm`` (gpsd test suite, BSD-2-Clause), which give the
expected decoded fields under each sentence; the line number of the sentence is in the id.
"""

from __future__ import annotations

import pytest
from pyais.encode import encode_dict

from pipeline.decode.ais import decode_ais
from pipeline.decode.ais_fragments import FragmentBuffer, Origin
from pipeline.decode.errors import DecodeError
from pipeline.model.track import Source, TrackKind, TrackUpdate
from tests.feeds import FEEDS

RECORD_MS = 1_700_000_000_000
ORIGIN = Origin(partition=0, offset=7, received_ms=RECORD_MS)


def _sample_line(number: int) -> bytes:
    return (FEEDS / "ais" / "gpsd_sample.aivdm").read_bytes().splitlines()[number - 1]


def _decode(*records: bytes) -> list[TrackUpdate]:
    buffer = None
    updates: list[TrackUpdate] = []
    for raw in records:
        result = decode_ais(raw, ORIGIN, buffer)
        assert not result.decoded.rejected, result.decoded.rejected
        buffer = result.buffer
        updates += result.decoded.updates
    return updates


def _one(*records: bytes) -> TrackUpdate:
    (update,) = _decode(*records)
    return update


def _built(**fields: object) -> bytes:
    (sentence,) = encode_dict(fields)
    return sentence.encode()


def _nmea(body: str) -> bytes:
    """``!<body>*hh`` with the right checksum."""
    checksum = 0
    for char in body.encode():
        checksum ^= char
    return f"!{body}*{checksum:02X}".encode()


def _fields(update: TrackUpdate, *names: str) -> tuple[object, ...]:
    return tuple(getattr(update, name) for name in names)


POSITION = ("track_id", "kind", "speed_kt", "lon_deg", "lat_deg", "track_deg", "heading_deg")


@pytest.mark.parametrize(("line", "expected"), [
    # Type 1: SOG 12.3, lon -123.395383333, lat 48.38163333333, COG 224, heading 215.
    (10, ("mmsi:371798000", TrackKind.VESSEL, 12.3, -123.395383, 48.381633, 224.0, 215.0)),
    # Type 1: heading 511 = not available.
    (32, ("mmsi:440348000", TrackKind.VESSEL, 0.0, -70.7582, 43.08015, 93.4, None)),
    (56, ("mmsi:356302000", TrackKind.VESSEL, 13.9, -71.626143, 40.392358, 87.7, 91.0)),
    (78, ("mmsi:563808000", TrackKind.VESSEL, 0.0, -76.327533, 36.91, 252.0, 352.0)),
    # Type 18 (class B).
    (709, ("mmsi:338087471", TrackKind.VESSEL, 0.1, -74.072132, 40.68454, 79.6, None)),
    (728, ("mmsi:338088483", TrackKind.VESSEL, 0.0, -70.811197, 43.115558, 171.6, None)),
    # Type 9 (SAR aircraft): lon 0xFC683F6 (-6.27884), lat 58.144, SOG 42, COG 154.5.
    (488, ("mmsi:111232511", TrackKind.AIRCRAFT, 42.0, -6.27884, 58.144, 154.5, None)),
], ids=lambda v: f"line{v}" if isinstance(v, int) else "")
def test_position_reports_match_the_gpsd_oracle(line: int, expected: tuple[object, ...]) -> None:
    update = _one(_sample_line(line))
    got = _fields(update, *POSITION)
    assert got[:3] == expected[:3]
    # The oracle writes some positions rounded to 5 decimals.
    assert got[3] == pytest.approx(expected[3], abs=1e-5)
    assert got[4] == pytest.approx(expected[4], abs=1e-5)
    assert got[5:] == expected[5:]
    assert (update.source, update.ts_ms, update.mmsi) == (Source.AIS, RECORD_MS,
                                                          update.track_id[5:])


def test_sar_aircraft_altitude_in_feet() -> None:
    # Type 9 at line 467: altitude 15 m, position in 1/10000 min (7128960, 34667073).
    update = _one(_sample_line(469))
    assert (update.kind, update.alt_ft, update.lon_deg, update.lat_deg) == (
        TrackKind.AIRCRAFT, 49, 11.8816, 57.778455)


def test_type5_static_and_voyage_data_matches_the_oracle() -> None:
    # IMO 9134270, call sign 3FOF8, name EVER DIADEM, ship and cargo 70, NEW YORK.
    update = _one(_sample_line(124) + b"\n" + _sample_line(125))
    assert update == TrackUpdate(
        track_id="mmsi:351759000", kind=TrackKind.VESSEL, source=Source.AIS, ts_ms=RECORD_MS,
        mmsi="351759000", imo=9134270, callsign="3FOF8", vessel_name="EVER DIADEM",
        ship_type=70, destination="NEW YORK")


def test_type19_carries_position_name_and_ship_type() -> None:
    update = _one(_sample_line(772))
    assert _fields(update, "track_id", "speed_kt", "track_deg", "heading_deg",
                   "vessel_name", "ship_type") == (
        "mmsi:367059850", 8.7, 335.9, None, "CAPT.J.RIMES", 70)
    assert update.lat_deg == pytest.approx(29.543695)
    assert update.lon_deg == pytest.approx(-88.810392, abs=1e-6)


def test_type24_part_a_name_and_part_b_call_sign_and_ship_type() -> None:
    part_a, part_b = _decode(_sample_line(904), _sample_line(910))
    assert _fields(part_a, "track_id", "vessel_name", "callsign", "ship_type") == (
        "mmsi:271041815", "PROGUY", None, None)
    assert _fields(part_b, "track_id", "vessel_name", "callsign", "ship_type") == (
        "mmsi:271041815", None, "TC6163", 60)


def test_type27_long_range_position() -> None:
    update = _one(_sample_line(966))
    assert _fields(update, "track_id", "lat_deg", "lon_deg", "speed_kt", "track_deg") == (
        "mmsi:236091959", 87.065, -154.201667, 0.0, 0.0)


def test_not_available_values_are_absent() -> None:
    update = _one(_built(msg_type=1, mmsi=366053209, lat=91, lon=181, speed=12.5,
                         course=360, heading=511))
    assert not update.has_position
    assert (update.speed_kt, update.track_deg, update.heading_deg) == (12.5, None, None)
    sar = _one(_built(msg_type=9, mmsi=111265591, lat=57.5, lon=11.5, speed=1023, course=360,
                      alt=4095))
    assert (sar.alt_ft, sar.speed_kt, sar.track_deg, sar.lat_deg) == (None, None, None, 57.5)


def test_a_message_with_nothing_available_says_nothing() -> None:
    for raw in (_built(msg_type=1, mmsi=366053209, lat=91, lon=181, speed=102.3, course=360,
                       heading=511),
                _built(msg_type=27, mmsi=366053209, lat=91, lon=181, speed=63, course=511)):
        decoded = decode_ais(raw, ORIGIN, None).decoded
        assert (decoded.accepted, decoded.messages, decoded.updates) == (1, 1, [])


def test_reserved_heading_of_class_b_transponders_is_absent_not_an_error() -> None:
    update = _one(b"!AIVDM,1,1,,B,B6:JE@P002;4TD5HfhH03h24SP00,0*0C")  # heading 480, real
    assert (update.heading_deg, update.lat_deg) == (None, pytest.approx(37.65377))


def test_time_comes_from_tag_block_then_trailer_then_gatehouse_then_record() -> None:
    tagged = b"\\s:rORBCOMM007,q:u,c:1418171722,T:2014-12-10 00.35.22*55\\" \
             b"!AIVDM,1,1,,A,13F?Vv700;DJul5tvi88aDpb0<00,0*03"
    assert _one(tagged).ts_ms == 1_418_171_722_000
    spire_ms = b"\\c:1599239526500,s:sdr-experiments,T:2020-09-04 18.12.06*5D\\" \
               b"!AIVDM,1,1,,A,B>cSnNP00FVur7UaC7WQ3wS1jCJJ,0*73'"
    assert _one(spire_ms).ts_ms == 1_599_239_526_500
    uscg = b"!AIVDM,1,1,,A,14`qQb0000o?u?DK>Smo2E`v0404,0*1A,r003669987,1152921693"
    assert _one(uscg).ts_ms == 1_152_921_693_000
    gatehouse = (b"$PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,2B*5B\r\n"
                 b"!AIVDM,1,1,,B,402=481uaUcf;OQ55JS9ITi025Jp,0*2B")
    assert decode_ais(gatehouse, ORIGIN, None).decoded.messages == 1  # type 4: no track
    pghp_then_position = (b"$PGHP,1,2010,6,11,11,46,12,470,219,,2190064,1,5D*57\n"
                          b"!BSVDM,1,1,,A,13:WB@0vC2PmgjpP`WO=DbdF0<0U,0*5D")
    assert _one(pghp_then_position).ts_ms == 1_276_256_772_470
    assert _one(b"!BSVDM,1,1,,A,13:WB@0vC2PmgjpP`WO=DbdF0<0U,0*5D").ts_ms == RECORD_MS


def test_gatehouse_time_carries_over_to_the_next_record_of_the_stream() -> None:
    first = decode_ais(b"$PGHP,1,2010,6,11,11,46,12,470,219,,2190064,1,5D*57", ORIGIN, None)
    assert first.buffer is not None and first.buffer.changed
    second = decode_ais(b"!BSVDM,1,1,,A,13:WB@0vC2PmgjpP`WO=DbdF0<0U,0*5D", ORIGIN,
                        first.buffer)
    assert second.decoded.updates[0].ts_ms == 1_276_256_772_470
    assert second.buffer is not None and second.buffer.is_empty


def test_gatehouse_time_for_another_sentence_is_not_used() -> None:
    # The $PGHP names checksum 5D; this sentence's is 4A.
    records = (b"$PGHP,1,2010,6,11,11,46,12,470,219,,2190064,1,5D*57\n"
               + _sample_line(10))
    assert _one(records).ts_ms == RECORD_MS


def test_fragments_in_separate_records_with_unrelated_lines_between() -> None:
    lines = (FEEDS / "ais" / "libais_orbcomm_tagblock.nmea").read_bytes().splitlines()
    updates = _decode(*lines)
    static = [u for u in updates if not u.has_position]
    assert [(u.track_id, u.ts_ms) for u in static] == [("mmsi:219005012", 1_418_169_601_000)]
    assert len(updates) == 4


def test_fragments_out_of_order_and_in_one_record() -> None:
    first, second = _sample_line(124), _sample_line(125)
    assert _one(second + b"\n" + first).vessel_name == "EVER DIADEM"
    assert _one(second, first).imo == 9134270


@pytest.mark.parametrize(("raw", "reason"), [
    (b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B", "bad_checksum"),
    (b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0", "truncated"),
    (b"!AIVDM,1,1,,B,,0*25", "truncated"),
    (_nmea("AIVDM,1,1,,A,15RTgt0P,0"), "truncated"),  # type 1 of 48 bits
    (b"$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47", "unknown_format"),
    (b"AIVDM,2,2,1,B,00000000000,2*26", "unknown_format"),
    (b"\\g:1-2--001,c:1326055296*3C\\!AIVDM,2,1,3,A,E7`B1:dW7oHth@@@@@@@@@@@@@@6@6R;mMQM@10"
     b"888Qr8`8888888888,0*65", "bad_field"),
    (b"\\c:12x*00\\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A", "bad_field"),
    (b"\\c:9999999999999*00\\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A", "out_of_range"),
    (_nmea("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g2~8CQ,0"), "bad_field"),  # not armoured
    (_nmea("AIVDM,3,4,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0"), "bad_field"),  # number > count
    (_nmea("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,7"), "bad_field"),  # fill bits
    (_nmea("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ"), "bad_field"),  # 6 fields
    (_nmea("AIVDM,1,1,12,A,15RTgt0PAso;90TKcjM8h6g208CQ,0"), "bad_field"),  # sequence id
    (_built(msg_type=1, mmsi=0, lat=50, lon=10), "out_of_range"),
    (_built(msg_type=1, mmsi=366053209, lat=95, lon=10), "out_of_range"),
])
def test_bad_sentences_are_rejected_with_their_bytes(raw: bytes, reason: str) -> None:
    result = decode_ais(raw, ORIGIN, None)
    (rejected,) = result.decoded.rejected
    assert (rejected.reason, rejected.payload, result.decoded.accepted) == (reason, raw, 0)
    assert rejected.detail


@pytest.mark.parametrize(("raw", "reason"), [
    (b"!AIVDM" + b"x" * 20_000, "too_large"),
    (b"!AIVDM,1,1,,A,\xff\xfe,0*00", "not_utf8"),
    ("!AIVDM,1,1,,A,é,0*00".encode(), "bad_field"),
    (b"  \r\n\n", "truncated"),
])
def test_unusable_records_are_rejected_whole(raw: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as caught:
        decode_ais(raw, ORIGIN, None)
    assert caught.value.reason == reason


def test_one_bad_sentence_does_not_cost_the_good_ones() -> None:
    record = _sample_line(10) + b"\n!AIVDM,1,1,,A,bad,0*00\n" + _sample_line(32)
    decoded = decode_ais(record, ORIGIN, None).decoded
    assert (decoded.accepted, len(decoded.updates), [r.part for r in decoded.rejected]) == (
        2, 2, ["sentence 2"])


def test_two_tag_blocked_fragments_on_one_line() -> None:
    line = (FEEDS / "ais" / "gfw" / "spire-test.nmea").read_bytes().splitlines()[0]
    # Reassembled: a type 5 of a coast station (MMSI 2424139) with every field empty.
    decoded = decode_ais(line, ORIGIN, None).decoded
    assert (decoded.accepted, decoded.messages, decoded.updates, decoded.rejected) == (
        2, 1, [], [])  # two sentences accepted, one message decoded


def test_buffer_survives_its_stored_form() -> None:
    result = decode_ais(_sample_line(124), ORIGIN, None)
    assert result.buffer is not None
    stored = FragmentBuffer.from_dict(result.buffer.to_dict())
    assert _one_from(decode_ais(_sample_line(125), ORIGIN, stored)).vessel_name == "EVER DIADEM"


def _one_from(result: object) -> TrackUpdate:
    (update,) = result.decoded.updates  # type: ignore[attr-defined]
    return update
