"""A faust worker with a changelog-backed counter table, for the Tansu compat tests.

Run as its own process, so SIGTERM and a restart behave as in production::

    python tests/integration/_tansu_counter_app.py --broker 127.0.0.1:PORT \\
        --app-id ID --source TOPIC --sink TOPIC --partitions 4 --datadir DIR

For every record on ``--source`` the agent increments ``counts[key]`` (a memory
store table, so a restarted worker rebuilds it from the changelog) and sends the new
value as ASCII digits to ``--sink`` under the same key. A counter that continues
exactly across restarts therefore proves the table recovery read the whole changelog.

``apply_tansu_workarounds()`` runs in this process before the app exists: patches are
per process, and the worker is the one recovering the table. ``--without-workarounds``
skips them, to show by hand what they fix (recovery then loses updates).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import faust

from pipeline.transport.tansu_compat import apply_tansu_workarounds, embedded_faust_settings


def create_counter_app(
    *, broker: str, app_id: str, source: str, sink: str, partitions: int, datadir: Path
) -> faust.App:
    """Build the counter app: one agent, one table, raw bytes in and out."""
    app = faust.App(
        app_id,
        broker=f"kafka://{broker}",
        store="memory://",
        datadir=str(datadir),
        web_enabled=False,
        topic_partitions=partitions,
        consumer_auto_offset_reset="earliest",
        **embedded_faust_settings(),
    )
    source_topic = app.topic(
        source, partitions=partitions, key_serializer="raw", value_serializer="raw"
    )
    sink_topic = app.topic(
        sink, partitions=partitions, key_serializer="raw", value_serializer="raw"
    )
    counts = app.Table("counts", default=int, partitions=partitions)

    async def count(stream: Any) -> None:
        async for event in stream.events():
            key = event.key.decode()
            counts[key] += 1
            await sink_topic.send(key=event.key, value=str(counts[key]).encode())

    app.agent(source_topic, name="count")(count)
    return app


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, patch aiokafka for Tansu, and run the worker until signalled."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--broker", required=True, help="host:port of the embedded broker")
    parser.add_argument("--app-id", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--sink", required=True)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--datadir", type=Path, required=True)
    parser.add_argument("--loglevel", default="info")
    parser.add_argument("--without-workarounds", action="store_true")
    args = parser.parse_args(argv)

    if not args.without_workarounds:
        apply_tansu_workarounds()
    app = create_counter_app(
        broker=args.broker,
        app_id=args.app_id,
        source=args.source,
        sink=args.sink,
        partitions=args.partitions,
        datadir=args.datadir,
    )
    worker = faust.Worker(app, loglevel=args.loglevel, logfile=None)
    worker.execute_from_commandline()  # returns only by SystemExit
    return 0  # pragma: no cover


if __name__ == "__main__":
    raise SystemExit(main())
