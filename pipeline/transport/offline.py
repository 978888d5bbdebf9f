"""The decode and merge stages run offline over a recorded file, without a broker.

The same handlers the agents call, in file order: each record goes through its format's
decode handler, each ``tracks.updates`` record through the merge handler with in-memory
state, and the ``tracks.points`` records come out. ``adizwatch decode``, the tests and the
benches use it, so what they see is what the pipeline does.

Framing of a file into records:

- ``sbs``, ``ais``: one record per line; blank lines and lines starting with ``#``
  (comments in recorded test files) are not records;
- ``readsb``, ``opensky``, ``canonical``: the whole file when it is one JSON document (an
  ``aircraft.json`` snapshot, a ``/states/all`` response), else one record per line (JSON
  lines; readsb's lines may end in a comma).

The AIS stream is the whole file (one key); fragments still pending at the end of the file
are dead-lettered as ``orphan_fragment``. Records without a time of their own take
``record_ts_ms`` (default 0, the epoch).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from pipeline.transport import handlers, inputs
from pipeline.transport.handlers import Handled, RecordMeta
from pipeline.transport.topics import (
    ADSB_OPENSKY,
    ADSB_READSB,
    ADSB_SBS,
    AIS_NMEA,
    DEADLETTER,
    TRACK_POINTS,
    TRACKS_CANONICAL,
    TopicSpec,
)

Handler = Callable[[bytes, RecordMeta, int], Handled]

FORMATS: dict[str, tuple[TopicSpec, str, Handler | None]] = {
    # format: (input topic, stage, stateless handler; None for AIS)
    "sbs": (ADSB_SBS, "decode.sbs", handlers.handle_sbs),
    "readsb": (ADSB_READSB, "decode.readsb", inputs.handle_readsb),
    "opensky": (ADSB_OPENSKY, "decode.opensky", inputs.handle_opensky),
    "canonical": (TRACKS_CANONICAL, "decode.canonical", inputs.handle_canonical),
    "ais": (AIS_NMEA, "decode.ais", None),
}
_LINE_FORMATS = frozenset({"sbs", "ais"})


def read_records(path: Path, fmt: str) -> Iterator[bytes]:
    """The records of a recorded file, framed as the module docstring says."""
    data = path.read_bytes()
    if fmt not in _LINE_FORMATS:
        try:
            whole = orjson.loads(data)
        except orjson.JSONDecodeError:
            whole = None
        if isinstance(whole, dict):
            yield data
            return
    for line in data.splitlines():
        line = line.strip()
        if line and not line.startswith(b"#"):
            yield line


@dataclass
class Summary:
    records: int = 0
    points: int = 0
    tracks: set[str] = field(default_factory=set)
    static_updates: int = 0
    deadletters: Counter[str] = field(default_factory=Counter)
    messages: int = 0  # not in the summary line: messages or items decoded


    def as_json(self) -> dict[str, object]:
        """The ``adizwatch decode`` summary line."""
        return {"records": self.records, "points": self.points, "tracks": len(self.tracks),
                "static_updates": self.static_updates,
                "deadletters": dict(sorted(self.deadletters.items()))}


class OfflineDecoder:
    """Feed records of one format; get the encoded track points and dead letters back."""

    def __init__(self, fmt: str, now_ms: int = 0, record_ts_ms: int = 0) -> None:
        self.topic, self.stage, self._handler = FORMATS[fmt]
        self.now_ms = now_ms
        self.record_ts_ms = record_ts_ms
        self.summary = Summary()
        self.updates: list[bytes] = []  # every tracks.updates record, in order
        self._memory: dict[bytes, bytes] = {}
        self._ais_state: bytes | None = None

    def feed(self, raw: bytes, offset: int | None = None) -> tuple[list[bytes], list[bytes]]:
        """One record; returns (track points, dead letters), encoded."""
        self.summary.records += 1
        meta = RecordMeta(self.topic.name, None, offset, self.record_ts_ms)
        if self._handler is None:
            handled = inputs.handle_ais(raw, meta, self._ais_state, self.now_ms)
            if handled.state is not None:
                self._ais_state = handled.state
            elif handled.drop_state:
                self._ais_state = None
        else:
            handled = self._handler(raw, meta, self.now_ms)
        return self._merge(handled, meta)

    def finish(self) -> list[bytes]:
        """End of input: dead letters of AIS fragments still pending."""
        if self._ais_state is None:
            return []
        meta = RecordMeta(self.topic.name, None, None, self.record_ts_ms)
        handled = inputs.drain_ais(self._ais_state, meta, self.now_ms)
        self._ais_state = None
        return self._merge(handled, meta)[1]

    def _merge(self, handled: Handled, meta: RecordMeta) -> tuple[list[bytes], list[bytes]]:
        points: list[bytes] = []
        letters: list[bytes] = []
        self.summary.static_updates += handled.static_updates
        self.summary.messages += handled.messages
        for output in handled.outputs:
            assert output.topic is DEADLETTER, output
            letters.append(output.value)
        for output in handlers.update_outputs(handled):
            assert output.key is not None
            self.updates.append(output.value)
            self.summary.tracks.add(output.key.decode())
            merged = handlers.handle_update(output.value, output.key, meta,
                                            self._memory.get(output.key), self.now_ms)
            if merged.state is not None:
                self._memory[output.key] = merged.state
            for point in merged.outputs:
                (points if point.topic is TRACK_POINTS else letters).append(point.value)
        if handled.reason is not None:
            self.summary.deadletters[handled.reason] += 1
        for reason in handled.part_reasons:
            self.summary.deadletters[reason] += 1
        self.summary.points += len(points)
        return points, letters
