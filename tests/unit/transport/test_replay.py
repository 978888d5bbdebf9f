"""Parsing recorded feed lines for replay."""

from __future__ import annotations

from pathlib import Path

from pipeline.transport.replay import ReplayRecord, parse_line, read_feed


def test_raw_sbs_line_keeps_its_time_for_pacing() -> None:
    line = (b"MSG,3,1,1,A8B3D4,1,2015/11/01,19:27:30.327,2015/11/01,19:27:30.327,,4766,,,34,"
            b"-118,,,,,,")
    assert parse_line(line) == ReplayRecord(None, line, 1446406050327)


def test_raw_line_without_time() -> None:
    line = b"MSG,3,,,4B1908,,,,,,,2525,,,33.96693,-118.25598,,,0,0,0,0"
    assert parse_line(line) == ReplayRecord(None, line, None)


def test_json_envelope_with_key_value_and_timestamp() -> None:
    assert parse_line(b'{"key": "k1", "value": "MSG,1", "timestamp": 1000}') == ReplayRecord(
        b"k1", b"MSG,1", 1000)
    assert parse_line(b'{"key": null, "value": {"a": 1}}') == ReplayRecord(None, b'{"a":1}', None)


def test_json_without_value_is_sent_as_a_raw_line() -> None:
    line = b'{"track_id": "icao24:abcdef"}'
    assert parse_line(line) == ReplayRecord(None, line, None)


def test_read_feed_skips_blank_lines(tmp_path: Path) -> None:
    feed = tmp_path / "f.txt"
    feed.write_bytes(b"a\r\n\nb\n")
    assert [r.value for r in read_feed(feed)] == [b"a", b"b"]
