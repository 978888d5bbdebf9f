"""What a decoder makes of one record that may hold many messages.

A readsb ``aircraft.json`` document or an OpenSky ``/states/all`` response holds hundreds of
aircraft, and an AIS record may hold several NMEA sentences. Each such *part* is accepted or
rejected on its own: one bad aircraft does not cost the picture the other hundred. A decoder
raises a :class:`~pipeline.decode.errors.DecodeError` only when the record as a whole is
unusable (not UTF-8, too large, not the format at all); otherwise it returns a
:class:`Decoded` that lists the accepted updates and the rejected parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.decode.errors import DecodeError
from pipeline.model.track import TrackUpdate


@dataclass(frozen=True, slots=True)
class Rejected:
    """One rejected part of a record.

    Attributes:
        reason: the stable reason code (see ``decode/errors.py``).
        detail: what was wrong, for a human.
        part: where in the record (``aircraft[12]``, ``states[7]``, ``sentence 3``).
        payload: the part's own bytes, untouched, when it has them (an NMEA sentence with
            its tag block); None for a JSON element, which the transport re-encodes from
            ``element``.
        element: the parsed JSON element, when the part has no bytes of its own.
    """

    reason: str
    detail: str
    part: str
    payload: bytes | None = None
    element: object = None

    @classmethod
    def of(cls, error: DecodeError, part: str, payload: bytes | None = None,
           element: object = None) -> Rejected:
        return cls(error.reason, error.detail, part, payload, element)


@dataclass(slots=True)
class Decoded:
    """The outcome of one record.

    Attributes:
        updates: the track updates, in record order.
        rejected: the parts that were rejected.
        accepted: how many parts were accepted, including valid parts without track data
            (an AIS base-station report, a readsb aircraft without anything we keep) and
            AIS fragments buffered until their message is complete.
        messages: how many complete messages (AIS messages, aircraft states) were decoded.
    """

    updates: list[TrackUpdate] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    accepted: int = 0
    messages: int = 0
