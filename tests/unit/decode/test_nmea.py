"""NMEA framing: segments, tag blocks, trailers, $PGHP; linear cost on hostile lines."""

from __future__ import annotations

import contextlib

import pytest

from pipeline.decode.errors import DecodeError
from pipeline.decode.nmea import (
    parse_gatehouse,
    parse_segment,
    parse_tag_block,
    split_segments,
)


def test_two_tag_blocked_sentences_on_one_line_are_two_segments() -> None:
    line = (b"\\s:rMT2083,t:marinetraffic,c:1698785948*44\\!ABVDM,2,1,8,A,53l3sj42A590=5Q2220UHE:"
            b"04=@Ttr222222221@9HH>46ii0=D532Dp?`1D,0*28\\s:rMT2083,t:marinetraffic,"
            b"c:1698785947*4B\\!AIVDM,2,2,8,A,888888888888880,2*2C")
    first, second = split_segments(line)
    assert first.endswith(b"0*28") and second.startswith(b"\\s:rMT2083")
    assert parse_segment(second).time_ms == 1_698_785_947_000


def test_tag_block_fields_and_an_unenforced_checksum() -> None:
    tag = parse_tag_block(b"g:1-2-9999,c:1565218798*00")
    assert (tag.group, tag.time_ms, tag.source, tag.checksum_ok) == (
        (1, 2, 9999), 1_565_218_798_000, None, False)
    assert parse_tag_block(b"s:66,c:1661782474*36").checksum_ok is True
    assert parse_tag_block(b"c:1599239526500").time_ms == 1_599_239_526_500  # ms, no checksum


@pytest.mark.parametrize("text", [b"g:1-2--001,c:1326055296*3C", b"g:2-1-1*00", b"c:abc",
                                  b"nocolon", b"s:*00", b"x" * 300])
def test_malformed_tag_blocks(text: bytes) -> None:
    with pytest.raises(DecodeError):
        parse_tag_block(text)


def test_uscg_trailer_gives_station_and_time() -> None:
    segment = parse_segment(b"!AIVDM,1,1,,A,402u=TiuaA000r5UJ`H4`?7000S:,0*75,d-093,S2212,"
                            b"t235959.00,T59.00339837,r09STOL1,1272844797")
    assert (segment.source, segment.time_ms) == ("r09STOL1", 1_272_844_797_000)
    assert parse_segment(b"!AIVDM,1,1,,B,133g`DP000PCJC>MEj=8do>N0H:Q,0*1C'junk").time_ms is None


def test_gatehouse_timestamp_names_the_next_sentence() -> None:
    segment = parse_segment(b"$PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,2B*5B")
    assert parse_gatehouse(segment) == (1_276_256_771_390, 0x2B)
    with pytest.raises(DecodeError):
        parse_gatehouse(parse_segment(_with_checksum("$PGHP,1,2010,13,11,11,46,11,390,1,2,3,1,2B")))


def _with_checksum(body: str) -> bytes:
    checksum = 0
    for char in body[1:].encode():
        checksum ^= char
    return f"{body}*{checksum:02X}".encode()


@pytest.mark.parametrize("line", [
    b"!" * 16_000,
    b"\\" * 16_000,
    b"!AIVDM*00" * 1_700,
    b"\\c:1*00\\" * 2_000,
    b"$*" * 8_000,
    (b"!" + b"," * 8_000 + b"*00") * 2,
])
@pytest.mark.timeout(20)  # a guard against a quadratic scan (minutes), not a speed check
def test_hostile_lines_are_framed_in_one_pass(line: bytes) -> None:
    chunks = split_segments(line)
    assert b"".join(chunks) == line  # every byte in exactly one segment
    for chunk in chunks:
        with contextlib.suppress(DecodeError):
            parse_segment(chunk)
