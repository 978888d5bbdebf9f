"""Runs the picture: the topic follower, the ticker, the health probe and the web server.

Used two ways: ``adizwatch picture`` runs it on its own until SIGINT/SIGTERM
(:func:`run_picture`), and the demo starts it inside its own event loop
(:class:`PictureService`). The entry points own the clock: :func:`wall_ms` is passed down.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web
from aiokafka.errors import KafkaError

from pipeline.geofence.zones import load_zone_files
from pipeline.picture.feed import FeedStatus, follow_outputs
from pipeline.picture.frame import choose_frame, zone_intervals, zones_geojson
from pipeline.picture.health import assess
from pipeline.picture.hub import PictureHub
from pipeline.picture.server import create_web_app
from pipeline.picture.state import PictureLimits, PictureState
from pipeline.settings import Settings
from pipeline.transport.kafka_client import client_kwargs
from pipeline.transport.progress import lagging_partitions
from pipeline.transport.topics import topic_name
from pipeline.transport.track_path import TOPICS as TRACK_PATH_TOPICS

log = logging.getLogger(__name__)

DEFAULT_PORT = 8077

_RETRY_S = 5.0
"""Pause before following the topics again after the broker failed."""

_WORKER_INPUTS = TRACK_PATH_TOPICS
"""The topics the worker group consumes: its lag on them is the pipeline's backlog."""


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class PictureOptions:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    """0 picks a free port."""
    fallback_to_free_port: bool = False
    """When ``port`` is taken, use a free one instead of failing (the demo)."""
    tick_s: float = 0.25
    """Deltas per second to pages: 4, smooth enough and light for the browser."""
    probe_every_s: float = 3.0
    """Longer than the workers' commit interval (2 s): a backlog is called lagging when two
    probes in a row see it (``health.py``), so one commit must fall between them."""
    probe_timeout_s: float = 10.0
    limits: PictureLimits = field(default_factory=PictureLimits)


class PictureService:
    """The picture of one deployment, served on ``options.host``:``port``."""

    def __init__(self, settings: Settings, options: PictureOptions | None = None,
                 clock: Callable[[], int] = wall_ms) -> None:
        self.settings = settings
        self.options = options or PictureOptions()
        self.clock = clock
        zones = load_zone_files(settings.zone_paths)
        frame = choose_frame(zone_intervals(zones))
        self.state = PictureState(frame, self.options.limits)
        self.hub = PictureHub(self.state, zones_geojson(zones, frame), clock)
        self.feed_status = FeedStatus()
        self._started_ms = clock()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        """Serve the page and start following the topics; returns the page's URL.

        Raises:
            OSError: the port cannot be bound (and no fallback was asked for).
        """
        self._started_ms = self.clock()
        self._runner = web.AppRunner(create_web_app(self.hub), shutdown_timeout=2.0,
                                     access_log=None)
        await self._runner.setup()
        port = await self._bind(self._runner, self.options.port)
        self.url = f"http://{self.options.host}:{port}/"
        self._tasks = [
            asyncio.create_task(self._follow(), name="picture-feed"),
            asyncio.create_task(self._tick(), name="picture-tick"),
            asyncio.create_task(self._probe(), name="picture-health"),
        ]
        log.info("picture serving url=%s frame_west=%s", self.url, self.state.frame.west_deg)
        return self.url

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _bind(self, runner: web.AppRunner, port: int) -> int:
        try:
            await web.TCPSite(runner, self.options.host, port).start()
        except OSError as exc:
            if not (self.options.fallback_to_free_port and exc.errno == errno.EADDRINUSE):
                raise
            log.info("picture port %d is taken; using a free one", port)
            await web.TCPSite(runner, self.options.host, 0).start()
        bound: int = runner.addresses[0][1]
        return bound

    async def _follow(self) -> None:
        while not self._stop.is_set():
            try:
                await follow_outputs(self.settings, self.state, self.clock,
                                     self.feed_status, self._stop)
            except asyncio.CancelledError:
                raise
            except KafkaError as exc:  # the picture outlives a broker outage: retry
                log.warning("picture feed: %s; retrying in %.0f s", exc, _RETRY_S)
                await asyncio.sleep(_RETRY_S)
            except Exception:  # a bug: logged in full, and the picture keeps serving
                log.exception("picture feed failed; retrying in %.0f s", _RETRY_S)
                await asyncio.sleep(_RETRY_S)

    async def _tick(self) -> None:
        while not self._stop.is_set():
            await asyncio.sleep(self.options.tick_s)
            self.hub.tick()

    async def _probe(self) -> None:
        topics = [topic_name(spec, self.settings.topic_prefix) for spec in _WORKER_INPUTS]
        lag: int | None = None
        kafka = client_kwargs(self.settings)
        while not self._stop.is_set():
            error: str | None = None
            previous_lag = lag
            try:
                lagging = await asyncio.wait_for(
                    lagging_partitions(kafka, self.settings.group_id, topics),
                    self.options.probe_timeout_s)
                lag = sum(lagging.values())
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure is reported as the health, not raised
                error = f"{type(exc).__name__}: {exc}"[:200] or type(exc).__name__
            now_ms = self.clock()
            last = max(self._started_ms, self.feed_status.last_record_ms or 0)
            self.hub.health = assess(lag, error, last, now_ms, previous_lag)
            await asyncio.sleep(self.options.probe_every_s)


def run_picture(settings: Settings, options: PictureOptions) -> int:
    """Serve the picture until SIGINT/SIGTERM; prints the URL on stdout. Returns the exit code."""

    async def main() -> int:
        service = PictureService(settings, options)
        try:
            url = await service.start()
        except OSError as exc:
            print(f"adizwatch picture: cannot listen on {options.host}:{options.port}: {exc}",
                  file=sys.stderr)
            await service.stop()
            return 1
        print(f"picture: {url}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await service.stop()
        return 0

    return asyncio.run(main())
