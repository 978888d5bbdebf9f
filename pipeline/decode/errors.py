"""Decoder errors: one root, a stable reason code on each, and the evidence kept.

::

    DecodeError(ValueError)          reason
    ├── NotUtf8Error                 not_utf8
    ├── TooLargeError                too_large
    ├── TruncatedError               truncated
    ├── BadFieldError                bad_field
    ├── OutOfRangeError              out_of_range
    ├── UnknownFormatError           unknown_format
    └── BadKeyError                  bad_key

The reason codes are part of the dead-letter contract (``schemas/adizwatch.deadletter``):
consumers count and route on them, so they never change meaning.
"""

from __future__ import annotations


class DecodeError(ValueError):
    """An input record that cannot be accepted.

    Attributes:
        reason: stable machine-readable code.
        field: the field at fault, when there is one.
        actual: the offending value (as text, shortened).
        expected: what the field should have been.
    """

    reason = "decode_error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        actual: str | None = None,
        expected: str | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.actual = None if actual is None else actual[:80]
        self.expected = expected

    @property
    def detail(self) -> str:
        """Human-readable detail for the dead letter."""
        parts = [str(self)]
        if self.field is not None:
            parts.append(f"field={self.field}")
        if self.actual is not None:
            parts.append(f"actual={self.actual!r}")
        if self.expected is not None:
            parts.append(f"expected={self.expected}")
        return "; ".join(parts)


class NotUtf8Error(DecodeError):
    reason = "not_utf8"


class TooLargeError(DecodeError):
    reason = "too_large"


class TruncatedError(DecodeError):
    reason = "truncated"


class BadFieldError(DecodeError):
    reason = "bad_field"


class OutOfRangeError(DecodeError):
    reason = "out_of_range"


class UnknownFormatError(DecodeError):
    reason = "unknown_format"


class BadKeyError(DecodeError):
    """A record on a track-keyed topic whose key is not its track id."""

    reason = "bad_key"
