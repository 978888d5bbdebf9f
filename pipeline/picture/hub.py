"""Fans the picture out to the connected pages.

Every page gets the full snapshot when it connects, then one delta per tick (the service
ticks a few times a second, so the browser's work is bounded however fast the topics
run). A page that falls ``QUEUE_DELTAS`` deltas behind is disconnected; its EventSource
reconnects by itself and starts again from a fresh snapshot, so a slow page never holds
memory on the server or misses an update silently.

Like ``transport/`` for Kafka, the picture is an edge (HTTP): it encodes its own payloads
(orjson) here, once per tick for every page.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import orjson

from pipeline.picture.frame import LonFrame
from pipeline.picture.health import Health, HealthStatus
from pipeline.picture.state import PictureState

log = logging.getLogger(__name__)

QUEUE_DELTAS = 64
"""Deltas a page may be behind: about 15 s at the default tick."""


class Subscription:
    """One connected page: a queue of encoded deltas; ``None`` means the stream ends."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=QUEUE_DELTAS + 1)

    async def next(self) -> bytes | None:
        return await self.queue.get()

    def offer(self, data: bytes) -> bool:
        """Queue a delta; False (and the stream is ended) when the page is too far behind."""
        if self.queue.qsize() >= QUEUE_DELTAS:
            self.end()
            return False
        self.queue.put_nowait(data)
        return True

    def end(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)


class PictureHub:
    """The picture's state, its static parts (frame, zones), its health, its subscribers."""

    def __init__(self, state: PictureState, zones: list[dict[str, object]],
                 clock: Callable[[], int], title: str = "adizwatch") -> None:
        self.state = state
        self.zones = zones
        self.clock = clock
        self.title = title
        self.health = Health(HealthStatus.STARTING, "starting")
        self._subscribers: set[Subscription] = set()

    @property
    def frame(self) -> LonFrame:
        return self.state.frame

    def snapshot(self) -> dict[str, object]:
        """Everything a page needs to draw the current picture."""
        now_ms = self.clock()
        return {
            "title": self.title,
            "frame": {"west": self.frame.west_deg, "east": self.frame.east_deg},
            "zones": self.zones,
            **self.state.snapshot(now_ms),
            "health": self.health.as_json(),
            "now_ms": now_ms,
        }

    def snapshot_bytes(self) -> bytes:
        return orjson.dumps(self.snapshot())

    def subscribe(self) -> Subscription:
        subscription = Subscription()
        self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscribers.discard(subscription)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def tick(self) -> None:
        """Send the changes since the previous tick to every page."""
        now_ms = self.clock()
        delta = self.state.take_delta(now_ms)
        delta["health"] = self.health.as_json()
        delta["now_ms"] = now_ms
        data = orjson.dumps(delta)
        for subscription in list(self._subscribers):
            if not subscription.offer(data):
                self._subscribers.discard(subscription)
                log.info("page too far behind, disconnected (it reconnects with a snapshot)")

    def close(self) -> None:
        """End every page's stream (server shutdown)."""
        for subscription in self._subscribers:
            subscription.end()
        self._subscribers.clear()
