"""Handlers of the JSON and AIS input topics: record bytes in, updates and dead letters out.

One handler per format, each the byte-level glue around its decoder (``decode/``), in the
manner of :func:`pipeline.transport.handlers.handle_sbs`:

- parse (JSON with orjson, under the format's size limit), decode, and return the updates
  (the track path sends them on ``tracks.updates`` keyed by track id, or runs their track
  step at once);
- a record the decoder refuses as a whole becomes one dead letter with the whole payload;
- a record with some accepted parts (aircraft, state vectors, sentences) is ``accepted``,
  and each rejected part becomes its own dead letter with the part as payload (an NMEA
  sentence as received; a JSON element re-encoded) and the part named in the detail;
- a record whose parts are all rejected is dead-lettered as a whole, with the first
  part's reason: every record has exactly one outcome, every rejected byte is in exactly
  one dead letter.

AIS keeps per-stream reassembly state (pending fragments, a pending ``$PGHP`` time) that the
app stores in a table keyed by the record key; fragment groups evicted from it become
``orphan_fragment`` dead letters that name the record their first fragment came in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import orjson

from pipeline.decode.ais import decode_ais
from pipeline.decode.ais_fragments import FragmentBuffer, Origin, Orphan
from pipeline.decode.canonical import decode_canonical
from pipeline.decode.errors import (
    ORPHAN_FRAGMENT,
    DecodeError,
    NotUtf8Error,
    TooLargeError,
    TruncatedError,
    UnknownFormatError,
)
from pipeline.decode.opensky import decode_opensky
from pipeline.decode.readsb import decode_readsb
from pipeline.decode.result import Decoded, Rejected
from pipeline.transport import codec
from pipeline.transport.handlers import Handled, Output, RecordMeta, dead_letter

READSB_MAX_BYTES = 4 * 1024 * 1024
"""A receiver's aircraft.json is well under 1 MiB; a world-wide aggregate ~10 MiB, which
belongs in per-receiver records. The broker's max.message.bytes must allow what is used."""

OPENSKY_MAX_BYTES = 8 * 1024 * 1024
"""A compact world-wide /states/all is ~1 MB (2.4 MB pretty-printed)."""

CANONICAL_MAX_BYTES = 16 * 1024
"""A track point with every field is under 1 KiB."""

log = logging.getLogger(__name__)


def load_json(raw: bytes, max_bytes: int, trailing_comma: bool = False) -> object:
    """Parse a JSON record under a size limit.

    Args:
        trailing_comma: tolerate one ``,`` after the value (readsb's JSON lines are the
            lines of an ``aircraft`` array, each ending in a comma).

    Raises:
        DecodeError: too large, not UTF-8, cut short, or not JSON.
    """
    if len(raw) > max_bytes:
        raise TooLargeError("record too large", actual=f"{len(raw)} bytes",
                            expected=f"<= {max_bytes} bytes")
    text = raw.rstrip()
    if trailing_comma and text.endswith(b","):
        text = text[:-1]
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise NotUtf8Error(f"not UTF-8 at byte {bad.start}") from None
        if "end of data" in str(exc) or "empty" in str(exc):
            raise TruncatedError(f"JSON cut short: {exc}") from None
        raise UnknownFormatError(f"not JSON: {exc}") from None


def handle_readsb(raw: bytes, meta: RecordMeta, now_ms: int) -> Handled:
    """``adsb.readsb`` record -> ``tracks.updates`` records, or dead letters."""
    return _json_input("decode.readsb", raw, meta, now_ms, lambda: decode_readsb(
        load_json(raw, READSB_MAX_BYTES, trailing_comma=True), meta.timestamp_ms))


def handle_opensky(raw: bytes, meta: RecordMeta, now_ms: int) -> Handled:
    """``adsb.opensky`` record -> ``tracks.updates`` records, or dead letters."""
    return _json_input("decode.opensky", raw, meta, now_ms,
                       lambda: decode_opensky(load_json(raw, OPENSKY_MAX_BYTES)))


def handle_canonical(raw: bytes, meta: RecordMeta, now_ms: int) -> Handled:
    """``tracks.canonical`` record -> one ``tracks.updates`` record, or a dead letter.

    One point per record, always positioned, never rejected in part: built directly, as
    :func:`~pipeline.transport.handlers.handle_sbs` does, without the multi-part outcome.
    """
    try:
        update = decode_canonical(load_json(raw, CANONICAL_MAX_BYTES))
    except DecodeError as exc:
        return dead_letter("decode.canonical", meta, raw, exc.reason, exc.detail, now_ms)
    return Handled(updates=(update,), messages=1)


def handle_ais(raw: bytes, meta: RecordMeta, stored: bytes | None, now_ms: int) -> Handled:
    """``ais.nmea`` record + its stream's reassembly state -> updates and dead letters.

    ``stored`` is the table value for the record's key (None: nothing pending).
    """
    stage = "decode.ais"
    buffer = None if stored is None else _load_buffer(stored, meta)
    if stored is not None and buffer is None:
        stored = b""  # unreadable: replaced by what this record leaves, or dropped
    try:
        result = decode_ais(raw, Origin(meta.partition, meta.offset, meta.timestamp_ms), buffer)
    except DecodeError as exc:
        letter = dead_letter(stage, meta, raw, exc.reason, exc.detail, now_ms)
        letter.drop_state = stored == b""
        return letter
    handled = _outcome(stage, raw, meta, now_ms, result.decoded)
    if result.orphans:
        handled.outputs.extend(_orphan_letter(stage, meta, orphan, now_ms)
                               for orphan in result.orphans)
        handled.part_reasons = [*handled.part_reasons, *[ORPHAN_FRAGMENT] * len(result.orphans)]
    after = result.buffer
    if after is not None and (after.changed or stored == b""):
        if after.is_empty:
            handled.drop_state = stored is not None
        else:
            handled.state = codec.dump_state(after.to_dict())
    elif after is None and stored == b"":
        handled.drop_state = True
    return handled


def _load_buffer(stored: bytes, meta: RecordMeta) -> FragmentBuffer | None:
    """The stored reassembly state; None when it cannot be read.

    Only this code writes it, so an unreadable value means a bug or an incompatible
    version. Failing on it would dead-letter every later record of the stream (the value
    would never change), so the pending fragments are given up instead: bounded loss,
    logged.
    """
    try:
        return FragmentBuffer.from_dict(codec.load_state(stored))
    except (ValueError, TypeError, KeyError) as exc:
        log.warning("unreadable AIS reassembly state dropped topic=%s partition=%s offset=%s "
                    "error=%s", meta.topic, meta.partition, meta.offset, exc)
        return None


def drain_ais(stored: bytes, meta: RecordMeta, now_ms: int) -> Handled:
    """Dead-letter every pending fragment of a stream (the end of an offline decode)."""
    buffer = _load_buffer(stored, meta)
    orphans = [] if buffer is None else buffer.drain("end of input")
    return Handled([_orphan_letter("decode.ais", meta, o, now_ms) for o in orphans],
                   outcome="drained", part_reasons=[ORPHAN_FRAGMENT] * len(orphans),
                   drop_state=True)


def _orphan_letter(stage: str, meta: RecordMeta, orphan: Orphan, now_ms: int) -> Output:
    origin = RecordMeta(meta.topic, orphan.origin.partition, orphan.origin.offset,
                        orphan.origin.received_ms)
    return dead_letter(stage, origin, orphan.payload, ORPHAN_FRAGMENT, orphan.detail,
                       now_ms).outputs[0]


def _json_input(stage: str, raw: bytes, meta: RecordMeta, now_ms: int,
                decode: Callable[[], Decoded]) -> Handled:
    try:
        decoded = decode()
    except DecodeError as exc:
        return dead_letter(stage, meta, raw, exc.reason, exc.detail, now_ms)
    return _outcome(stage, raw, meta, now_ms, decoded)


def _outcome(stage: str, raw: bytes, meta: RecordMeta, now_ms: int,
             decoded: Decoded) -> Handled:
    rejected = decoded.rejected
    if decoded.accepted == 0 and rejected:
        first = rejected[0]
        more = f" (and {len(rejected) - 1} more parts)" if len(rejected) > 1 else ""
        return dead_letter(stage, meta, raw, first.reason, f"{first.part}: {first.detail}{more}",
                           now_ms)
    outputs = [_part_letter(stage, meta, part, now_ms) for part in rejected]
    return Handled(outputs, updates=decoded.updates,
                   outcome="accepted" if decoded.updates else "no_track_data",
                   part_reasons=[part.reason for part in rejected],
                   static_updates=sum(1 for u in decoded.updates if not u.has_position),
                   messages=decoded.messages)


def _part_letter(stage: str, meta: RecordMeta, part: Rejected, now_ms: int) -> Output:
    payload = part.payload if part.payload is not None else codec.encode_element(part.element)
    return dead_letter(stage, meta, payload, part.reason, f"{part.part}: {part.detail}",
                       now_ms).outputs[0]
