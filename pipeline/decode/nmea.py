"""NMEA 0183 framing of AIS records: lines, tag blocks, sentences, checksums, trailers.

A record on ``ais.nmea`` holds one or more lines; a line holds one or more *segments*::

    [\\<tag block>*hh\\]<!|$><sentence>*hh[<trailer>]

- **Tag block** (NMEA 4.10, IEC 61162-1 §7.9): comma-separated ``code:value`` fields; we read
  ``c:`` (receiver time, unix seconds; 13 digits are milliseconds, as Spire writes),
  ``s:`` (source station) and ``g:`` (sentence group ``number-total-id``). Other codes
  (``t``, ``T``, ``q``, ``d``, ``n``, ``r``, ``i``) are ignored. Tag-block checksums are
  checked and reported but not enforced: real feeds get them wrong routinely (every
  grouped line of the Kystverket stream, Spire's ``*00``), and the sentence's own checksum
  still protects the AIS payload. A field we read that is malformed (``g:1-2--001``,
  ``g:2-1-1``) rejects the segment.
- **Sentence**: ``!xxVDM``/``!xxVDO`` (any talker, including the null talker ``--``) or
  Gatehouse ``$PGHP``; its checksum (XOR of the characters between the delimiter and ``*``)
  must match. Other sentences (``$GPRMC``...) are not AIS: ``unknown_format``.
- **Trailer**: whatever follows the checksum up to the next segment. USCG N-AIS appends
  ``,<fields>,r<station>,<unix s>`` (or ``b<station>``): the station is the source and the
  last field the receive time. Any other trailer is ignored.

Two segments may share a line (Spire/MarineTraffic concatenations). Every scan is a bounded
forward search; there are no regular expressions, and no position is scanned twice per
delimiter, so a hostile line costs time linear in its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from operator import xor
from typing import NamedTuple

from pipeline.decode.errors import (
    BadChecksumError,
    BadFieldError,
    OutOfRangeError,
    TruncatedError,
    UnknownFormatError,
)

MAX_TAG_BLOCK = 256
"""A tag block with every standard field is under 100 characters."""

MAX_SOURCE_LEN = 64
TIME_MS_RANGE = (0, 4_102_444_800_000)  # up to 2100-01-01
_MS_DIGITS = 12
"""A ``c:`` value with more digits than this is in milliseconds (seconds have 10 until 2286)."""

_HEX = b"0123456789ABCDEFabcdef"
_DIGITS = b"0123456789"
_TAG_CACHE_SIZE = 1024


@dataclass(frozen=True, slots=True)
class TagBlock:
    source: str | None
    time_ms: int | None
    group: tuple[int, int, int] | None  # (sentence number, total, group id)
    checksum_ok: bool | None  # None: the tag block has no checksum


class Segment(NamedTuple):
    """One sentence with what came around it (a named tuple: one is built per sentence).

    Attributes:
        raw: the segment as received (tag block, sentence, trailer): dead-letter payload.
        sentence: from the delimiter to the checksum, e.g. ``!AIVDM,1,1,,B,...,0*5C``.
        fields: ``sentence`` split at commas (the first is ``!AIVDM``, the last ``0*5C``).
        tag: the tag block, if any.
        trailer_source: the USCG station, if any.
        trailer_time_ms: the USCG receive time, if any.
    """

    raw: bytes
    sentence: bytes
    fields: list[bytes]
    tag: TagBlock | None
    trailer_source: str | None
    trailer_time_ms: int | None

    @property
    def is_gatehouse(self) -> bool:
        return self.fields[0] == b"$PGHP"

    @property
    def source(self) -> str | None:
        if self.tag is not None and self.tag.source is not None:
            return self.tag.source
        return self.trailer_source

    @property
    def time_ms(self) -> int | None:
        if self.tag is not None and self.tag.time_ms is not None:
            return self.tag.time_ms
        return self.trailer_time_ms


def split_segments(line: bytes) -> list[bytes]:
    """Cut one line into segments (each still to be parsed)."""
    if line.count(b"\\") <= 2 and line.count(b"!") + line.count(b"$") <= 1:
        return [line]  # the common case: one sentence, maybe a tag block and a trailer
    segments: list[bytes] = []
    nxt = {b"\\": -2, b"!": -2, b"$": -2}  # cached next positions; -1 means none left

    def next_start(i: int) -> int:
        best = len(line)
        for ch, at in nxt.items():
            if at != -1 and at < i:
                at = line.find(ch, i)
                nxt[ch] = at
            if at != -1 and at < best:
                best = at
        return best

    pos = 0
    while pos < len(line):
        start = pos
        if line[pos:pos + 1] == b"\\":
            end = line.find(b"\\", pos + 1)
            if end < 0:
                segments.append(line[start:])
                break
            pos = end + 1
        star = line.find(b"*", pos)
        if star < 0:
            segments.append(line[start:])
            break
        end = next_start(max(star + 3, pos + 1))
        segments.append(line[start:end])
        pos = end
    return segments


def parse_segment(raw: bytes) -> Segment:
    """Parse one segment.

    Raises:
        DecodeError: a malformed tag block (``bad_field``/``out_of_range``), no sentence
            (``unknown_format``), no checksum (``truncated``), a checksum mismatch
            (``bad_checksum``), or a sentence that is not AIS (``unknown_format``).
    """
    tag = None
    pos = 0
    if raw[:1] == b"\\":
        end = raw.find(b"\\", 1)
        if end < 0:
            raise BadFieldError("unterminated tag block", field="tag_block",
                                actual=raw[:40].decode("ascii"))
        tag = parse_tag_block(raw[1:end])
        pos = end + 1
    delimiter = raw[pos:pos + 1]
    if delimiter not in (b"!", b"$") or not delimiter:
        raise UnknownFormatError("not an NMEA sentence", actual=raw[pos:pos + 40].decode("ascii"),
                                 expected="! or $ sentence")
    star = raw.find(b"*", pos)
    if star < 0 or star + 3 > len(raw):
        raise TruncatedError("sentence without checksum", actual=raw[pos:pos + 80].decode("ascii"))
    given = raw[star + 1:star + 3]
    if given.strip(_HEX):
        raise BadFieldError("checksum is not hex", field="checksum", actual=given.decode("ascii"))
    actual = reduce(xor, raw[pos + 1:star], 0)
    if actual != int(given, 16):
        raise BadChecksumError("checksum mismatch", field="checksum",
                               actual=given.decode("ascii"), expected=f"{actual:02X}")
    sentence = raw[pos:star + 3]
    fields = sentence.split(b",")
    head = fields[0]
    is_ais = delimiter == b"!" and len(head) == 6 and head[3:] in (b"VDM", b"VDO")
    if not is_ais and head != b"$PGHP":
        raise UnknownFormatError("not an AIS sentence", field="sentence",
                                 actual=head.decode("ascii")[:20],
                                 expected="!xxVDM, !xxVDO or $PGHP")
    source = time_ms = None
    trailer = raw[star + 3:]
    if trailer[:1] == b",":
        source, time_ms = _uscg_trailer(trailer)
    return Segment(raw, sentence, fields, tag, source, time_ms)


_tag_cache: dict[bytes, TagBlock] = {}


def parse_tag_block(text: bytes) -> TagBlock:
    """Parse a tag block's content (between the backslashes)."""
    cached = _tag_cache.get(text)
    if cached is not None:
        return cached
    if len(text) > MAX_TAG_BLOCK:
        raise BadFieldError("tag block too long", field="tag_block", actual=f"{len(text)} chars",
                            expected=f"<= {MAX_TAG_BLOCK}")
    content, star, given = text.rpartition(b"*")
    checksum_ok: bool | None = None
    if not star:
        content = given
    else:
        checksum_ok = (len(given) == 2 and not given.strip(_HEX)
                       and reduce(xor, content, 0) == int(given, 16))
    source = time_ms = group = None
    for item in content.split(b","):
        code, colon, value = item.partition(b":")
        if not colon or len(code) != 1:
            raise BadFieldError("malformed tag block field", field="tag_block",
                                actual=item[:40].decode("ascii"), expected="code:value")
        if code == b"c":
            time_ms = _unix_time_ms(value, "tag_block.c")
        elif code == b"s":
            source = _source(value, "tag_block.s")
        elif code == b"g":
            group = _group(value)
    tag = TagBlock(source, time_ms, group, checksum_ok)
    if len(_tag_cache) >= _TAG_CACHE_SIZE:
        _tag_cache.clear()
    _tag_cache[text] = tag
    return tag


def _unix_time_ms(value: bytes, field: str) -> int:
    if not value or value.strip(_DIGITS) or len(value) > 13:
        raise BadFieldError("not a unix time", field=field, actual=value[:20].decode("ascii"))
    number = int(value)
    time_ms = number if len(value) > _MS_DIGITS else number * 1000
    if not TIME_MS_RANGE[0] <= time_ms <= TIME_MS_RANGE[1]:
        raise OutOfRangeError("time outside 1970-2100", field=field,
                              actual=value.decode("ascii"))
    return time_ms


def _source(value: bytes, field: str) -> str:
    if not value or len(value) > MAX_SOURCE_LEN or (not value.isalnum() and not all(
            0x21 <= c <= 0x7E and c not in b"\\*," for c in value)):
        raise BadFieldError("not a source name", field=field, actual=value[:40].decode("ascii"))
    return value.decode("ascii")


def _group(value: bytes) -> tuple[int, int, int]:
    parts = value.split(b"-")
    if len(parts) != 3 or not all(p and len(p) <= 9 and not p.strip(_DIGITS) for p in parts):
        raise BadFieldError("malformed sentence group", field="tag_block.g",
                            actual=value[:40].decode("ascii"), expected="number-total-id")
    number, total, group_id = (int(p) for p in parts)
    if not 1 <= number <= total <= 99:
        raise BadFieldError("sentence group number outside its total", field="tag_block.g",
                            actual=value.decode("ascii"))
    return number, total, group_id


def _uscg_trailer(trailer: bytes) -> tuple[str | None, int | None]:
    """``,d-109,S2105,...,r003669946,1325394060``: station and unix time, when present."""
    fields = trailer[1:].split(b",", 16)
    source = None
    for item in fields:
        if item[:1] in (b"r", b"b") and 1 < len(item) <= MAX_SOURCE_LEN and item.isalnum():
            source = item.decode("ascii")
    last = fields[-1]
    if last and len(last) <= 13 and not last.strip(_DIGITS):
        return source, _unix_time_ms(last, "trailer.time")
    return source, None


def parse_gatehouse(segment: Segment) -> tuple[int, int | None]:
    """A ``$PGHP,1,...`` timestamp: (time in ms, checksum of the sentence it belongs to).

    Gatehouse type 1: ``$PGHP,1,<yyyy>,<m>,<d>,<h>,<m>,<s>,<ms>,<country>,<region>,<pss>,
    <online>,<checksum of the next sentence>*hh``.

    Raises:
        DecodeError: not a type 1 timestamp, or an impossible date.
    """
    fields = segment.fields
    if len(fields) != 14 or fields[1] != b"1":
        raise BadFieldError("not a Gatehouse type 1 timestamp", field="pghp",
                            actual=segment.sentence[:40].decode("ascii"))
    numbers = fields[2:9]
    if not all(n and len(n) <= 4 and not n.strip(_DIGITS) for n in numbers):
        raise BadFieldError("not a date/time", field="pghp",
                            actual=segment.sentence[:60].decode("ascii"))
    year, month, day, hour, minute, second, millis = (int(n) for n in numbers)
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError as exc:
        raise OutOfRangeError(f"impossible date/time: {exc}", field="pghp") from None
    if millis > 999:
        raise OutOfRangeError("milliseconds over 999", field="pghp", actual=str(millis))
    wrapped = fields[13].split(b"*")[0]
    next_checksum = int(wrapped, 16) if len(wrapped) == 2 and not wrapped.strip(_HEX) else None
    return int(moment.timestamp()) * 1000 + millis, next_checksum
