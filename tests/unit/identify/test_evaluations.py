"""The kept identity evaluations: valid only for the context they were made in."""

from __future__ import annotations

import pytest

from pipeline.identify import evaluations
from pipeline.identify.evaluations import Evaluations
from pipeline.identify.rules import RuleTable, load_rule_table
from pipeline.identify.watchlist import Watchlist, load_csv

ROW = ("$ICAO,$Registration,$Operator,$Type,$ICAO Type,#CMPG,$Tag 1,$Tag 2,$Tag 3,Category,"
       "$#Link\nA12345,,Someone,,,Civ,,,,Hostile,\n")


def _kept() -> tuple[Evaluations[str], RuleTable, Watchlist, object]:
    memo: Evaluations[str] = Evaluations()
    rules, watch, zones = load_rule_table(), Watchlist(), object()
    assert memo.get(("k",), rules, watch, zones) is None
    memo.put(("k",), "answer")
    assert memo.get(("k",), rules, watch, zones) == "answer"
    return memo, rules, watch, zones


def test_an_answer_is_kept_under_the_same_context() -> None:
    memo, rules, watch, zones = _kept()
    assert memo.get(("other",), rules, watch, zones) is None
    assert len(memo) == 1


def test_a_watchlist_change_forgets_every_answer() -> None:
    memo, rules, watch, zones = _kept()
    watch.put(load_csv(ROW, "live").entries[0])
    assert memo.get(("k",), rules, watch, zones) is None
    assert len(memo) == 0
    memo.put(("k",), "again")
    watch.delete("icao24:a12345")
    assert memo.get(("k",), rules, watch, zones) is None


def test_another_zone_set_rule_table_or_watchlist_forgets_every_answer() -> None:
    memo, rules, watch, zones = _kept()
    assert memo.get(("k",), rules, watch, object()) is None
    memo, rules, watch, zones = _kept()
    assert memo.get(("k",), load_rule_table(), watch, zones) is None
    memo, rules, watch, zones = _kept()
    assert memo.get(("k",), rules, Watchlist(), zones) is None


def test_the_kept_answers_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evaluations, "KEPT", 3)
    memo, rules, watch, zones = _kept()
    for n in range(3):
        memo.put((n,), str(n))
    assert len(memo) == 1  # full at the fourth: emptied, then kept
    assert memo.get((2,), rules, watch, zones) == "2"
