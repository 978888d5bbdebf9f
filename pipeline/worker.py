"""Run one pipeline worker until SIGINT/SIGTERM.

Creates the missing topics, loads the zones and the identification tables, builds the faust
app and hands the process to a faust worker. Against the embedded Tansu broker the transport
workarounds are switched on first, in this process, before any client exists.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import faust

from pipeline.app import create_app
from pipeline.geofence.zones import load_zone_files
from pipeline.identify.identity import Identifier, IdentityPolicy
from pipeline.metrics import Metrics
from pipeline.settings import Settings
from pipeline.transport.admin import ensure_catalogue
from pipeline.transport.zone_feed import LiveZones

log = logging.getLogger(__name__)


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
    identifier = Identifier.load(IdentityPolicy(allied_countries=settings.allied_countries))
    asyncio.run(ensure_catalogue(settings.bootstrap_servers, settings.topic_prefix,
                                 settings.partitions, settings.replication_factor))
    log.info("starting worker bootstrap=%s zones=%d group=%s", settings.bootstrap_servers,
             len(zones), settings.group_id)
    app = create_app(settings, LiveZones(zones), identifier, Metrics(), extra)
    worker = faust.Worker(app, loglevel=settings.log_level.lower(), quiet=True)
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    return 0
