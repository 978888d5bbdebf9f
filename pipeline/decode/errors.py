"""Decoder errors: one root, a stable reason code on each, and the evidence kept.

::

    DecodeError(ValueError)          reason
    ├── NotUtf8Error                 not_utf8
    ├── TooLargeError                too_large
    ├── TruncatedError               truncated
    ├── BadChecksumError             bad_checksum
    ├── BadFieldError                bad_field
    │   └── MissingFieldError        missing_field
    ├── OutOfRangeError              out_of_range
    ├── UnknownFormatError           unknown_format
    └── BadKeyError                  bad_key

Two more reasons are not raised by a decoder but produced by the stages around them:
``orphan_fragment`` (:data:`ORPHAN_FRAGMENT`: a multi-sentence AIS message whose other
fragments never came) and ``internal_error`` (an unexpected exception, see
``transport/handlers.guarded``).

The reason codes are part of the dead-letter contract (``schemas/adizwatch.deadletter``):
consumers count and route on them, so they never change meaning.
"""

from __future__ import annotations

ORPHAN_FRAGMENT = "orphan_fragment"
INTERNAL_ERROR = "internal_error"


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


class BadChecksumError(DecodeError):
    """An NMEA sentence whose checksum does not match its content."""

    reason = "bad_checksum"


class BadFieldError(DecodeError):
    reason = "bad_field"


class MissingFieldError(BadFieldError):
    """A required field is absent (or null)."""

    reason = "missing_field"


class OutOfRangeError(DecodeError):
    reason = "out_of_range"


class UnknownFormatError(DecodeError):
    reason = "unknown_format"


class BadKeyError(DecodeError):
    """A record on a track-keyed topic whose key is not its track id."""

    reason = "bad_key"
