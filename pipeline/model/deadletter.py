"""A rejected input, kept whole so it can be inspected and replayed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """An input record a stage could not accept.

    ``raw`` is the untouched payload; the codec writes it as text, or base64 with a flag
    when it is not UTF-8.
    """

    reason: str
    detail: str
    stage: str
    topic: str
    partition: int | None
    offset: int | None
    received_ms: int
    raw: bytes
