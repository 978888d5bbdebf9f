"""Strict parsers for the scalar fields that several text formats share.

Each parser takes the field's name for the error and raises a ``DecodeError`` subclass
with the evidence. No regular expressions: every check is a bounded scan of a short string.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from functools import lru_cache

from pipeline.decode.errors import BadFieldError, OutOfRangeError

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_OCTAL_DIGITS = frozenset("01234567")
_DECIMAL_DIGITS = frozenset("0123456789")
_CALLSIGN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz- ")

MAX_CALLSIGN_LEN = 8
"""ICAO Annex 10 aircraft identification: at most 8 characters (letters, digits, space;
real feeds also write ``-``). Inner spaces occur in real data (``WLD 62``, ``FLW ME 1``)."""


def parse_icao24(text: str, field: str = "hex_ident") -> str:
    """A 24-bit ICAO address as 6 hex digits; returns it lower-case."""
    if len(text) != 6 or not _HEX_DIGITS.issuperset(text):
        raise BadFieldError("not a 24-bit ICAO address", field=field, actual=text,
                            expected="6 hex digits")
    return text.lower()


def parse_float(text: str, field: str, low: float, high: float) -> float:
    """A finite float within [low, high]."""
    try:
        value = float(text)
    except ValueError:
        raise BadFieldError("not a number", field=field, actual=text) from None
    if not math.isfinite(value):
        raise OutOfRangeError("not finite", field=field, actual=text,
                              expected=f"[{low}, {high}]")
    if not low <= value <= high:
        raise OutOfRangeError("outside its range", field=field, actual=text,
                              expected=f"[{low}, {high}]")
    return value


def parse_int(text: str, field: str, low: int, high: int) -> int:
    """An integer within [low, high]; a float text with an integral value is accepted."""
    if len(text) > 24:
        raise BadFieldError("too long for a number", field=field, actual=text)
    value = parse_float(text, field, float(low), float(high))
    if value != int(value):
        raise BadFieldError("not an integer", field=field, actual=text)
    return int(value)


def is_octal(text: str) -> bool:
    """True when every character is an octal digit (and there is at least one)."""
    return bool(text) and _OCTAL_DIGITS.issuperset(text)


def parse_squawk(text: str, field: str = "squawk") -> str:
    """A Mode A code: 4 octal digits, returned as text (leading zeros matter)."""
    if len(text) != 4 or not _OCTAL_DIGITS.issuperset(text):
        raise BadFieldError("not a Mode A code", field=field, actual=text,
                            expected="4 octal digits")
    return text


def parse_callsign(text: str, field: str = "callsign") -> str | None:
    """An aircraft identification (outer blanks stripped); None when blank."""
    value = text.strip()
    if not value:
        return None
    if len(value) > MAX_CALLSIGN_LEN or not _CALLSIGN_CHARS.issuperset(value):
        raise BadFieldError("not an aircraft identification", field=field, actual=text,
                            expected=f"1-{MAX_CALLSIGN_LEN} letters, digits or inner spaces")
    return value.upper()


def parse_date_time_ms(date_text: str, time_text: str, field: str) -> int:
    """``YYYY/MM/DD`` (or ``-``) and ``HH:MM:SS[.fff]`` in UTC to epoch milliseconds."""
    if len(date_text) != 10 or date_text[4] not in "/-" or date_text[7] != date_text[4]:
        raise BadFieldError("not a date", field=field, actual=date_text,
                            expected="YYYY/MM/DD")
    if len(time_text) < 8 or len(time_text) > 15 or time_text[2] != ":" or time_text[5] != ":":
        raise BadFieldError("not a time", field=field, actual=time_text,
                            expected="HH:MM:SS.fff")
    fraction = time_text[9:] if len(time_text) > 8 else ""
    digits = (date_text[0:4] + date_text[5:7] + date_text[8:10] + time_text[0:2]
              + time_text[3:5] + time_text[6:8] + fraction)
    if not _DECIMAL_DIGITS.issuperset(digits) or (
            len(time_text) > 8 and (time_text[8] != "." or len(time_text) == 9)):
        raise BadFieldError("not a date/time", field=field,
                            actual=f"{date_text} {time_text}")
    hour, minute, second = int(time_text[0:2]), int(time_text[3:5]), int(time_text[6:8])
    if hour > 23 or minute > 59 or second > 59:
        raise OutOfRangeError("impossible date/time: not a time of day", field=field,
                              actual=f"{date_text} {time_text}")
    try:
        day_ms = _day_start_ms(date_text[0:4] + date_text[5:7] + date_text[8:10])
    except ValueError as exc:
        raise OutOfRangeError(f"impossible date/time: {exc}", field=field,
                              actual=f"{date_text} {time_text}") from None
    return day_ms + ((hour * 60 + minute) * 60 + second) * 1000 + int((fraction + "000")[:3])


@lru_cache(maxsize=4096)
def _day_start_ms(yyyymmdd: str) -> int:
    """Epoch milliseconds of 00:00 UTC of a date (eight digits); a feed's records share
    a handful of dates, so each is checked by ``datetime`` once.

    Raises:
        ValueError: no such date.
    """
    moment = datetime(int(yyyymmdd[0:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]), tzinfo=UTC)
    return int(moment.timestamp()) * 1000


def parse_rfc3339_ms(text: str, field: str) -> int:
    """``YYYY-MM-DDTHH:MM:SS.fffZ`` (exactly: UTC, milliseconds) to epoch milliseconds."""
    if len(text) != 24 or text[10] != "T" or text[19] != "." or text[23] != "Z":
        raise BadFieldError("not an RFC 3339 UTC time with milliseconds", field=field,
                            actual=text, expected="YYYY-MM-DDTHH:MM:SS.fffZ")
    millis = text[20:23]
    if text[4] != "-" or not _DECIMAL_DIGITS.issuperset(millis):
        raise BadFieldError("not an RFC 3339 UTC time with milliseconds", field=field,
                            actual=text, expected="YYYY-MM-DDTHH:MM:SS.fffZ")
    return _second_ms(text[:19], field) + int(millis)


@lru_cache(maxsize=8192)
def _second_ms(text: str, field: str) -> int:
    """``YYYY-MM-DDTHH:MM:SS`` to epoch milliseconds: the reports of many tracks share their
    second, so each second is checked and converted once (a refused one is not kept)."""
    return parse_date_time_ms(text[:10], text[11:19], field)


def parse_flag(text: str, field: str) -> bool | None:
    """BaseStation flag: ``-1`` or ``1`` true, ``0`` false, empty unknown."""
    if text == "":
        return None
    if text in ("-1", "1"):
        return True
    if text == "0":
        return False
    raise BadFieldError("not a flag", field=field, actual=text, expected="-1, 0 or empty")
