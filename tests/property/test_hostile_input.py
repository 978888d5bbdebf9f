"""Every decoder on hostile input: arbitrary bytes and text, real records and their mutations.

Two properties per format:

- the decoder raises nothing but ``DecodeError`` (any other exception would become an
  ``internal_error`` in the pipeline: a bug);
- its handler gives the record exactly one outcome, and the dead letters it writes are
  exactly the record's (when it is dead-lettered) plus one per rejected part; every record
  it writes matches its topic's schema.
"""

from __future__ import annotations

import contextlib

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.decode.ais import decode_ais
from pipeline.decode.ais_fragments import FragmentBuffer, Origin
from pipeline.decode.canonical import decode_canonical
from pipeline.decode.errors import DecodeError
from pipeline.decode.opensky import decode_opensky
from pipeline.decode.readsb import decode_readsb
from pipeline.decode.sbs import decode_sbs
from pipeline.transport import codec, handlers, inputs
from pipeline.transport.handlers import Handled, RecordMeta
from pipeline.transport.topics import DEADLETTER, TRACK_UPDATES
from tests.schema_check import assert_valid
from tests.strategies import json_values, opensky_documents, readsb_documents, records

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
META = RecordMeta("input", 0, 1, 1_700_000_000_000)


def _one_outcome(handled: Handled) -> None:
    letters = [o for o in handled.outputs if o.topic is DEADLETTER]
    assert len(letters) == len(handled.outputs)  # updates come as objects, encoded here
    updates = handlers.update_outputs(handled)
    assert all(o.topic is TRACK_UPDATES for o in updates)
    assert handled.outcome in ("accepted", "no_track_data", "deadletter")
    if handled.outcome == "deadletter":
        assert handled.reason is not None and not updates
    else:
        assert handled.reason is None
        assert bool(updates) == (handled.outcome == "accepted")
    assert len(letters) == (handled.outcome == "deadletter") + len(handled.part_reasons)
    for out in updates:
        assert_valid("tracks.updates", orjson.loads(out.value))
    for out in letters:
        assert_valid("adizwatch.deadletter", orjson.loads(out.value))


def _json_decoder_raises_only_decode_errors(raw: bytes, max_bytes: int, decode: object) -> None:
    with contextlib.suppress(DecodeError):
        decode(inputs.load_json(raw, max_bytes, trailing_comma=True))  # type: ignore[operator]


@SETTINGS
@given(records("sbs"))
def test_sbs(raw: bytes) -> None:
    with contextlib.suppress(DecodeError):
        decode_sbs(raw, 0)
    _one_outcome(handlers.handle_sbs(raw, META, 0))


@SETTINGS
@given(st.one_of(records("readsb"), readsb_documents().map(orjson.dumps)))
def test_readsb(raw: bytes) -> None:
    _json_decoder_raises_only_decode_errors(raw, inputs.READSB_MAX_BYTES,
                                            lambda doc: decode_readsb(doc, 0))
    _one_outcome(inputs.handle_readsb(raw, META, 0))


@SETTINGS
@given(st.one_of(st.binary(max_size=200), json_values.map(orjson.dumps),
                 opensky_documents().map(orjson.dumps)))
def test_opensky(raw: bytes) -> None:
    _json_decoder_raises_only_decode_errors(raw, inputs.OPENSKY_MAX_BYTES, decode_opensky)
    _one_outcome(inputs.handle_opensky(raw, META, 0))


@SETTINGS
@given(st.one_of(st.binary(max_size=200), json_values.map(orjson.dumps)))
def test_canonical(raw: bytes) -> None:
    _json_decoder_raises_only_decode_errors(raw, inputs.CANONICAL_MAX_BYTES, decode_canonical)
    _one_outcome(inputs.handle_canonical(raw, META, 0))


@SETTINGS
@given(st.lists(records("ais"), min_size=1, max_size=6),
       st.lists(st.integers(0, 200_000), min_size=6, max_size=6))
def test_ais_stream(raws: list[bytes], gaps: list[int]) -> None:
    """A stream of records through the handler, its state stored and loaded between them."""
    stored = None
    clock = META.timestamp_ms
    for raw, gap in zip(raws, gaps, strict=False):
        clock += gap
        with contextlib.suppress(DecodeError):
            decode_ais(raw, Origin(0, 1, clock),
                       None if stored is None else FragmentBuffer.from_dict(
                           codec.load_state(stored)))
        handled = inputs.handle_ais(raw, RecordMeta("ais.nmea", 0, 1, clock), stored, 0)
        _one_outcome(handled)
        if handled.state is not None:
            stored = handled.state
        elif handled.drop_state:
            stored = None
    if stored is not None:
        drained = inputs.drain_ais(stored, META, 0)
        assert all(o.topic is DEADLETTER for o in drained.outputs)
