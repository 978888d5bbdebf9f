"""Decode + validate rates per input format, each against a baseline run in the same process.

===========  ==========================================  =========================================
format       ours (what the decode stage runs)           baseline (same items, same process)
===========  ==========================================  =========================================
sbs          ``decode_sbs`` of every line                ``line.split(b",")``
ais          ``decode_ais`` of every line, one stream    bare ``pyais.decode`` of every message,
             (tag blocks, checksums, reassembly, state,  fragments pre-grouped outside the timing
             validation, track updates)
readsb       ``orjson.loads`` + ``decode_readsb``         ``orjson.loads`` + reading the fields we
                                                         use from every aircraft
opensky      ``orjson.loads`` + ``decode_opensky``        ``orjson.loads`` + reading the fields we
                                                         use from every state vector
canonical    ``orjson.loads`` + ``decode_canonical``      ``orjson.loads`` + reading every field
===========  ==========================================  =========================================

Items are lines (sbs, ais), aircraft (readsb), state vectors (opensky) and points
(canonical); inputs are the recordings in ``tests/data/feeds``. Each run takes the best of
5 repetitions. ``ratio`` = our items/s over the baseline's (1 = as fast; the target is at
least 1/1.5 = 0.67). ``handler_items_per_s`` adds what the agent does around the decoder
(JSON encoding of the updates, dead letters) for reference.

Writes ``bench/results/decode_<format>.json``. Usage: ``python bench/bench_decode.py
[--formats sbs,ais,...]``.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pyais

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from revision import commit  # noqa: E402

from pipeline.decode.ais import decode_ais  # noqa: E402
from pipeline.decode.ais_fragments import Origin  # noqa: E402
from pipeline.decode.canonical import decode_canonical  # noqa: E402
from pipeline.decode.opensky import decode_opensky  # noqa: E402
from pipeline.decode.readsb import decode_readsb  # noqa: E402
from pipeline.decode.sbs import decode_sbs  # noqa: E402
from pipeline.transport import inputs  # noqa: E402
from pipeline.transport.handlers import RecordMeta  # noqa: E402
from pipeline.transport.offline import FORMATS, OfflineDecoder, read_records  # noqa: E402

FEEDS = REPO / "tests" / "data" / "feeds"
RESULTS = REPO / "bench" / "results"
REPEAT = 5


def _best(fn: Callable[[], int]) -> tuple[int, float]:
    best = float("inf")
    items = 0
    for _ in range(REPEAT):
        start = time.perf_counter()
        items = fn()
        best = min(best, time.perf_counter() - start)
    return items, best


def _records(fmt: str, *names: str) -> list[bytes]:
    return [r for name in names for r in read_records(FEEDS / name, fmt)]


def _handler_rate(fmt: str, records: list[bytes], items: int) -> int:
    _, _, handler = FORMATS[fmt]

    def run() -> int:
        meta = RecordMeta(fmt, 0, 0, 0)
        if handler is None:  # AIS: the stream's state stored and loaded between records
            stored = None
            for raw in records:
                handled = inputs.handle_ais(raw, meta, stored, 0)
                if handled.state is not None:
                    stored = handled.state
                elif handled.drop_state:
                    stored = None
        else:
            for raw in records:
                handler(raw, meta, 0)
        return items

    got, seconds = _best(run)
    return round(got / seconds)


def bench_sbs() -> tuple[list[bytes], Callable[[], int], Callable[[], int], str]:
    lines = _records("sbs", "adsb/node-sbs1_msgs.txt", "adsb/orbital-detector_N66W.sbs1")

    def ours() -> int:
        rejected = 0
        for line in lines:
            try:
                decode_sbs(line, 0)
            except ValueError:
                rejected += 1
        return len(lines)

    def baseline() -> int:
        for line in lines:
            line.split(b",")
        return len(lines)

    return lines, ours, baseline, "baseline: bytes.split(b',') of the same lines"


AIS_FILES = ("ais/bcl-aisparser_SAR.log", "ais/kystverket_2019-08-07_tagblock_1000lines.nm4",
             "ais/gpsd_ais-nmea-type6-fid55.log")


def _ais_messages(lines: list[bytes]) -> list[tuple[bytes, ...]]:
    """Sentences grouped into messages as pyais.decode wants them (fragments together)."""
    groups: list[tuple[bytes, ...]] = []
    pending: dict[bytes, list[bytes]] = {}
    for line in lines:
        sentence = line[line.rfind(b"\\") + 1:] if line.startswith(b"\\") else line
        fields = sentence.split(b",")
        if len(fields) < 7 or fields[1] == b"1":
            groups.append((line,))
            continue
        key = fields[3] + fields[4]
        pending.setdefault(key, []).append(line)
        if fields[1] == fields[2]:
            groups.append(tuple(pending.pop(key)))
    return groups


def bench_ais() -> tuple[list[bytes], Callable[[], int], Callable[[], int], str]:
    lines = _records("ais", *AIS_FILES)
    messages = _ais_messages(lines)

    def ours() -> int:
        buffer = None
        origin = Origin(0, 0, 0)
        rejected = 0
        for line in lines:
            try:
                buffer = decode_ais(line, origin, buffer).buffer
            except ValueError:
                rejected += 1
        return len(lines)

    def baseline() -> int:
        failed = 0
        for message in messages:
            try:
                pyais.decode(*message)
            except Exception:  # pyais raises several kinds on the bad lines
                failed += 1
        return len(lines)

    return lines, ours, baseline, (
        "baseline: pyais.decode of every message of the same lines (bcl SAR log, Kystverket "
        "tag blocks, gpsd type 6 log), fragments grouped beforehand outside the timing; no "
        "checksum check, no validation, no track updates")


READSB_FIELDS = ("hex", "type", "flight", "r", "t", "dbFlags", "alt_baro", "gs", "track",
                 "true_heading", "baro_rate", "geom_rate", "squawk", "emergency", "alert",
                 "spi", "lat", "lon", "seen_pos", "seen")


def bench_readsb() -> tuple[list[bytes], Callable[[], int], Callable[[], int], str]:
    docs = [(FEEDS / "adsb" / f"readsb_aircraft_{n}.json").read_bytes() for n in range(1, 6)]
    count = sum(len(orjson.loads(d)["aircraft"]) for d in docs)

    def ours() -> int:
        for raw in docs:
            decode_readsb(orjson.loads(raw), 0)
        return count

    def baseline() -> int:
        for raw in docs:
            doc = orjson.loads(raw)
            doc.get("now")
            for aircraft in doc["aircraft"]:
                for name in READSB_FIELDS:
                    aircraft.get(name)
        return count

    return docs, ours, baseline, (
        "items: aircraft of the 5 aircraft.json snapshots; baseline: orjson.loads + "
        f"aircraft.get() of the {len(READSB_FIELDS)} fields the decoder reads")


def bench_opensky() -> tuple[list[bytes], Callable[[], int], Callable[[], int], str]:
    docs = [(FEEDS / "adsb" / name).read_bytes() for name in (
        "opensky_states_all_2021-10-17T1149Z.json", "opensky_states_all_2025-12-28T0214Z.json")]
    count = sum(len(orjson.loads(d)["states"]) for d in docs)
    used = (0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15, 16)

    def ours() -> int:
        for raw in docs:
            decode_opensky(orjson.loads(raw))
        return count

    def baseline() -> int:
        for raw in docs:
            doc = orjson.loads(raw)
            doc.get("time")
            for state in doc["states"]:
                for index in used:
                    state[index]
        return count

    return docs, ours, baseline, (
        "items: state vectors of 2 responses; baseline: orjson.loads + indexing the "
        f"{len(used)} fields the decoder reads")


def bench_canonical() -> tuple[list[bytes], Callable[[], int], Callable[[], int], str]:
    points: list[bytes] = []
    for n in range(1, 6):
        decoder = OfflineDecoder("readsb", record_ts_ms=1_700_000_000_000)
        points += decoder.feed((FEEDS / "adsb" / f"readsb_aircraft_{n}.json").read_bytes())[0]
    # 376 points take ~5 ms: too short a run for a steady ratio, so the set is timed 40 times.
    points *= 40

    def ours() -> int:
        for raw in points:
            decode_canonical(orjson.loads(raw))
        return len(points)

    def baseline() -> int:
        for raw in points:
            doc = orjson.loads(raw)
            for name in doc:
                doc[name]
        return len(points)

    return points, ours, baseline, (
        "items: the track points of the readsb snapshots as canonical records; baseline: "
        "orjson.loads + reading every field")


BENCHES = {"sbs": bench_sbs, "ais": bench_ais, "readsb": bench_readsb,
           "opensky": bench_opensky, "canonical": bench_canonical}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--formats", default=",".join(BENCHES))
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    for fmt in args.formats.split(","):
        records, ours, baseline, notes = BENCHES[fmt]()
        items, seconds = _best(ours)
        b_items, b_seconds = _best(baseline)
        rate, b_rate = items / seconds, b_items / b_seconds
        result = {
            "name": f"decode_{fmt}", "items": items, "seconds": round(seconds, 4),
            "items_per_s": round(rate), "baseline_items_per_s": round(b_rate),
            "ratio": round(rate / b_rate, 3), "slowdown": round(b_rate / rate, 2),
            "handler_items_per_s": _handler_rate(fmt, records, items),
            "python": platform.python_version(), "commit": commit(), "notes": notes,
        }
        (RESULTS / f"decode_{fmt}.json").write_bytes(
            orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")
        print(orjson.dumps(result).decode(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
