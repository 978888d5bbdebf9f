"""AIS NMEA records (``ais.nmea``) to track updates: framing, reassembly, decoding.

A record holds one or more lines of NMEA 0183 (see :mod:`pipeline.decode.nmea` for tag
blocks, ``$PGHP`` and USCG trailers). Each AIS sentence is validated field by field before
pyais sees it (fragment count and number, sequence id, channel, payload armouring, fill
bits), single-sentence messages are decoded at once, fragments go through the stream's
:class:`~pipeline.decode.ais_fragments.FragmentBuffer`, and decoded messages become track
updates (:mod:`pipeline.decode.ais_messages`).

Time of a message: the tag-block ``c:`` time, else the USCG trailer time, else the
``$PGHP`` time that precedes the sentence (when its checksum field names this sentence),
else the record timestamp. A multi-sentence message takes the time of its first fragment.

Each sentence is a *part* (see :mod:`pipeline.decode.result`): a bad sentence is rejected
alone, with its own bytes as the dead-letter payload.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyais.bit_vector import bit_vector
from pyais.exceptions import AISBaseException
from pyais.messages import MSG_CLASS

from pipeline.decode.ais_fragments import Fragment, FragmentBuffer, Origin, Orphan
from pipeline.decode.ais_messages import TRACK_TYPES, message_updates
from pipeline.decode.errors import (
    BadFieldError,
    DecodeError,
    NotUtf8Error,
    TooLargeError,
    TruncatedError,
)
from pipeline.decode.nmea import Segment, parse_gatehouse, parse_segment, split_segments
from pipeline.decode.result import Decoded, Rejected

MAX_RECORD_BYTES = 16_384
"""A record is a sentence or a few (a multi-fragment group, a batch of one receiver):
~100 bytes each. 16 KiB is ~150 sentences."""

MAX_PAYLOAD_CHARS = 200
"""IEC 61162-1 caps a sentence at 82 characters; satellite providers exceed it a little.
pyais refuses payloads over 200 characters."""

_ARMOR = bytes(range(48, 88)) + bytes(range(96, 120))
"""The six-bit payload armouring alphabet: ``0``-``W`` and ````` ``-``w``."""


@dataclass(slots=True)
class AisResult:
    """What one record yields: the decode outcome, evicted orphans and the stream's buffer."""

    decoded: Decoded
    orphans: list[Orphan] = field(default_factory=list)
    buffer: FragmentBuffer | None = None


def decode_ais(raw: bytes, origin: Origin, buffer: FragmentBuffer | None) -> AisResult:
    """Decode one ``ais.nmea`` record.

    Args:
        raw: the record value.
        origin: the record's partition, offset and timestamp (the reassembly clock and the
            time of messages without a receiver time).
        buffer: the stream's pending fragments, or None when it has none.

    Returns:
        The outcome; ``buffer`` is the stream's buffer after this record (its ``changed``
        flag says whether it must be stored again).

    Raises:
        DecodeError: the record as a whole is unusable (too large, not text, empty).
    """
    if len(raw) > MAX_RECORD_BYTES:
        raise TooLargeError("record too large for ais.nmea", actual=f"{len(raw)} bytes",
                            expected=f"<= {MAX_RECORD_BYTES} bytes")
    if not raw.isascii():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotUtf8Error(f"not UTF-8 at byte {exc.start}") from None
        raise BadFieldError("NMEA is ASCII; the record is not", expected="ASCII")
    result = AisResult(Decoded(), buffer=buffer)
    if buffer is not None:
        result.orphans.extend(buffer.expire(origin.received_ms))
    gatehouse = None if buffer is None else buffer.gatehouse
    number = 0
    lines = raw.split(b"\n") if b"\n" in raw else (raw,)
    for line in lines:
        line = line.strip()
        if not line:
            continue
        for chunk in split_segments(line):
            number += 1
            try:
                segment = parse_segment(chunk)
                if segment.fields[0] == b"$PGHP":
                    gatehouse = parse_gatehouse(segment)
                    result.decoded.accepted += 1
                    continue
                tag = segment.tag
                receiver_ms = tag.time_ms if tag is not None else None
                if receiver_ms is None:
                    receiver_ms = segment.trailer_time_ms
                if gatehouse is not None:
                    if receiver_ms is None and gatehouse[1] in (
                            None, int(segment.sentence[-2:], 16)):
                        receiver_ms = gatehouse[0]
                    gatehouse = None
                _sentence(segment, receiver_ms, origin, result)
            except DecodeError as exc:
                result.decoded.rejected.append(Rejected.of(exc, f"sentence {number}", chunk))
    if number == 0:
        raise TruncatedError("empty record")
    if (result.buffer is not None and result.buffer.gatehouse != gatehouse) or (
            result.buffer is None and gatehouse is not None):
        result.buffer = result.buffer or FragmentBuffer()
        result.buffer.gatehouse = gatehouse
        result.buffer.changed = True
    return result


def _sentence(segment: Segment, receiver_ms: int | None, origin: Origin,
              result: AisResult) -> None:
    count, number, seq_id, channel, payload, fill = _ais_fields(segment.fields)
    decoded = result.decoded
    if count == 1:
        _message(payload, fill, receiver_ms if receiver_ms is not None else origin.received_ms,
                 decoded)
        decoded.accepted += 1
        return
    tag = segment.tag
    if tag is not None and tag.group is not None:
        key = f"g|{tag.group[2]}|{tag.group[1]}"
    else:
        key = f"n|{segment.source or ''}|{channel}|{seq_id}|{count}"
    fragment = Fragment(number, count, segment.sentence.decode("ascii"),
                        segment.raw.decode("ascii"), receiver_ms, origin)
    if result.buffer is None:
        result.buffer = FragmentBuffer()
    complete, orphans = result.buffer.add(key, fragment)
    result.orphans.extend(orphans)
    if complete is None:
        decoded.accepted += 1
        return
    _decode_group(complete, decoded)


def _decode_group(fragments: list[Fragment], decoded: Decoded) -> None:
    parts = [f.sentence.encode("ascii").split(b",") for f in fragments]
    times = [f.time_ms for f in fragments if f.time_ms is not None]
    ts_ms = times[0] if times else fragments[0].origin.received_ms
    try:
        _message(b"".join(p[5] for p in parts), parts[-1][6][0] - 48, ts_ms, decoded)
    except DecodeError as exc:
        payload = "\n".join(f.raw for f in fragments).encode("ascii")
        decoded.rejected.append(Rejected.of(exc, f"message of {len(fragments)} fragments",
                                            payload))
        return
    decoded.accepted += 1


def _message(payload: bytes, fill: int, ts_ms: int, decoded: Decoded) -> None:
    """Decode one complete message (its whole payload) into ``decoded``.

    Types without track data are valid AIS that adizwatch does not read: they are counted
    and not decoded. The others are decoded by pyais's per-type decoders
    (``MessageType*.from_vector`` over pyais's bit vector, what ``pyais.decode`` runs once it
    has parsed the sentence, which is done here already).
    """
    ais_id = payload[0] - 48
    if ais_id > 40:
        ais_id -= 8
    if ais_id not in TRACK_TYPES:
        if ais_id not in MSG_CLASS:
            raise BadFieldError("undefined AIS message type", field="message_type",
                                actual=str(ais_id), expected="0-28")
        decoded.messages += 1
        return
    bits = len(payload) * 6 - fill
    try:
        message = MSG_CLASS[ais_id].from_vector(bit_vector(payload, fill))
    except AISBaseException as exc:
        raise BadFieldError(f"pyais: {type(exc).__name__}: {exc}"[:200]) from None
    update = message_updates(message, bits, ts_ms)
    decoded.messages += 1
    if update is not None:
        decoded.updates.append(update)


_COUNTS = frozenset(bytes([c]) for c in b"123456789")
_SEQUENCE_IDS = frozenset([b"", *(bytes([c]) for c in b"0123456789")])
_CHANNELS = frozenset([b"", b"A", b"B", b"1", b"2"])
_FILL_BITS = frozenset(bytes([c]) for c in b"012345")


def _ais_fields(fields: list[bytes]) -> tuple[int, int, str, str, bytes, int]:
    """Validate ``!xxVDM,count,number,seq,channel,payload,fill*hh``."""
    if len(fields) != 7:
        raise BadFieldError(f"{len(fields)} fields in an AIS sentence", expected="7 fields")
    _, count_text, number_text, seq_text, channel, payload, tail = fields
    if count_text not in _COUNTS or number_text not in _COUNTS or number_text > count_text:
        raise BadFieldError("bad fragment count or number", field="fragment",
                            actual=f"{count_text[:4]!r} {number_text[:4]!r}",
                            expected="1 <= number <= count <= 9")
    if seq_text not in _SEQUENCE_IDS:
        raise BadFieldError("bad sequence id", field="sequence_id", actual=repr(seq_text[:8]),
                            expected="empty or 0-9")
    if channel not in _CHANNELS and (len(channel) > 1 or not channel.isalnum()):
        raise BadFieldError("bad channel", field="channel", actual=repr(channel[:8]),
                            expected="empty, A, B, 1 or 2")
    if not payload:
        raise TruncatedError("empty payload", field="payload")
    if len(payload) > MAX_PAYLOAD_CHARS or payload.translate(None, _ARMOR):
        raise BadFieldError("not an AIS payload", field="payload", actual=payload[:40].decode(
            "ascii"), expected=f"<= {MAX_PAYLOAD_CHARS} six-bit armoured characters")
    fill_text = tail[:-3]
    if fill_text not in _FILL_BITS:
        raise BadFieldError("bad fill bits", field="fill_bits", actual=repr(fill_text[:8]),
                            expected="0-5")
    return (count_text[0] - 48, number_text[0] - 48, seq_text.decode("ascii"),
            channel.decode("ascii"), payload, fill_text[0] - 48)
