"""Typed, bounded access to the fields of a parsed JSON object (``dict[str, object]``).

The transport parses JSON (orjson) and hands decoders plain Python values; these helpers
narrow one field at a time and raise a ``DecodeError`` subclass naming the field. JSON has
no NaN or infinity, but a number may still be absurd, and ``true`` is not a number even
though Python's bool is an int.
"""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.decode.errors import BadFieldError, MissingFieldError, OutOfRangeError

_MAX_TEXT = 64
"""Longest text field we keep; every text field of the formats we read is far shorter."""


def is_number(value: object) -> bool:
    # Exact types: orjson gives int, float and bool (which is not a number here).
    return type(value) is float or type(value) is int


def number(value: object, name: str, low: float, high: float) -> float:
    """A JSON number within [low, high], as a float."""
    if type(value) is float or type(value) is int:
        if low <= value <= high:
            return float(value)
        raise OutOfRangeError("outside its range", field=name, actual=repr(value)[:40],
                              expected=f"[{low}, {high}]")
    raise BadFieldError("not a number", field=name, actual=repr(value)[:40])


def integer(value: object, name: str, low: int, high: int) -> int:
    """A JSON integer (or a float with an integral value) within [low, high]."""
    if type(value) is int:
        if low <= value <= high:
            return value
        raise OutOfRangeError("outside its range", field=name, actual=repr(value)[:40],
                              expected=f"[{low}, {high}]")
    result = number(value, name, low, high)
    if result != int(result):
        raise BadFieldError("not an integer", field=name, actual=repr(value)[:40])
    return int(result)


def text(value: object, name: str, max_len: int = _MAX_TEXT) -> str:
    """A JSON string of at most ``max_len`` characters."""
    if type(value) is not str:
        raise BadFieldError("not a string", field=name, actual=repr(value)[:40])
    if len(value) > max_len:
        raise BadFieldError("too long", field=name, actual=value[:40],
                            expected=f"<= {max_len} characters")
    return value


def flag(value: object, name: str) -> bool:
    """A JSON boolean, or the integers 0 and 1 (readsb writes flags as numbers)."""
    if isinstance(value, bool):
        return value
    if value == 0 or value == 1:
        return bool(value)
    raise BadFieldError("not a flag", field=name, actual=repr(value)[:40], expected="0, 1, true "
                        "or false")


def required(obj: Mapping[str, object], name: str) -> object:
    """The value of a field that must be present and not null."""
    value = obj.get(name)
    if value is None:
        raise MissingFieldError("missing field", field=name)
    return value
