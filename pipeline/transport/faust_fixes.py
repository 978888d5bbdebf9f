"""A fix for a faust-streaming 0.15.3 start-up race that can lose or repeat input records.

At the end of table recovery, faust resumes the stream partitions and only then seeks them
to their committed offsets (``Recovery._resume_streams`` and
``Recovery.on_recovery_completed``). The consumer's fetcher is already running, so records
fetched between the resume and the seek are handed to the agents and the seek then moves
the position underneath them: seen here as two records skipped and one processed twice per
partition, in about one restart in three when input was waiting (see
``docs/broker-differences.md``). Nothing in it is specific to the broker, so the fix is
applied on every broker.

The fix keeps faust's own code and order of work, and only defers the partition resume it
asks for until the seek to the committed offsets has completed. It is applied once per
process, before the app is built, and checks the faust version it was written against.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import faust
from faust.tables.recovery import Recovery

log = logging.getLogger(__name__)

FAUST_VERSION = "0.15.3"
_PATCHED_METHODS = ("_resume_streams", "on_recovery_completed")
_lock = threading.Lock()
_applied = False


class FaustFixError(RuntimeError):
    """The installed faust is not the version this fix was written and tested against."""


def _seek_before_resume(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        consumer = self.app.consumer
        resume = consumer.resume_partitions
        seek = consumer.perform_seek
        deferred: list[Any] = []

        def defer_resume(partitions: Any) -> None:
            deferred.append(partitions)

        def release() -> None:
            while deferred:
                resume(deferred.pop(0))

        async def seek_then_resume() -> Any:
            try:
                return await seek()
            finally:
                release()

        consumer.resume_partitions = defer_resume
        consumer.perform_seek = seek_then_resume
        try:
            return await method(self, *args, **kwargs)
        finally:
            del consumer.resume_partitions
            del consumer.perform_seek
            release()  # a path of faust's that resumed without seeking still resumes

    return wrapper


def apply_faust_fixes() -> None:
    """Install the fix (idempotent).

    Raises:
        FaustFixError: faust is not version 0.15.3 or the patched methods are missing.
    """
    global _applied
    with _lock:
        if _applied:
            return
        version = getattr(faust, "__version__", "?")
        if version != FAUST_VERSION:
            raise FaustFixError(f"faust {version} installed; the start-up fix was written for "
                                f"{FAUST_VERSION}: check whether it is still needed")
        for name in _PATCHED_METHODS:
            if not hasattr(Recovery, name):
                raise FaustFixError(f"faust Recovery.{name} is missing")
            setattr(Recovery, name, _seek_before_resume(getattr(Recovery, name)))
        _applied = True
        log.info("faust start-up fix applied faust=%s", version)
