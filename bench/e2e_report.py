"""The result of the end-to-end bench: the JSON document and the table printed with rich."""

from __future__ import annotations

import os
import platform
from typing import TYPE_CHECKING

import aiokafka
import faust
from revision import commit
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from e2e_phases import Options

TARGETS = {"points_per_s_per_worker": 30_000, "ratio_vs_faust": 4, "p99_ms": 250}


def machine() -> dict[str, object]:
    return {"cpu_count": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "faust": faust.__version__,
            "aiokafka": aiokafka.__version__}


def summary(opts: Options, phases: dict[str, object], seconds: float,
            load_at_start: tuple[float, float, float]) -> dict[str, object]:
    def rate(name: str) -> float | None:
        phase = phases.get(name)
        return phase["sustained_per_s"] if isinstance(phase, dict) else None

    def per_cpu(name: str) -> float | None:
        phase = phases.get(name)
        return phase.get("per_cpu_s") if isinstance(phase, dict) else None

    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a and b else None

    pipe, faust_rate, aio_rate = rate("pipeline"), rate("faust"), rate("aiokafka")
    cpu = {name: per_cpu(name) for name in ("pipeline", "faust", "aiokafka", "runtime")}
    # CPU microseconds per point the stages add to the runtime that carries them.
    stage_us = (round(1e6 / cpu["pipeline"] - 1e6 / cpu["runtime"], 1)
                if cpu["pipeline"] and cpu["runtime"] else None)
    per_worker = round(pipe / opts.workers, 1) if pipe is not None else None
    lat = phases.get("latency")
    latency = lat["latency_ms"] if isinstance(lat, dict) else None
    base = phases.get("runtime_latency")
    runtime_latency = base["latency_ms"] if isinstance(base, dict) else None
    ratio_faust, ratio_aio = ratio(per_worker, faust_rate), ratio(per_worker, aio_rate)
    # A latency measured on a worker that never caught up covers only what it reached.
    p99 = latency["p99"] if latency and lat["caught_up"] else None  # type: ignore[index]
    return {
        "name": "pipeline", "messages": phases["messages"],
        "points": phases["pipeline"]["records"] if "pipeline" in phases else None,  # type: ignore[index]
        "workers": opts.workers, "allowed_lateness_ms": opts.allowed_lateness_ms,
        "idle_timeout_ms": opts.idle_timeout_ms,
        "points_per_s_per_worker": per_worker,
        "baseline_faust_msgs_per_s": faust_rate, "baseline_aiokafka_msgs_per_s": aio_rate,
        "ratio_vs_faust": ratio_faust, "ratio_vs_aiokafka": ratio_aio,
        "baseline_runtime_points_per_s": rate("runtime"),
        "stage_cpu_us_per_point": stage_us,
        "latency_ms": latency, "offered_rate": opts.latency_rate,
        # The same paced input through the runtime baseline (no stage): what the broker,
        # the clients and the runtime alone take, point by point.
        "baseline_runtime_latency_ms": runtime_latency,
        # Records per CPU second of the processes under test: independent of the other load
        # on a shared machine (see loadavg), so these ratios are the steadier ones.
        "per_cpu_s": cpu | {"ratio_vs_faust": ratio(cpu["pipeline"], cpu["faust"]),
                            "ratio_vs_aiokafka": ratio(cpu["pipeline"], cpu["aiokafka"])},
        "targets": TARGETS,
        "met": {"points_per_s_per_worker": per_worker is not None
                and per_worker >= TARGETS["points_per_s_per_worker"],
                "ratio_vs_faust": ratio_faust is not None
                and ratio_faust >= TARGETS["ratio_vs_faust"],
                "p99_ms": p99 is not None and p99 < TARGETS["p99_ms"]},
        "machine": machine() | {"loadavg_at_start": load_at_start,
                                "loadavg_at_end": os.getloadavg()},
        "commit": commit(), "seconds": round(seconds, 1),
        "settings": {"points_per_track": opts.points_per_track, "partitions": opts.partitions,
                     "cap_s": opts.cap_s, "warmup": opts.warmup,
                     "latency_seconds": opts.latency_seconds, "profiled": opts.profile},
        "phases": phases,
    }


def show(console: Console, result: dict[str, object]) -> None:
    table = Table(title=f"bench_pipeline ({result['messages']} messages)")
    for column in ("figure", "value", "target", "met"):
        table.add_column(column)
    met: dict[str, bool] = result["met"]  # type: ignore[assignment]
    lat: dict[str, object] = result["latency_ms"] or {}  # type: ignore[assignment]
    base: dict[str, object] = result["baseline_runtime_latency_ms"] or {}  # type: ignore[assignment]
    per_cpu: dict[str, float | None] = result["per_cpu_s"]  # type: ignore[assignment]
    rows = [
        ("points/s per worker", result["points_per_s_per_worker"],
         TARGETS["points_per_s_per_worker"], met["points_per_s_per_worker"]),
        ("faust pass-through msg/s", result["baseline_faust_msgs_per_s"], "", None),
        ("aiokafka loop msg/s", result["baseline_aiokafka_msgs_per_s"], "", None),
        ("ratio vs faust", result["ratio_vs_faust"], TARGETS["ratio_vs_faust"],
         met["ratio_vs_faust"]),
        ("ratio vs aiokafka", result["ratio_vs_aiokafka"], "", None),
        ("runtime, pass-through stages, points/s", result["baseline_runtime_points_per_s"],
         "", None),
        ("per CPU s: pipeline / faust / aiokafka / runtime",
         " / ".join(str(per_cpu[k]) for k in ("pipeline", "faust", "aiokafka", "runtime")),
         "", None),
        ("stage CPU us per point", result["stage_cpu_us_per_point"], "", None),
        ("per CPU s ratio vs faust", per_cpu["ratio_vs_faust"], "", None),
        (f"latency p50/p95 ms at {result['offered_rate']:.0f}/s",
         f"{lat.get('p50')} / {lat.get('p95')}", "", None),
        ("latency p99 ms", lat.get("p99"), f"< {TARGETS['p99_ms']}", met["p99_ms"]),
        ("latency max ms (n)", f"{lat.get('max')} ({lat.get('n')})", "", None),
        ("runtime baseline latency p50/p99 ms",
         f"{base.get('p50')} / {base.get('p99')}", "", None),
    ]
    for name, value, target, ok in rows:
        mark = "" if ok is None else ("[green]yes[/green]" if ok else "[red]no[/red]")
        table.add_row(name, str(value), str(target), mark)
    console.print(table)
