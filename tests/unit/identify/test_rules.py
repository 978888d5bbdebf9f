"""The default rule table: one test per identity, and the table's own checks."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.identify.rules import Facts, RuleTableError, load_rule_table, parse_rule_table
from pipeline.model.events import StandardIdentity as SI

BASE = Facts(kind="aircraft", in_adiz=True, country="RU", allied=False, military=None,
             military_allied=None, type_military=None, watchlist=None, correlated=False,
             emergency=False, squawk=None, anomaly=False)


def _decide(**changes: object) -> SI:
    return load_rule_table().decide(dataclasses.replace(BASE, **changes)).identity  # type: ignore[arg-type]


def test_uncorrelated_entry_is_unknown() -> None:
    assert _decide() is SI.UNKNOWN


def test_anomaly_makes_an_uncorrelated_track_suspect() -> None:
    assert _decide(anomaly=True, anomalies=("foreign military type TU95",)) is SI.SUSPECT


def test_correlated_civil_is_assumed_friend_or_neutral() -> None:
    assert _decide(correlated=True, country="US", allied=True) is SI.ASSUMED_FRIEND
    assert _decide(correlated=True, country="KR", allied=False) is SI.NEUTRAL
    # An anomaly does not override a correlation (policy: "unknown plus anomaly").
    assert _decide(correlated=True, allied=False, anomaly=True) is SI.NEUTRAL


def test_friendly_military_on_watchlist_is_friend() -> None:
    assert _decide(watchlist="friendly", military=True, country="US", allied=True,
                   military_allied=True) is SI.FRIEND


def test_allied_military_address_without_watchlist_is_assumed_friend() -> None:
    assert _decide(military=True, military_allied=True, country="US", allied=True) is \
        SI.ASSUMED_FRIEND


def test_hostile_only_from_an_explicit_list() -> None:
    assert _decide(watchlist="hostile") is SI.HOSTILE
    # No combination of inferred facts reaches hostile.
    assert _decide(anomaly=True, military=True, military_allied=False, type_military=True,
                   emergency=True, squawk="7500") is SI.SUSPECT


def test_decision_carries_evidence_anomalies_and_rule() -> None:
    decision = load_rule_table().decide(
        dataclasses.replace(BASE, anomaly=True, anomalies=("squawk 7500",)), ["country RU"])
    assert (decision.rule, decision.escalated_from) == ("anomaly", SI.UNKNOWN)
    assert decision.reasons == (
        "country RU", "squawk 7500", "uncorrelated: no flight plan correlated -> unknown",
        "anomaly: anomalous characteristics or behaviour -> suspect")


def test_no_matching_rule_leaves_pending() -> None:
    table = parse_rule_table('version = 1\n[[rules]]\nname = "x"\nidentity = "friend"\n'
                             'reason = "r"\nwhen = { watchlist = "friendly" }\n', "t")
    assert table.decide(BASE).identity is SI.PENDING


@pytest.mark.parametrize(("text", "message"), [
    ("not toml = = =", "not TOML"),
    ("version = 2\n[[rules]]\nname='a'\nidentity='unknown'\nreason='r'", "version must be 1"),
    ("version = 1", "no rules"),
    ("version = 1\n[[rules]]\nname='a'\nidentity='enemy'\nreason='r'", "unknown identity"),
    ("version = 1\n[[rules]]\nname='a'\nidentity='unknown'\nreason='r'\nwhen={colour='red'}",
     r"rules\[0\] \(a\): unknown facts \['colour'\]"),
    ("version = 1\n[categories]\nX='ally'\n[[rules]]\nname='a'\nidentity='unknown'\nreason='r'",
     "categories must map"),
])
def test_bad_tables_are_rejected_with_the_place(text: str, message: str) -> None:
    with pytest.raises(RuleTableError, match=message):
        parse_rule_table(text, "t.toml")
