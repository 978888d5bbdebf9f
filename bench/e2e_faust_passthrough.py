"""Baseline: a bare faust pass-through agent, topic A -> topic B, raw bytes.

Run as a subprocess by ``bench_pipeline.py``: ``python bench/e2e_faust_passthrough.py
BOOTSTRAP SOURCE SINK APP_ID DATADIR``. The app is set up as the pipeline's worker sets up
its own on the embedded broker (Tansu workarounds applied in this process, the embedded
group timings, raw serializers, memory store, no web server); the agent forwards each event's
key and value unchanged and does nothing else.
"""

from __future__ import annotations

import sys
from typing import Any

import faust

from pipeline.transport.tansu_compat import apply_tansu_workarounds, embedded_faust_settings


def main(argv: list[str]) -> int:
    bootstrap, source, sink, app_id, datadir = argv
    apply_tansu_workarounds()
    app = faust.App(app_id, broker=f"kafka://{bootstrap}", store="memory://",
                    consumer_auto_offset_reset="earliest", key_serializer="raw",
                    value_serializer="raw", web_enabled=False, datadir=datadir,
                    **embedded_faust_settings())
    source_topic = app.topic(source, key_type=bytes, value_type=bytes)
    sink_topic = app.topic(sink, key_type=bytes, value_type=bytes)

    async def forward(stream: Any) -> None:
        async for event in stream.events():
            await sink_topic.send(key=event.key, value=event.value)

    app.agent(source_topic, name="bench.passthrough")(forward)
    worker = faust.Worker(app, loglevel="warning", quiet=True)
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
