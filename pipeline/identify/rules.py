"""The standard-identity rule table: data, evaluated in order, first match decides.

A rule table is a TOML document (schema: ``schemas/identity-rules.schema.json``; the default
is ``pipeline/data/identity_rules.toml``)::

    [categories]                 # watch-list Category -> disposition
    "NORAD" = "friendly"

    [[rules]]
    name = "hostile-list"
    identity = "hostile"
    reason = "on the operator's hostile list"
    when = { watchlist = "hostile" }

``when`` names facts (see :class:`Facts`) and the value each must have: a scalar must be
equal, a list must contain the fact's value, and ``null`` matches an unknown fact. A rule
without ``when`` always matches. Every decision carries the evidence and the rule's reason.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from pipeline.model.events import StandardIdentity

DISPOSITIONS = ("friendly", "suspect", "hostile")
MEMO_SIZE = 50_000
"""Decisions remembered per table (a few hundred bytes each)."""


class RuleTableError(ValueError):
    """A rule table that cannot be used; the message says where."""


@dataclass(frozen=True, slots=True)
class Facts:
    """What is known about a track when its identity is evaluated."""

    kind: str                      # aircraft | vessel
    in_adiz: bool                  # inside at least one zone of kind adiz
    country: str | None
    allied: bool | None            # country in the own/allied set; None when no country
    military: bool | None
    military_allied: bool | None   # the military verdict's state is allied
    type_military: bool | None     # ICAO Doc 8643 type is a military type
    watchlist: str | None          # disposition of the watch-list entry's category
    correlated: bool | None        # flight plan correlated at ADIZ entry; None: not evaluated
    emergency: bool                # squawking 7500, 7600 or 7700
    squawk: str | None
    anomaly: bool                  # any of the anomalies below
    anomalies: tuple[str, ...] = ()


_FACT_NAMES = frozenset(f.name for f in fields(Facts)) - {"anomalies"}


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    identity: StandardIdentity
    reason: str
    when: Mapping[str, object]

    def matches(self, facts: Facts) -> bool:
        for name, expected in self.when.items():
            actual = getattr(facts, name)
            if isinstance(expected, list):
                if actual not in expected:
                    return False
            elif actual != expected:
                return False
        return True


@dataclass(frozen=True, slots=True)
class Decision:
    identity: StandardIdentity
    rule: str
    reasons: tuple[str, ...]
    escalated_from: StandardIdentity | None = None
    """The identity the table gives without the anomalies, when they changed it."""


@dataclass(frozen=True, slots=True)
class RuleTable:
    rules: tuple[Rule, ...]
    categories: Mapping[str, str]
    source: str
    _memo: dict[tuple[Facts, tuple[str, ...]], Decision] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def disposition(self, category: str | None) -> str | None:
        """How a watch-list category counts; None when the table does not say."""
        return None if category is None else self.categories.get(category)

    def decide(self, facts: Facts, evidence: Sequence[str] = ()) -> Decision:
        """The first matching rule's identity, with the evidence and the rules' reasons.

        When anomalies decide, the identity the table gives without them is named too
        (e.g. unknown, escalated to suspect), so the chain of the decision is visible.

        A decision depends on nothing but the table and its arguments, and a track inside a
        zone is re-evaluated at every report with the same facts: decisions are remembered
        (a bounded memo, emptied when full).
        """
        key = (facts, tuple(evidence))
        known = self._memo.get(key)
        if known is None:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            known = self._memo[key] = self._decide(facts, key[1])
        return known

    def _decide(self, facts: Facts, evidence: Sequence[str]) -> Decision:
        decision = self._first(facts)
        if decision is None:
            return Decision(StandardIdentity.PENDING, "none",
                            (*evidence, "no rule matched: identity stays pending"))
        rule, reasons = decision, [*evidence, *facts.anomalies]
        base = self._first(replace(facts, anomaly=False)) if facts.anomaly else None
        if base is not None and base.identity != rule.identity:
            reasons.append(f"{base.name}: {base.reason} -> {base.identity}")
        reasons.append(f"{rule.name}: {rule.reason} -> {rule.identity}")
        return Decision(rule.identity, rule.name, tuple(reasons),
                        base.identity if base is not None and base.identity != rule.identity
                        else None)

    def _first(self, facts: Facts) -> Rule | None:
        return next((rule for rule in self.rules if rule.matches(facts)), None)


def _rule(index: int, data: object) -> Rule:
    where = f"rules[{index}]"
    if not isinstance(data, dict):
        raise RuleTableError(f"{where}: not a table")
    name, identity, reason = data.get("name"), data.get("identity"), data.get("reason")
    if not isinstance(name, str) or not name:
        raise RuleTableError(f"{where}: name missing")
    if not isinstance(reason, str) or not reason:
        raise RuleTableError(f"{where} ({name}): reason missing")
    try:
        standard = StandardIdentity(str(identity))
    except ValueError:
        raise RuleTableError(f"{where} ({name}): unknown identity {identity!r}") from None
    when = data.get("when", {})
    if not isinstance(when, dict):
        raise RuleTableError(f"{where} ({name}): when is not a table")
    unknown = set(when) - _FACT_NAMES
    if unknown:
        raise RuleTableError(f"{where} ({name}): unknown facts {sorted(unknown)}")
    extra = set(data) - {"name", "identity", "reason", "when"}
    if extra:
        raise RuleTableError(f"{where} ({name}): unknown keys {sorted(extra)}")
    return Rule(name, standard, reason, dict(when))


def parse_rule_table(text: str, source: str) -> RuleTable:
    """Parse and check a rule table.

    Raises:
        RuleTableError: not TOML, or a rule or category that cannot be used.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleTableError(f"{source}: not TOML: {exc}") from None
    if data.get("version") != 1:
        raise RuleTableError(f"{source}: version must be 1")
    categories = data.get("categories", {})
    if not isinstance(categories, dict) or not all(
            isinstance(v, str) and v in DISPOSITIONS for v in categories.values()):
        raise RuleTableError(f"{source}: categories must map to one of {DISPOSITIONS}")
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleTableError(f"{source}: no rules")
    try:
        rules = tuple(_rule(i, r) for i, r in enumerate(raw_rules))
    except RuleTableError as exc:
        raise RuleTableError(f"{source}: {exc}") from None
    return RuleTable(rules, dict(categories), source)


def default_rules_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "identity_rules.toml"


def load_rule_table(path: Path | None = None) -> RuleTable:
    path = path or default_rules_path()
    return parse_rule_table(path.read_text(encoding="utf-8"), str(path))
