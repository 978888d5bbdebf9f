"""SBS-1 decoder on real recorded lines and on hand-built hostile ones."""

from __future__ import annotations

import pytest

from pipeline.decode.errors import DecodeError
from pipeline.decode.sbs import decode_sbs
from pipeline.model.track import Source, TrackKind, TrackUpdate

RECORD_TS = 1_700_000_000_000

# Real lines: orbital-detector N66W.sbs1 (EPL-1.0) and node-sbs1 msgs.txt (X11), see
# tests/data/feeds/SOURCES.md.
N66W_LINE = (b"MSG,3,1,1,A8B3D4,1,2015/11/01,19:27:30.327,2015/11/01,19:27:30.327,,4766,169,"
             b"359,34.0624,-118.4059,773,,,,,")
NODE_MSG1 = b"MSG,1,,,4B1908,,,,,,SWR40   ,,,,,,,,0,0,0,0"
NODE_MSG3 = b"MSG,3,,,4B1908,,,,,,,2525,,,33.96693,-118.25598,,,0,0,0,0"


def test_msg3_with_time_gives_position_and_event_time() -> None:
    assert decode_sbs(N66W_LINE + b"\r\n", RECORD_TS) == TrackUpdate(
        track_id="icao24:a8b3d4", kind=TrackKind.AIRCRAFT, source=Source.SBS,
        ts_ms=1446406050327, icao24="a8b3d4", lat_deg=34.0624, lon_deg=-118.4059,
        alt_ft=4766, speed_kt=169.0, track_deg=359.0, vrate_fpm=773)


def test_line_without_time_takes_record_timestamp() -> None:
    update = decode_sbs(NODE_MSG3, RECORD_TS)
    assert update is not None
    assert update.ts_ms == RECORD_TS
    assert (update.lat_deg, update.lon_deg, update.alt_ft) == (33.96693, -118.25598, 2525)
    assert (update.alert, update.emergency, update.spi, update.on_ground) == (
        False, False, False, False)


def test_msg1_callsign_is_stripped() -> None:
    update = decode_sbs(NODE_MSG1, RECORD_TS)
    assert update is not None
    assert update.callsign == "SWR40"
    assert not update.has_position


def test_msg6_squawk_and_emergency_flag() -> None:
    line = (b"MSG,6,1,1,ABCDEF,1,2024/07/24,10:00:00.000,2024/07/24,10:00:00.000,,,,,,,,7700,"
            b"0,-1,0,0")
    update = decode_sbs(line, RECORD_TS)
    assert update is not None
    assert (update.squawk, update.emergency, update.alert) == ("7700", True, False)


def test_non_msg_lines_carry_no_track_data() -> None:
    assert decode_sbs(b"AIR,,333,1,4CA2D1,,2024/07/24,10:00:00.000,,,,", RECORD_TS) is None


@pytest.mark.parametrize(("line", "reason"), [
    (b"MSG,3,1,1,ZZZZZZ,1,,,,,,100,,,10,10,,,,,,", "bad_field"),           # bad hex
    (b"MSG,3,1,1,A8B3D4,1,,,,,,100,,,91.0,10,,,,,,", "out_of_range"),       # lat > 90
    (b"MSG,3,1,1,A8B3D4,1,,,,,,100,,,10,-180.5,,,,,,", "out_of_range"),     # lon < -180
    (b"MSG,3,1,1,A8B3D4,1,,,,,,100,,,nan,10,,,,,,", "out_of_range"),        # NaN
    (b"MSG,3,1,1,A8B3D4,1,,,,,,100,,,inf,10,,,,,,", "out_of_range"),        # inf
    (b"MSG,3,1,1,A8B3D4,1,,,,,,100,,,10,,,,,,,", "bad_field"),              # lat only
    (b"MSG,3,1,1,A8B3D4,1,2021/02/30,10:00:00.000,,,,100,,,10,10,,,,,,", "out_of_range"),
    (b"MSG,3,1,1,A8B3D4,1,2021-13-01,10:00:00.000,,,,100,,,10,10,,,,,,", "out_of_range"),
    (b"MSG,3,1,1,A8B3D4,1,2021/01/01,25:00:00.000,,,,100,,,10,10,,,,,,", "out_of_range"),
    (b"MSG,3,1,1,A8B3D4,1,yesterday!,10:00:00.000,,,,100,,,10,10,,,,,,", "bad_field"),
    (b"MSG,3,1,1,A8B3D4,1,2015/11/01,19:27", "truncated"),
    (b"MSG,3,1,1,A8B3D4,1,,,,,,100,,,10,10,,,,,,,extra", "bad_field"),
    (b"MSG,9,1,1,A8B3D4,1,,,,,,100,,,10,10,,,,,,", "bad_field"),            # type 9
    (b"MSG,6,1,1,A8B3D4,1,,,,,,,,,,,,7780,,,,", "bad_field"),               # 8 is not octal
    (b"MSG,1,1,1,A8B3D4,1,,,,,,NOT A CALLSIGN,,,,,,,,,,", "bad_field"),
    (b"MSG,3,1,1,A8B3D4,1,,,,,,1e9,,,10,10,,,,,,", "out_of_range"),        # altitude
    (b"MSG,3,1,1,A8B3D4,1,,,,,,100,,,10,10,,,,,,2", "bad_field"),           # flag
    (b"MSG,3,1,1,A8\xff\xfeB3,1,,,,,,100,,,10,10,,,,,,", "not_utf8"),
    (b"MSG," + b"1" * 600, "too_large"),
    (b"HELLO WORLD", "unknown_format"),
    (b"", "unknown_format"),
])
def test_invalid_lines_are_rejected_with_a_reason(line: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as caught:
        decode_sbs(line, RECORD_TS)
    assert caught.value.reason == reason
    assert caught.value.detail
