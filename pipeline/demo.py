"""The embedded demo: local broker, the pipeline, the bundled feeds, the alerts live.

Starts Tansu on a free loopback port, creates the topics, starts one worker as a
subprocess (as a deployment would), replays the bundled feeds into ``adsb.sbs`` at a
scaled pace, shows identification alerts as they arrive, waits until the worker has
committed every input, stops everything and prints a summary. Exit code 0 when the run
completed and the worker stopped cleanly.

Unless asked not to, the demo also serves the watch-floor picture
(:mod:`pipeline.picture`) from this process and prints its URL first; with ``serve`` it
keeps the pipeline and the picture up after the replay until SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipeline.picture.service import DEFAULT_PORT, PictureOptions, PictureService
from pipeline.picture.state import PictureLimits
from pipeline.settings import Settings
from pipeline.transport.admin import ensure_catalogue
from pipeline.transport.broker import EmbeddedBroker
from pipeline.transport.kafka_client import client_kwargs
from pipeline.transport.progress import pipeline_lag
from pipeline.transport.replay import read_feed, replay
from pipeline.transport.tansu_compat import apply_tansu_workarounds
from pipeline.transport.topics import (
    ADSB_SBS,
    DEADLETTER,
    IDENTIFICATIONS,
    TRACK_POINTS,
    ZONE_EVENTS,
    topic_name,
)

DEFAULT_SPEED = 900.0
"""Fifteen recorded minutes a second: both feeds (about nine recorded hours) in ~40 s."""

DRAIN_TIMEOUT_S = 60.0
WORKER_STOP_TIMEOUT_S = 30.0
WORKER_READY_TIMEOUT_S = 60.0

_IDENTITY_STYLE = {
    "hostile": "bold red", "suspect": "red", "unknown": "yellow", "pending": "white",
    "neutral": "green", "assumed friend": "cyan", "friend": "bold cyan",
}


_DATA = Path(__file__).resolve().parent / "data"


def bundled_feeds() -> list[Path]:
    """The feeds the demo replays (see ``pipeline/data/feeds/SOURCES.md``)."""
    return sorted((_DATA / "feeds").glob("*.sbs"))


def bundled_watchlists() -> list[Path]:
    """The demo's watch-lists (see ``pipeline/data/scenario/SOURCES.md``)."""
    return sorted((_DATA / "scenario").glob("*.csv"))


def bundled_flightplans() -> list[Path]:
    """The demo's flight plans (see ``pipeline/data/scenario/SOURCES.md``)."""
    return sorted((_DATA / "scenario").glob("*.jsonl"))


@dataclass
class Tally:
    messages_in: int = 0
    points: int = 0
    zone_events: int = 0
    alerts: int = 0
    deadletters: int = 0
    identities: Counter[str] = field(default_factory=Counter)
    rows: list[dict[str, object]] = field(default_factory=list)

    def summary(self) -> str:
        ids = ", ".join(f"{k} {v}" for k, v in sorted(self.identities.items()))
        return (f"messages in {self.messages_in}, points {self.points}, zone events "
                f"{self.zone_events}, alerts {self.alerts} ({ids}), dead letters "
                f"{self.deadletters}")


def _alert_table(rows: list[dict[str, object]], limit: int = 14) -> Table:
    table = Table(title="alerts.identification (newest last)", expand=True)
    for column in ("time", "track", "callsign", "country", "zone", "event", "identity"):
        table.add_column(column, no_wrap=True)
    for row in rows[-limit:]:
        identity = str(row.get("identity"))
        table.add_row(
            str(row.get("time", ""))[:19].replace("T", " "), str(row.get("track_id", "")),
            str(row.get("callsign") or ""), str(row.get("country") or "?"),
            str(row.get("zone_id", "")), str(row.get("type", "")).removeprefix("zone."),
            f"[{_IDENTITY_STYLE.get(identity, 'white')}]{identity}[/]")
    return table


def _alert_line(row: dict[str, object]) -> str:
    return (f"{str(row.get('time', ''))[:19].replace('T', ' ')}  {row.get('track_id')}  "
            f"{row.get('callsign') or '-':8}  {row.get('country') or '?':2}  "
            f"{str(row.get('type', '')).removeprefix('zone.'):5}  {row.get('zone_id')}  "
            f"{row.get('identity')}")


async def _consume_outputs(settings: Settings, tally: Tally,
                           console: Console, live: bool, stop: asyncio.Event) -> None:
    names = {topic_name(s, settings.topic_prefix): s
             for s in (TRACK_POINTS, ZONE_EVENTS, IDENTIFICATIONS, DEADLETTER)}
    consumer = AIOKafkaConsumer(*names, **client_kwargs(settings), group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=200)
            for tp, records in batch.items():
                spec = names[tp.topic]
                if spec is TRACK_POINTS:
                    tally.points += len(records)
                elif spec is ZONE_EVENTS:
                    tally.zone_events += len(records)
                elif spec is DEADLETTER:
                    tally.deadletters += len(records)
                else:
                    for record in records:
                        row = orjson.loads(record.value or b"{}")
                        tally.alerts += 1
                        tally.identities[str(row.get("identity"))] += 1
                        tally.rows.append(row)
                        if not live:
                            console.print(_alert_line(row), highlight=False, soft_wrap=True)
    finally:
        await consumer.stop()


async def _drained(settings: Settings) -> bool:
    """True when the worker group has committed every record of the topics it consumes."""
    lag = await pipeline_lag(client_kwargs(settings), settings.topic_prefix, settings.group_id)
    return not lag


@dataclass(frozen=True, slots=True)
class PictureChoice:
    """Whether and how the demo serves the picture."""

    enabled: bool = True
    serve: bool = False
    port: int | None = None

    def options(self) -> PictureOptions:
        # The demo's picture keeps every track (nothing is dropped after the replay ends).
        return PictureOptions(port=DEFAULT_PORT if self.port is None else self.port,
                              fallback_to_free_port=self.port is None,
                              limits=PictureLimits(drop_after_ms=None))


async def _serve_until_signal(console: Console, url: str, bootstrap: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    console.print(f"serving the picture at [bold]{url}[/] until Ctrl-C; the pipeline "
                  f"keeps running (replay more with: adizwatch replay FILE --topic adsb.sbs "
                  f"--bootstrap-servers {bootstrap})")
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _run(settings: Settings, feeds: list[Path], speed: float | None, console: Console,
               worker: subprocess.Popen[bytes], tally: Tally,
               picture: PictureChoice = PictureChoice(enabled=False)) -> bool:
    bootstrap = settings.bootstrap_servers
    service = PictureService(settings, picture.options()) if picture.enabled else None
    if service is not None:
        url = await service.start()
        console.print(f"picture: [bold]{url}[/] (open it in a browser)", soft_wrap=True)
    # Oldest recording first: the lost-track clocks follow each partition's event time, so a
    # 2020 recording replayed after a 2024 one would find every deadline already passed.
    loaded = {feed: read_feed(feed) for feed in feeds}
    records = dict(sorted(loaded.items(), key=lambda item: min(
        (r.time_ms for r in item[1] if r.time_ms is not None), default=0)))
    live = console.is_terminal
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console)
    stop = asyncio.Event()
    reader = asyncio.create_task(_consume_outputs(settings, tally, console, live, stop))
    producer = AIOKafkaProducer(**client_kwargs(settings), linger_ms=5)
    await producer.start()
    live_view = Live(Group(progress, _alert_table(tally.rows)), console=console,
                     refresh_per_second=4, transient=False) if live else None
    try:
        if live_view is not None:
            live_view.start()
        # The feeds come from different years. They are replayed one after the other, oldest
        # first, under one key, as one receiver's recording: each tracks.points partition then
        # sees event time move forward only.
        async def replay_all() -> int:
            sent = 0
            for feed, lines in records.items():
                task_id = progress.add_task(f"replay {feed.name}", total=len(lines))
                sent += await replay(lines, producer,
                                     topic_name(ADSB_SBS, settings.topic_prefix), speed,
                                     partial(progress.advance, task_id), default_key=b"demo")
            return sent

        replaying = asyncio.ensure_future(replay_all())
        while not replaying.done():
            await asyncio.sleep(0.25)
            if live_view is not None:
                live_view.update(Group(progress, _alert_table(tally.rows)))
            if worker.poll() is not None:
                raise RuntimeError(f"worker exited early with code {worker.returncode}")
        tally.messages_in = await replaying
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        drained = False
        while time.monotonic() < deadline:
            if await _drained(settings):
                drained = True
                break
            if worker.poll() is not None:
                raise RuntimeError(f"worker exited early with code {worker.returncode}")
            await asyncio.sleep(0.5)
            if live_view is not None:
                live_view.update(Group(progress, _alert_table(tally.rows)))
        await asyncio.sleep(1.0)  # let the reader catch the last outputs
        if live_view is not None:
            live_view.update(Group(progress, _alert_table(tally.rows)))
        if service is not None and picture.serve:
            if live_view is not None:
                live_view.stop()
                live_view = None
            await _serve_until_signal(console, service.url, bootstrap)
        return drained
    finally:
        stop.set()
        await reader
        if live_view is not None:
            live_view.stop()
        await producer.stop()
        if service is not None:
            await service.stop()


def _wait_ready(worker: subprocess.Popen[bytes], log_path: Path,
                timeout_s: float = WORKER_READY_TIMEOUT_S) -> None:
    """Wait for the worker's "Worker ready" (its start-up recovery is over)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and worker.poll() is None:
        if b"Worker ready" in log_path.read_bytes():
            return
        time.sleep(0.2)


def _stop_worker(worker: subprocess.Popen[bytes]) -> int:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(WORKER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
            return -9
    return worker.returncode


def run_demo(speed: float | None = DEFAULT_SPEED, console: Console | None = None, *,
             picture: bool = True, serve: bool = False, picture_port: int | None = None) -> int:
    """Run the embedded demo end to end; returns the exit code.

    Args:
        speed: replay speed factor, None for as fast as possible.
        console: where to show progress and alerts.
        picture: serve the watch-floor picture and print its URL.
        serve: after the replay, keep the pipeline and the picture up until SIGINT/SIGTERM.
        picture_port: the picture's port; None tries 8077, then a free one.
    """
    console = console or Console()
    apply_tansu_workarounds()
    workdir = Path(tempfile.mkdtemp(prefix="adizwatch-demo-"))
    feeds = bundled_feeds()
    if not feeds:
        console.print("[red]no bundled feeds found[/]")
        return 1
    with EmbeddedBroker(log_path=workdir / "broker.log") as broker:
        settings = Settings(bootstrap_servers=broker.bootstrap_servers, embedded_broker=True)
        console.print(f"embedded broker (Tansu) at {broker.bootstrap_servers}; "
                      f"logs in {workdir}")
        asyncio.run(ensure_catalogue(settings))
        worker_log = (workdir / "worker.log").open("wb")
        env = dict(os.environ, ADIZWATCH_BOOTSTRAP_SERVERS=settings.bootstrap_servers,
                   ADIZWATCH_WATCHLISTS=",".join(map(str, bundled_watchlists())),
                   ADIZWATCH_FLIGHTPLANS=",".join(map(str, bundled_flightplans())))
        # The demo exposes metrics only when asked to: a fixed port may be taken here.
        env.setdefault("ADIZWATCH_METRICS_PORT", "0")
        worker = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "run", "--embedded-broker"],
            stdout=worker_log, stderr=subprocess.STDOUT, env=env)
        # Feed only a ready worker: faust 0.15.3 can mishandle records that are waiting
        # while it ends its start-up recovery (docs/broker-differences.md).
        _wait_ready(worker, workdir / "worker.log")
        tally = Tally()
        try:
            drained = asyncio.run(_run(settings, feeds, speed, console, worker, tally,
                                       PictureChoice(picture, serve, picture_port)))
        except (RuntimeError, OSError) as exc:
            console.print(f"[red]demo failed: {exc}[/] (worker log: {workdir / 'worker.log'})")
            _stop_worker(worker)
            return 1
        finally:
            code = _stop_worker(worker)
            worker_log.close()
    console.print(f"summary: {tally.summary()}")
    if not drained:
        console.print(f"[red]the worker did not catch up within {DRAIN_TIMEOUT_S:.0f} s[/] "
                      f"(worker log: {workdir / 'worker.log'})")
        return 1
    if code != 0:
        console.print(f"[red]worker exited with {code}[/] (log: {workdir / 'worker.log'})")
        return 1
    return 0
