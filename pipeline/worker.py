"""Run one pipeline worker until SIGINT/SIGTERM.

Creates the missing topics, starts the HTTP endpoints (``/metrics``, ``/healthz``,
``/readyz`` on ``ADIZWATCH_METRICS_PORT``), loads the zones and the identification tables,
builds the faust app and hands the process to a faust worker. Against the embedded Tansu
broker the transport workarounds are switched on first, in this process, before any client exists.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import faust

from pipeline.app import create_app
from pipeline.geofence.zones import load_zone_files
from pipeline.health import Health
from pipeline.identify.enrich import IdentifyContext
from pipeline.identify.flightplan import FlightPlanBook
from pipeline.identify.rules import load_rule_table
from pipeline.identify.watchlist import Watchlist
from pipeline.metrics import Metrics
from pipeline.settings import Settings
from pipeline.transport.admin import ensure_catalogue
from pipeline.transport.config_files import load_flightplan_files, load_watchlist_files
from pipeline.transport.zone_feed import LiveZones

log = logging.getLogger(__name__)


def identify_context(settings: Settings) -> IdentifyContext:
    """Tables, rules, and the watch-lists and flight plans of the configured files."""
    ctx = IdentifyContext.load(load_rule_table(settings.identity_rules),
                               settings.allied_countries)
    watch = load_watchlist_files(settings.watchlists)
    plans = load_flightplan_files(settings.flightplans)
    for error in watch.errors + plans.errors:
        log.warning("configuration row skipped: %s", error)
    ctx.watchlist = Watchlist(watch.watch)
    ctx.plans = FlightPlanBook(plans.plans)
    log.info("identification loaded rules=%s watch_entries=%d flight_plans=%d",
             ctx.rules.source, len(ctx.watchlist), len(ctx.plans))
    return ctx


def mark_running(health: Health) -> None:
    """Readiness hook: the processing loop calls it once it consumes (``/readyz`` -> 200)."""
    health.set_ready(True, "running")


def _beat_from_faust_timer(app: Any, health: Health) -> None:
    """Interim liveness until the processing loop beats itself: a faust timer every 5 s.

    faust starts timers once table recovery has completed (``App.on_started``), so the
    first beat also marks the worker running. It proves only that the event loop turns, not
    that records move: remove it when the runtime calls ``health.beat()`` and
    :func:`mark_running`.
    """
    async def beat() -> None:
        health.beat()
        if not health.ready:
            mark_running(health)

    app.timer(interval=5.0, name="adizwatch.health_beat")(beat)


def run_worker(settings: Settings) -> int:
    """Run until stopped by a signal; returns the exit code."""
    extra: Mapping[str, Any] = {}
    if settings.embedded_broker:
        from pipeline.transport.tansu_compat import (
            apply_tansu_workarounds,
            embedded_faust_settings,
        )

        apply_tansu_workarounds()
        extra = embedded_faust_settings()
    zones = load_zone_files(settings.zone_paths)
    ctx = identify_context(settings)
    asyncio.run(ensure_catalogue(settings.bootstrap_servers, settings.topic_prefix,
                                 settings.partitions, settings.replication_factor))
    log.info("starting worker bootstrap=%s zones=%d group=%s", settings.bootstrap_servers,
             len(zones), settings.group_id)
    (settings.data_dir / settings.group_id).mkdir(parents=True, exist_ok=True)
    metrics = Metrics()
    health = Health()
    if settings.metrics_port:
        metrics.serve(settings.metrics_port, health)
        log.info("metrics at http://0.0.0.0:%d/metrics", settings.metrics_port)
    app = create_app(settings, LiveZones(zones), ctx, metrics, extra)
    _beat_from_faust_timer(app, health)
    worker = faust.Worker(app, loglevel=settings.log_level.lower(), quiet=True)
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    return 0
