"""MIL-STD-2525C symbol identification codes (SIDC) for tracks on the picture.

A 2525C SIDC is 15 characters (MIL-STD-2525C, Appendix A, table A-I):

====  ==================  ==========================================================
pos   field               values used here
====  ==================  ==========================================================
1     coding scheme       ``S`` warfighting
2     standard identity   ``P`` pending, ``U`` unknown, ``A`` assumed friend, ``F``
                          friend, ``N`` neutral, ``S`` suspect, ``H`` hostile
3     battle dimension    ``A`` air, ``S`` sea surface
4     status              ``P`` present
5-10  function ID         air: ``MF`` military fixed wing, ``MFB`` bomber, ``MFF``
                          fighter, ``MFK`` tanker, ``MFW`` airborne early warning,
                          ``MFP`` patrol, ``MFR`` reconnaissance, ``CF`` civil fixed
                          wing; sea surface: ``C`` combatant, ``X`` non-military;
                          ``------`` when nothing is known
11-15 modifiers           ``-----`` (none)
====  ==================  ==========================================================

The browser draws the code with milsymbol. The standard identity and the kind come from
the pipeline; the function ID from the ``military`` flag and the Doc 8643 type designator
of the latest identification event (``ROLE_BY_TYPE`` below, for the types in
``pipeline/data/refdata/aircraft_types.csv``). Nothing is guessed: an aircraft of unknown
military status gets the bare frame.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from pipeline.model.events import StandardIdentity
from pipeline.model.track import TrackKind

AFFILIATION: Final = MappingProxyType({
    StandardIdentity.PENDING: "P",
    StandardIdentity.UNKNOWN: "U",
    StandardIdentity.ASSUMED_FRIEND: "A",
    StandardIdentity.FRIEND: "F",
    StandardIdentity.NEUTRAL: "N",
    StandardIdentity.SUSPECT: "S",
    StandardIdentity.HOSTILE: "H",
})

ROLE_BY_TYPE: Final = MappingProxyType({
    # Doc 8643 designator -> 2525C air function ID (military fixed wing family)
    "TU95": "MFB", "TU16": "MFB", "T160": "MFB",
    "SU27": "MFF", "F16": "MFF", "F35": "MFF", "F18H": "MFF", "F18S": "MFF", "F15": "MFF",
    "F22": "MFF", "MG31": "MFF",
    "K35R": "MFK", "K35E": "MFK",
    "E3TF": "MFW", "E3CF": "MFW", "A50": "MFW", "E737": "MFW",
    "P8": "MFP", "IL38": "MFP",
    "R135": "MFR",
})

_BLANK_FUNCTION: Final = "------"


def _function_id(kind: TrackKind, military: bool | None, aircraft_type: str | None) -> str:
    if kind is TrackKind.VESSEL:
        code = {True: "C", False: "X", None: ""}[military]
    elif military is True:
        code = ROLE_BY_TYPE.get((aircraft_type or "").strip().upper(), "MF")
    elif military is False:
        code = "CF"
    else:
        code = ""
    return (code + _BLANK_FUNCTION)[:6]


def sidc(identity: StandardIdentity, kind: TrackKind, military: bool | None = None,
         aircraft_type: str | None = None) -> str:
    """The 15-character 2525C SIDC of a present track.

    >>> sidc(StandardIdentity.SUSPECT, TrackKind.AIRCRAFT, True, "TU95")
    'SSAPMFB--------'
    """
    dimension = "S" if kind is TrackKind.VESSEL else "A"
    return (f"S{AFFILIATION[identity]}{dimension}P"
            f"{_function_id(kind, military, aircraft_type)}-----")
