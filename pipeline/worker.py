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

from pipeline.app import create_app, default_runtime_config
from pipeline.geofence.zones import load_zone_files
from pipeline.health import Health
from pipeline.identify.enrich import IdentifyContext
from pipeline.identify.flightplan import FlightPlanBook
from pipeline.identify.rules import load_rule_table
from pipeline.identify.watchlist import Watchlist
from pipeline.logs import configure_logging
from pipeline.metrics import Metrics
from pipeline.settings import Settings
from pipeline.transport.admin import PartitionMismatchError, ensure_catalogue, ensure_changelogs
from pipeline.transport.config_files import load_flightplan_files, load_watchlist_files
from pipeline.transport.kafka_client import faust_broker_settings
from pipeline.transport.topics import control_group
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


def run_worker(settings: Settings) -> int:
    """Run until stopped by a signal; returns the exit code."""
    configure_logging(settings.log_level, settings.log_format, settings.secrets)
    # faust's client id and credentials (SASL/TLS), the same as every aiokafka client's.
    extra: Mapping[str, Any] = faust_broker_settings(settings)
    group_timings: Mapping[str, Any] = {}
    if settings.embedded_broker:
        from pipeline.transport.tansu_compat import (
            apply_tansu_workarounds,
            embedded_consumer_settings,
            embedded_faust_settings,
        )

        apply_tansu_workarounds()
        extra = {**extra, **embedded_faust_settings()}
        group_timings = embedded_consumer_settings()
    zones = load_zone_files(settings.zone_paths)
    ctx = identify_context(settings)
    asyncio.run(ensure_catalogue(settings))
    try:
        asyncio.run(ensure_changelogs(settings))
    except PartitionMismatchError as exc:
        log.error("%s", exc)
        return 2
    log.info("starting worker bootstrap=%s security=%s client_id=%s zones=%d group=%s",
             settings.bootstrap_servers, settings.security_protocol, settings.client_id,
             len(zones), settings.group_id)
    (settings.data_dir / control_group(settings.group_id)).mkdir(parents=True, exist_ok=True)
    metrics = Metrics()
    health = Health()
    if settings.metrics_port:
        metrics.serve(settings.metrics_port, health)
        log.info("metrics at http://0.0.0.0:%d/metrics", settings.metrics_port)
    app = create_app(settings, LiveZones(zones), ctx, metrics, extra,
                     default_runtime_config(settings, group_timings), health)
    # override_logging=False: faust would replace our handler with its own (see logs.py).
    worker = faust.Worker(app, loglevel=settings.log_level.lower(), quiet=True,
                          override_logging=False)
    # Nor a progress spinner on stdout (faust drops it only in the set-up skipped above): the
    # output is log lines only.
    worker.spinner = None
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    return 0
