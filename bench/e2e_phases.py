"""The phases of the end-to-end bench: three pass-through baselines, pipeline throughput, latency.

Each phase runs on fresh topics of the one broker, starts its processes through
:class:`~e2e_procs.Children` and measures them only through their topics (see
``bench_pipeline.py`` for what each phase does and how rates and latencies are defined).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson
from e2e_kafka import PacedResult, Tail, create_topics, produce_backlog, produce_paced
from e2e_procs import Children, cpu_seconds
from e2e_profile import start_record, summarise
from e2e_stats import (
    Received,
    alert_latencies,
    by_second,
    copy_latencies,
    percentiles,
    sustained_rate,
)
from e2e_traffic import T0_MS, Report, Traffic, probe_track
from revision import commit
from rich.console import Console

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
INPUT = "tracks.canonical"
POINTS = "tracks.points"
ALERT_TOPICS = ("zones.events", "alerts.identification")
#: A phase's output that gains nothing for this long has ended (or its process is stuck).
STALL_S = 20.0
#: How long a process may take from start to its first output record (faust joins in ~4 s).
FIRST_OUTPUT_S = 120.0
#: Track numbers of each traffic set (disjoint ranges give disjoint ICAO addresses).
THROUGHPUT_TRACKS, LATENCY_TRACKS, PROBE_TRACK = 0x100000, 0x400000, 0x7FFFFF
#: The probe flies an hour of event time before the latency traffic, and is left out of it.
PROBE_T0_MS = T0_MS - 3_600_000
PROBE_INTERVAL_S = 0.5


@dataclass(frozen=True)
class Options:
    messages: int
    points_per_track: int
    partitions: int
    workers: int
    cap_s: float
    warmup: float
    latency_rate: float
    latency_seconds: float
    drain_s: float
    profile: bool
    profile_seconds: int
    phases: frozenset[str]
    seed: int
    allowed_lateness_ms: int = 0
    idle_timeout_ms: int = 500


class Bench:
    """The four phases on one broker; every child goes through ``children``."""

    def __init__(self, opts: Options, bootstrap: str, children: Children, work: Path,
                 console: Console) -> None:
        self.opts = opts
        self.bootstrap = bootstrap
        self.children = children
        self.work = work
        self.console = console
        self.tag = uuid.uuid4().hex[:8]

    def say(self, text: str) -> None:
        self.console.print(f"[dim]{time.strftime('%H:%M:%S')}[/dim] {text}")

    async def measure(self, tail: Tail, topic: str, expected: int,
                      procs: Sequence[subprocess.Popen[bytes]],
                      on_first: Callable[[], None] = lambda: None) -> dict[str, object]:
        """Wait for the phase to end; CPU seconds the processes spent from the first record.

        ``per_cpu_s`` (records per CPU second of the processes under test) does not depend
        on what else runs on the machine, unlike the rates, so it is the fairer comparison
        on a shared machine.
        """
        alive = lambda: all(p.poll() is None for p in procs)  # noqa: E731
        outcome = await tail.wait(topic, 1, stall_s=STALL_S, cap_s=self.opts.cap_s,
                                  first_s=FIRST_OUTPUT_S, alive=alive)
        if outcome != "done":
            return {"ended": outcome}
        cpu0, count0 = self._cpu(procs), tail.count(topic)
        on_first()
        outcome = await tail.wait(topic, expected, stall_s=STALL_S, cap_s=self.opts.cap_s,
                                  first_s=FIRST_OUTPUT_S, alive=alive)
        cpu1, count1 = self._cpu(procs), tail.count(topic)
        cpu = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None
        return {"ended": outcome, "cpu_s": round(cpu, 2) if cpu else None,
                "per_cpu_s": round((count1 - count0) / cpu, 1) if cpu else None}

    @staticmethod
    def _cpu(procs: Sequence[subprocess.Popen[bytes]]) -> float | None:
        times = [cpu_seconds(p.pid) for p in procs]
        return None if None in times else sum(t for t in times if t is not None)

    # --- baselines -------------------------------------------------------------------

    async def passthrough(self, name: str, reports: Sequence[Report]) -> dict[str, object]:
        """Pre-load A, start the pass-through process, count what arrives on B."""
        source, sink = f"b{self.tag}.{name}.in", f"b{self.tag}.{name}.out"
        await create_topics(self.bootstrap, [source, sink], self.opts.partitions)
        load_s = await produce_backlog(self.bootstrap, source, reports)
        self.say(f"{name}: {len(reports)} messages pre-loaded in {load_s:.1f} s")
        script = REPO / "bench" / f"e2e_{name}_passthrough.py"
        argv = [sys.executable, str(script), self.bootstrap, source, sink]
        argv += ([f"bench-faust-{self.tag}", str(self.work / "faust")] if name == "faust"
                 else [f"bench-aiokafka-{self.tag}"])
        tail = Tail(self.bootstrap, [sink], self.opts.partitions)
        return await self._one_process(name, argv, self._env(), tail, sink, len(reports))

    async def _one_process(self, name: str, argv: list[str], env: dict[str, str], tail: Tail,
                           sink: str, expected: int) -> dict[str, object]:
        """Start one baseline process, count what arrives on ``sink``, stop it."""
        await tail.start()
        try:
            proc = self.children.start(name, argv, env, REPO)
            measured = await self.measure(tail, sink, expected, [proc])
            self.children.stop(name)
        finally:
            await tail.stop()
        if measured["ended"] in ("no output", "process exited"):
            raise RuntimeError(f"{name} baseline: {measured['ended']}\n"
                               f"{self.children.log_tail(name)}")
        rate = sustained_rate(tail.timestamps[sink], tail.arrivals[sink], self.opts.warmup)
        self.say(f"{name}: {rate['records']} records, {rate['sustained_per_s']:.0f}/s, "
                 f"{measured['per_cpu_s']}/CPU s ({measured['ended']})")
        return rate | measured

    async def runtime(self, reports: Sequence[Report]) -> dict[str, object]:
        """The project's track runtime with pass-through stages (``e2e_runtime_passthrough``):
        pre-loaded ``tracks.canonical``, counted on ``tracks.points``, as the pipeline phase."""
        prefix, group, tail = await self._deployment("r")
        load_s = await produce_backlog(self.bootstrap, prefix + INPUT, reports)
        self.say(f"runtime: {len(reports)} messages pre-loaded in {load_s:.1f} s")
        script = REPO / "bench" / "e2e_runtime_passthrough.py"
        return await self._one_process("runtime", [sys.executable, str(script)],
                                       self._env(prefix, group), tail, prefix + POINTS,
                                       len(reports))

    # --- the pipeline ----------------------------------------------------------------

    def _env(self, prefix: str = "", group: str = "") -> dict[str, str]:
        env = dict(os.environ, PYTHONPATH=str(REPO))
        if prefix:
            env |= {"ADIZWATCH_BOOTSTRAP_SERVERS": self.bootstrap,
                    "ADIZWATCH_TOPIC_PREFIX": prefix, "ADIZWATCH_GROUP_ID": group,
                    "ADIZWATCH_PARTITIONS": str(self.opts.partitions),
                    "ADIZWATCH_METRICS_PORT": "0",
                    "ADIZWATCH_DATA_DIR": str(self.work / "data"),
                    # The traffic is in event-time order on every partition: no report
                    # waits for lateness (the default 5 s would add 5 s of event time to
                    # every alert's latency by design, docs/time.md).
                    "ADIZWATCH_ALLOWED_LATENESS_MS": str(self.opts.allowed_lateness_ms),
                    # The pre-loaded input ends: its last reports are released once its
                    # partitions are idle, and the rate counts that wait.
                    "ADIZWATCH_IDLE_TIMEOUT_MS": str(self.opts.idle_timeout_ms)}
        return env

    def _start_workers(self, phase: str, prefix: str, group: str) -> list[subprocess.Popen[bytes]]:
        argv = [sys.executable, "-m", "pipeline", "run", "--embedded-broker"]
        return [self.children.start(f"{phase}-worker-{n}", argv, self._env(prefix, group), REPO)
                for n in range(self.opts.workers)]

    def _stop_workers(self, phase: str) -> None:
        for n in range(self.opts.workers):
            self.children.stop(f"{phase}-worker-{n}")

    async def _deployment(self, letter: str) -> tuple[str, str, Tail]:
        prefix, group = f"{letter}{self.tag}.", f"adizwatch-bench-{letter}{self.tag}"
        topics = [prefix + t for t in (INPUT, POINTS, *ALERT_TOPICS)]
        await create_topics(self.bootstrap, topics, self.opts.partitions)
        tail = Tail(self.bootstrap, topics[1:], self.opts.partitions,
                    keep_values=frozenset(prefix + t for t in ALERT_TOPICS))
        return prefix, group, tail

    async def throughput(self, reports: Sequence[Report]) -> dict[str, object]:
        prefix, group, tail = await self._deployment("p")
        load_s = await produce_backlog(self.bootstrap, prefix + INPUT, reports)
        self.say(f"pipeline: {len(reports)} messages pre-loaded in {load_s:.1f} s; "
                 f"starting {self.opts.workers} worker(s)")
        await tail.start()
        profile: dict[str, object] | None = None
        spies: list[subprocess.Popen[bytes]] = []
        raw = self.work / "profile.raw"
        try:
            procs = self._start_workers("throughput", prefix, group)

            def start_profile() -> None:
                if self.opts.profile:
                    spies.append(start_record(procs[0].pid, self.opts.profile_seconds, raw))
                    self.say(f"pipeline: py-spy sampling worker pid {procs[0].pid} for "
                             f"{self.opts.profile_seconds} s")

            measured = await self.measure(tail, prefix + POINTS, len(reports), procs,
                                          start_profile)
            for spy in spies:
                spy.wait(self.opts.profile_seconds + 30)
                profile = self._write_profile(raw, spy)
            self._stop_workers("throughput")
        finally:
            for spy in spies:
                if spy.poll() is None:
                    spy.kill()
                    spy.wait()
            await tail.stop()
        if measured["ended"] in ("no output", "process exited"):
            raise RuntimeError(f"pipeline: {measured['ended']}\n"
                               f"{self.children.log_tail('throughput-worker-0')}")
        rate = sustained_rate(tail.timestamps[prefix + POINTS], tail.arrivals[prefix + POINTS],
                              self.opts.warmup)
        self.say(f"pipeline: {rate['records']} points, {rate['sustained_per_s']:.0f}/s, "
                 f"{measured['per_cpu_s']}/CPU s with {self.opts.workers} worker(s) "
                 f"({measured['ended']})")
        alerts = {t: tail.count(prefix + t) for t in ALERT_TOPICS}
        return rate | measured | {"alerts": alerts, "profile": profile}

    def _write_profile(self, raw: Path, spy: subprocess.Popen[bytes]) -> dict[str, object]:
        if spy.returncode != 0 or not raw.exists():
            log = spy.stdout.read().decode(errors="replace") if spy.stdout else ""
            return {"error": f"py-spy exited {spy.returncode}: {log[-500:]}"}
        text, top = summarise(raw)
        out = RESULTS / "pipeline_profile.txt"
        out.write_text(f"adizwatch pipeline worker, throughput phase, commit {commit()}\n"
                       f"{text}")
        self.say(f"pipeline: profile written to {out.relative_to(REPO)}")
        return {"file": str(out.relative_to(REPO)), "top_self": top[:10]}

    async def latency(self) -> dict[str, object]:
        """Paced input to an idle worker; alert record time minus its raw record's time."""
        prefix, group, tail = await self._deployment("l")
        await tail.start()
        try:
            self._start_workers("latency", prefix, group)
            probe = probe_track(Traffic(self.opts.seed).zones, PROBE_TRACK, PROBE_T0_MS, 240)
            ready_s = await self._wait_ready(prefix, tail, probe)
            self.say(f"latency: worker ready after {ready_s:.1f} s (probe's zone event out)")
            before = tail.count(prefix + POINTS)
            sent, outcome = await self._paced(prefix, tail, "latency")
            await asyncio.sleep(1.0)  # alerts follow their point
            self._stop_workers("latency")
        finally:
            await tail.stop()
        points_out = tail.count(prefix + POINTS) - before
        alerts = {t: Received(tail.values[prefix + t], tail.timestamps[prefix + t],
                              tail.arrivals[prefix + t]) for t in ALERT_TOPICS}
        return alert_latencies(alerts, sent.record_ts_ms, probe[0].track_id) | {
            "producer_ack_ms": percentiles(sent.ack_ms),
            "producer_ack_ms_by_second": by_second(sent.ack_ms, sent.rate),
            "offered_rate": self.opts.latency_rate, "achieved_rate": round(sent.rate, 1),
            "sent": sent.sent, "points_out": points_out, "caught_up": points_out >= sent.sent,
            "ended": outcome}

    async def runtime_latency(self) -> dict[str, object]:
        """The latency phase's paced input through the runtime baseline (pass-through
        stages): point record time minus raw record time. What the broker, the clients and
        the runtime take without any stage, in the same run."""
        prefix, group = f"q{self.tag}.", f"adizwatch-bench-q{self.tag}"
        await create_topics(self.bootstrap, [prefix + INPUT, prefix + POINTS],
                            self.opts.partitions)
        tail = Tail(self.bootstrap, [prefix + POINTS], self.opts.partitions,
                    keep_values=frozenset({prefix + POINTS}))
        script = REPO / "bench" / "e2e_runtime_passthrough.py"
        await tail.start()
        try:
            self.children.start("runtime-latency", [sys.executable, str(script)],
                                self._env(prefix, group), REPO)
            probe = probe_track(Traffic(self.opts.seed).zones, PROBE_TRACK, PROBE_T0_MS, 240)
            start = time.monotonic()
            for report in probe:  # ready: its first record came through
                await produce_backlog(self.bootstrap, prefix + INPUT, [report])
                await asyncio.sleep(PROBE_INTERVAL_S)
                if tail.count(prefix + POINTS) or time.monotonic() - start > FIRST_OUTPUT_S:
                    break
            if not tail.count(prefix + POINTS):
                raise RuntimeError("runtime latency: no output\n"
                                   f"{self.children.log_tail('runtime-latency')}")
            sent, outcome = await self._paced(prefix, tail, "runtime latency")
            self.children.stop("runtime-latency")
        finally:
            await tail.stop()
        got = Received(tail.values[prefix + POINTS], tail.timestamps[prefix + POINTS],
                       tail.arrivals[prefix + POINTS])
        result = copy_latencies(got, sent.record_ts_ms)
        self.say(f"runtime latency: p50/p99 {result['latency_ms']['p50']}/"  # type: ignore[index]
                 f"{result['latency_ms']['p99']} ms at {sent.rate:.0f}/s")  # type: ignore[index]
        return result | {"producer_ack_ms": percentiles(sent.ack_ms), "sent": sent.sent,
                         "ended": outcome}

    async def _paced(self, prefix: str, tail: Tail, phase: str) -> tuple[PacedResult, str]:
        """2 s idle, then the latency traffic at the paced rate; waits for its points."""
        await asyncio.sleep(2.0)
        count = round(self.opts.latency_rate * self.opts.latency_seconds)
        reports = Traffic(self.opts.seed + 1).reports(count, self.opts.points_per_track,
                                                      LATENCY_TRACKS)
        before = tail.count(prefix + POINTS)
        sent = await produce_paced(self.bootstrap, prefix + INPUT, reports,
                                   self.opts.latency_rate)
        self.say(f"{phase}: sent {sent.sent} at {sent.rate:.0f}/s; draining")
        outcome = await tail.wait(prefix + POINTS, before + sent.sent, stall_s=5.0,
                                  cap_s=self.opts.drain_s + sent.seconds, first_s=30.0)
        return sent, outcome

    async def _wait_ready(self, prefix: str, tail: Tail, probe: Sequence[Report]) -> float:
        """Feed the probe track a report at a time until its zone event comes out."""
        events = prefix + ALERT_TOPICS[0]
        start = time.monotonic()
        for report in probe:
            await produce_backlog(self.bootstrap, prefix + INPUT, [report])
            await asyncio.sleep(PROBE_INTERVAL_S)
            if any(orjson.loads(v)["track_id"] == report.track_id for v in tail.values[events]):
                return time.monotonic() - start
            if any(p.poll() is not None for p in self.children.procs.values()):
                break
        raise RuntimeError("latency: the worker never produced the probe's zone event\n"
                           f"{self.children.log_tail('latency-worker-0')}")


async def run(opts: Options, bench: Bench) -> dict[str, object]:
    traffic = Traffic(opts.seed)
    throughput = opts.phases & {"faust", "aiokafka", "runtime", "pipeline"}
    reports = traffic.reports(opts.messages if throughput else 0, opts.points_per_track,
                              THROUGHPUT_TRACKS)
    bench.say(f"{len(reports)} messages of {sum(traffic.kinds.values())} tracks "
              f"{dict(traffic.kinds)}")
    out: dict[str, object] = {"messages": len(reports), "tracks": dict(traffic.kinds)}
    if "faust" in opts.phases:
        out["faust"] = await bench.passthrough("faust", reports)
    if "aiokafka" in opts.phases:
        out["aiokafka"] = await bench.passthrough("aiokafka", reports)
    if "runtime" in opts.phases:
        out["runtime"] = await bench.runtime(reports)
    if "pipeline" in opts.phases:
        out["pipeline"] = await bench.throughput(reports)
    if "runtime-latency" in opts.phases:
        out["runtime_latency"] = await bench.runtime_latency()
    if "latency" in opts.phases:
        out["latency"] = await bench.latency()
    return out
