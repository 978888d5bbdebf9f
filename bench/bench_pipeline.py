"""End-to-end pipeline throughput and ingest-to-alert latency, against same-run baselines.

One embedded broker (Tansu), one set of messages, six phases, each on fresh topics:

=============  ==============================================================================
phase          what runs, what is measured
=============  ==============================================================================
faust          baseline: a bare faust pass-through agent (``e2e_faust_passthrough.py``, a
               subprocess) copies a pre-loaded backlog of the N messages from topic A to B
aiokafka       baseline: a bare aiokafka ``getmany`` + ``send`` loop committing per batch
               (``e2e_aiokafka_passthrough.py``, a subprocess), same backlog, A -> B
runtime        baseline: the project's own track runtime (``e2e_runtime_passthrough.py``, a
               subprocess) with pass-through stages, same backlog, ``tracks.canonical`` ->
               ``tracks.points``: the most any stage code could reach in this runtime
pipeline       the N messages pre-loaded into ``<prefix>tracks.canonical``, then real
               workers (``python -m pipeline run --embedded-broker``) started on them;
               counted: records on ``<prefix>tracks.points``
runtime-       baseline: the latency phase's paced input through the runtime baseline
latency        (pass-through stages); point record time minus raw record time: what the
               broker, the clients and the runtime take with no stage, in the same run
latency        fresh prefix, a worker running and idle (a probe track's zone entry came
               out), then messages sent at a paced rate (default 5,000/s for 20 s); each
               record on ``zones.events`` and ``alerts.identification`` is joined to the raw
               record that caused it by its ``report`` (track id + event time)
=============  ==============================================================================

Rates come from record timestamps (CreateTime, set by the sender): for each throughput phase
the output records' timestamps are sorted, the first ``--warmup`` fraction is dropped, and
the rate is (records - 1) / (last - first). A phase ends when all N are out, when its output
stalls, or at ``--cap-s`` seconds after its first output (so a slow pipeline still finishes
in time; the sustained rate is what it is). Latency = alert record timestamp minus the
timestamp the broker stored for the raw record (from the producer's acknowledgement).

The messages are synthetic canonical track points over and around the bundled ADIZ zones
(``e2e_traffic.py``), keyed by track id. The bench talks to the pipeline only through its
CLI, its topics and the public record formats, so it measures any implementation of them.

Usage: ``python bench/bench_pipeline.py [--messages 200000] [--profile]
[--out bench/results/pipeline.json]``. ``--profile`` samples the first pipeline worker with
py-spy during the throughput phase and writes the top functions to
``bench/results/pipeline_profile.txt``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType

import orjson
from rich.console import Console

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from e2e_phases import RESULTS, Bench, Options, run  # noqa: E402
from e2e_procs import Children  # noqa: E402
from e2e_report import show, summary  # noqa: E402

from pipeline.transport.broker import EmbeddedBroker  # noqa: E402
from pipeline.transport.tansu_compat import apply_tansu_workarounds  # noqa: E402


def _raise_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks that stop children


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--points-per-track", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--cap-s", type=float, default=45.0,
                        help="longest measuring time of a throughput phase after its first output")
    parser.add_argument("--warmup", type=float, default=0.1,
                        help="fraction of each phase's first output records left out of the rate")
    parser.add_argument("--latency-rate", type=float, default=5000.0)
    parser.add_argument("--latency-seconds", type=float, default=20.0)
    parser.add_argument("--drain-s", type=float, default=30.0,
                        help="how long the latency phase waits for the backlog after sending")
    parser.add_argument("--phases",
                        default="faust,aiokafka,runtime,pipeline,runtime-latency,latency")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-seconds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--allowed-lateness-ms", type=int, default=0,
                        help="the workers' ADIZWATCH_ALLOWED_LATENESS_MS (docs/time.md)")
    parser.add_argument("--idle-timeout-ms", type=int, default=500,
                        help="the workers' ADIZWATCH_IDLE_TIMEOUT_MS: how soon the end of "
                             "the pre-loaded input is released")
    parser.add_argument("--out", type=Path, default=RESULTS / "pipeline.json")
    args = parser.parse_args(argv)
    opts = Options(args.messages, args.points_per_track, args.partitions, args.workers,
                   args.cap_s, args.warmup, args.latency_rate, args.latency_seconds,
                   args.drain_s, args.profile, args.profile_seconds,
                   frozenset(args.phases.split(",")), args.seed, args.allowed_lateness_ms,
                   args.idle_timeout_ms)
    console = Console(stderr=True)
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    apply_tansu_workarounds()  # this process's own clients talk to Tansu too
    RESULTS.mkdir(exist_ok=True)
    started, load_at_start = time.perf_counter(), os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        work = Path(tmp)
        broker = EmbeddedBroker(log_path=work / "tansu.log")
        broker.start()
        try:
            with Children(work) as children:
                bench = Bench(opts, broker.bootstrap_servers, children, work, console)
                phases = asyncio.run(run(opts, bench))
        finally:
            broker.stop()
    result = summary(opts, phases, time.perf_counter() - started, load_at_start)
    args.out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")
    show(console, result)
    print(orjson.dumps({k: result[k] for k in ("points_per_s_per_worker", "ratio_vs_faust",
                                                "ratio_vs_aiokafka", "latency_ms", "met")}
                       ).decode(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
