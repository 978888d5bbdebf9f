"""Baseline: the project's own track runtime with pass-through stages.

Run as a subprocess by ``bench_pipeline.py`` with the pipeline phase's environment
(``ADIZWATCH_BOOTSTRAP_SERVERS``, ``ADIZWATCH_TOPIC_PREFIX``, ``ADIZWATCH_GROUP_ID``, ...):
``python bench/e2e_runtime_passthrough.py``. It starts :class:`TrackRuntime` exactly as a
worker does (the same clients, group timings, co-partitioned assignment, batch sends,
landings, commits and metrics), but every ``tracks.canonical`` record's value goes to
``tracks.points`` unchanged instead of through decode, merge, geofence and identify. Runs
until SIGTERM.

The pipeline phase minus this one is the cost of the stages; this one alone is the most
any stage code could reach in this runtime on this machine.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any

from pipeline.app import default_runtime_config
from pipeline.geofence.timers import LostAfter
from pipeline.geofence.zones import ZoneSet
from pipeline.identify.enrich import DEFAULT_ALLIED_COUNTRIES, IdentifyContext
from pipeline.identify.rules import load_rule_table
from pipeline.metrics import Metrics
from pipeline.settings import Settings
from pipeline.transport.admin import ensure_catalogue, ensure_changelogs
from pipeline.transport.handlers import Handled, Output, RecordMeta
from pipeline.transport.runtime import TrackRuntime
from pipeline.transport.tansu_compat import apply_tansu_workarounds, embedded_consumer_settings
from pipeline.transport.topics import TRACK_POINTS, TRACK_UPDATES, TRACKS_CANONICAL, TopicSpec
from pipeline.transport.track_path import Direct, Processed, Stores, TrackPath


class PassThroughPath(TrackPath):
    """Canonical records straight to ``tracks.points``: no stage runs."""

    def process(self, spec: TopicSpec, key: bytes | None, raw: bytes, meta: RecordMeta,
                stores: Stores, now_ms: int, direct: Direct | None = None) -> Processed:
        if spec is TRACK_UPDATES:  # the runtime's own marks (docs/time.md): nothing to do
            return Processed("track", Handled(outcome="mark"))
        if spec is not TRACKS_CANONICAL:
            raise ValueError(f"the pass-through baseline reads only {TRACKS_CANONICAL.name}")
        return Processed("decode.canonical",
                         Handled([Output(TRACK_POINTS, key, raw)], outcome="accepted"))


async def run(settings: Settings) -> None:
    await ensure_catalogue(settings)
    await ensure_changelogs(settings)
    ctx = IdentifyContext.load(load_rule_table(), DEFAULT_ALLIED_COUNTRIES)
    zones = ZoneSet([])
    path = PassThroughPath(lambda: zones, ctx, settings.max_gap_s * 1000, LostAfter())
    runtime = TrackRuntime(default_runtime_config(settings, embedded_consumer_settings()),
                           path, Metrics())
    task: asyncio.Task[Any] = asyncio.ensure_future(runtime.run())
    asyncio.get_running_loop().add_signal_handler(
        signal.SIGTERM, lambda: asyncio.ensure_future(runtime.stop()))
    await task


def main() -> int:
    apply_tansu_workarounds()
    asyncio.run(run(Settings.from_env(os.environ)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
