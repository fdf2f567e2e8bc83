"""The reference backend: the rulebook IR compiled to durable_rules rulesets.

Each IR rule becomes up to two engine rules:
  * `ID`        fires when the rule's condition is definitely true;
  * `ID|maybe`  fires when it is true *or unknown* (every atom relaxed to "holds, or its field
                is missing"), so `maybe − definite` is exactly the set of rules that could not be
                decided for lack of data.
Category rules assert a category fact when they fire; disposal rules join on those facts, so
derived categories chain into disposals inside the engine (forward chaining on a Rete network).

The C engine keeps per-fact and per-node tables of fixed or fragile size (state.h, rete.h,
rules.h of durable-rules 2.0.28): an alpha node feeds at most 256 beta nodes (error 108), and
a fact that takes part in many joins of one ruleset corrupts the heap ("free(): invalid size",
SIGSEGV; seen from about 140 engine rules joining one category). So a rulebook is spread over
several rulesets of at most `RULES_PER_RULESET` engine rules each, all on one Host: category
rules in their own rulesets, whose actions assert the category fact into every disposal
ruleset that joins on it (`Closure.assert_fact(ruleset, fact)`), so the chaining stays in the
engine. A parcel is one context (sid) in every ruleset, deleted when done, so memory stays flat
over a ledger. Each compiled rulebook lives on its own synchronous Host, so rulebooks never
collide by name.

Names the engine needs for itself contain `|`, which a rule id cannot (model.RULE_ID), so no
rule of a rulebook can clash with them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from typing import Any

import numpy as np
from durable import engine

from landrules.backends.base import Firing, MissingFacts, PatternKey, distinct
from landrules.backends.durable_json import expression, parcel_pattern, sequence_length, split_pattern
from landrules.core.interrupts import shielded
from landrules.core.values import encode_facts, engine_value
from landrules.rulebook.messages import CATALOGUE, say
from landrules.rulebook.model import Rule, Rulebook
from landrules.rulebook.problems import Problem, RulebookError

MAX_SEQUENCE = 31  # rete.h MAX_SEQUENCE_EXPRESSIONS 32, refused when reached
MAYBE = "|maybe"
SEEN = "|seen"  # the catch-all rule every parcel matches
RULES_PER_RULESET = 32
_PARCEL = "parcel"
_CATEGORY = "category"


def _ignore(c) -> None:
    return None


def engine_problems(rulebook: Rulebook) -> list[Problem]:
    """Rules the C engine cannot hold, as rulebook problems at the rule's `when` (FILE:LINE):
    a condition that spends more of a node's expression sequence than rete.h allows (error 113)
    even once a long top-level `all` is cut into parts (a rule that derives a category cannot
    be cut: its one engine rule asserts the category). Everything else is kept within the
    engine's tables by spreading rules over rulesets."""
    resolver = rulebook.resolver(dt.date.today())  # a date moves values, never the structure
    out = []
    for rule in rulebook.rules:
        for relaxed in (False, True) if rule.asks else (False,):
            expr = expression(rule.condition, resolver, relaxed=relaxed)
            parts = split_pattern(expr, _PARCEL, MAX_SEQUENCE)
            if parts is not None and (len(parts) == 1 or relaxed or not rule.category):
                continue
            size = sequence_length(parcel_pattern(expr, _PARCEL))
            hint = {f"hint_{lang}": CATALOGUE["engine_hint_ask"][lang] if relaxed else "" for lang in ("zh", "en")}
            out.append(Problem(rule.path, rule.key_lines.get("when", rule.line), (
                say("rule", id=rule.id) + ": " + say("engine_too_large", size=size, limit=MAX_SEQUENCE, **hint))))
            break
    return out


class _SyncHost(engine.Host):
    """A Host without the background dispatch timers: every action runs inside our own call."""

    def _run(self) -> None:  # noqa: D401 - overriding the timer start-up
        return None


class DurableBackend:
    name = "durable"

    def __init__(self, rulebook: Rulebook):
        self.rulebook = rulebook
        self._compiled: dict[dt.date, _Compiled] = {}

    def compiled(self, as_of: dt.date) -> _Compiled:
        compiled = self._compiled.get(as_of)
        if compiled is None:
            compiled = self._compiled[as_of] = _Compiled(self.rulebook, as_of)
        return compiled

    def pattern_keys(self, parsed: Any, positions: np.ndarray, as_of: dt.date,
                     missing: MissingFacts) -> tuple[list[PatternKey], np.ndarray]:
        """Fires the chunk's valid rows parcel by parcel; a row's key is the rules that fired
        and, for each undecided rule, the facts it lacks (`missing`)."""
        facts = [parsed.facts(int(i)) for i in positions]
        keys = []
        for row_facts, firing in zip(facts, self.fire(facts, as_of)):
            needs = missing(row_facts, firing, as_of)
            keys.append((firing.definite, tuple((r, tuple(m)) for r, m in needs.items() if m)))
        return distinct(keys)

    def fire(self, facts: Iterable[dict[str, Any]], as_of: dt.date) -> list[Firing]:
        compiled = self.compiled(as_of)
        return [compiled.fire(f) for f in facts]


class _Compiled:
    _serial = itertools.count()

    def __init__(self, rulebook: Rulebook, as_of: dt.date, per_ruleset: int = RULES_PER_RULESET):
        problems = engine_problems(rulebook)
        if problems:
            raise RulebookError(problems)
        resolver = rulebook.resolver(as_of)
        stem = f"landrules_{rulebook.hash[7:19]}_{as_of.isoformat()}_{next(self._serial)}"
        self._fired: list[str] = []
        self._touched: set[str] = set()
        self._firings: dict[tuple[str, ...], Firing] = {}
        # only the fields some rule looks at travel into the engine (not 100 000-character notes)
        self.fields_used = frozenset(name for rule in rulebook.rules for name in rule.fields_read)
        self._sids = itertools.count()
        # (engine rule name, rule, parcel pattern, definite?), category rules first; a rule cut
        # into parts (split_pattern) is `NAME|0`, `NAME|1`, … and fires when all of them fire
        engine_rules = []
        self._parts: dict[str, int] = {}
        # a rule not in force on the date (its window, Rule.window) is not compiled: it never fires
        for rule in sorted(rulebook.in_force_on(as_of), key=lambda r: r.category is None):
            definite = expression(rule.condition, resolver, relaxed=False)
            twins = [(rule.id, definite, True)]
            relaxed = expression(rule.condition, resolver, relaxed=True)
            if rule.asks and relaxed != definite:
                twins.append((rule.id + MAYBE, relaxed, False))
            for name, expr, is_definite in twins:
                patterns = split_pattern(expr, _PARCEL, MAX_SEQUENCE) or []
                if len(patterns) == 1:
                    engine_rules.append((name, rule, patterns[0], is_definite))
                    continue
                self._parts[name] = len(patterns)
                engine_rules += [(f"{name}|{k}", rule, p, is_definite) for k, p in enumerate(patterns)]
        groups: list[list] = []
        for is_category in (True, False):
            own = [e for e in engine_rules if (e[1].category is not None) == is_category]
            groups += [own[i:i + per_ruleset] for i in range(0, len(own), per_ruleset)]
        self.names = [f"{stem}_{k}" for k in range(len(groups))]
        # rulesets a parcel must enter whatever it is; the others hold only rules that join on
        # categories, and a parcel enters them only once one of those categories reached them
        self._always = {name for name, group in zip(self.names, groups) if any(not rule.joins for _, rule, _, _ in group)}
        joined_in: dict[str, list[str]] = {}  # category -> rulesets with a rule joining on it
        for name, group in zip(self.names, groups):
            for code in dict.fromkeys(c for _, rule, _, _ in group for c in rule.joins):
                joined_in.setdefault(code, []).append(name)
        definitions: dict[str, dict] = {}
        rulesets: dict[str, dict] = {}
        for name, group in zip(self.names, groups):
            ruleset = rulesets[name] = {}
            for engine_name, rule, pattern, definite in group:
                targets = joined_in.get(rule.category, []) if rule.category and definite else []
                ruleset[engine_name] = definitions[engine_name] = self._definition(engine_name, rule, pattern, targets)
            # A rule every parcel matches. Without it a parcel that matches nothing raises
            # MessageNotHandledException, and deleting that context afterwards crashes the C
            # engine (double free, seen on 2.0.28). The match is on our own `t`, never on `id`.
            ruleset[SEEN] = {"all": [{"p": {"t": _PARCEL}}], "run": _ignore}
        self.name = self.names[0] if self.names else f"{stem}_0"
        if not rulesets:
            rulesets[self.name] = {SEEN: {"all": [{"p": {"t": _PARCEL}}], "run": _ignore}}
            self.names = [self.name]
            self._always = {self.name}
        self.definition = {k: {kk: vv for kk, vv in v.items() if kk != "run"} for k, v in definitions.items()}
        self.host = _SyncHost(rulesets)

    def _definition(self, name: str, rule: Rule, pattern: dict, targets: list[str]) -> dict:
        patterns = [
            {f"c{i}": {"$and": [{"t": _CATEGORY}, {"code": code}]}}
            for i, code in enumerate(rule.joins)
        ]
        patterns.append({"p": pattern})
        fired, touched = self._fired, self._touched
        if targets:
            code, rule_id = rule.category, rule.id

            def action(c):
                fired.append(name)
                for target in targets:
                    touched.add(target)
                    c.assert_fact(target, {"t": _CATEGORY, "code": code, "by": rule_id})
        else:

            def action(c):
                fired.append(name)

        return {"all": patterns, "run": action}

    def fire(self, facts: dict[str, Any]) -> Firing:
        sid = str(next(self._sids))
        fact = {k: engine_value(v) for k, v in encode_facts({k: v for k, v in facts.items() if k in self.fields_used}).items()}
        fact["t"] = _PARCEL
        fact["sid"] = sid
        self._fired.clear()
        self._touched.clear()
        with shielded():  # a signal waits for the engine (core/interrupts.py)
            try:
                for name in self.names:  # category rulesets first: they forward categories onwards
                    if name in self._always or name in self._touched:
                        self._touched.add(name)
                        self.host.assert_fact(name, dict(fact))
            finally:
                for name in self.names:
                    if name in self._touched:
                        self.host.delete_state(name, sid)
        key = tuple(self._fired)
        firing = self._firings.get(key)
        if firing is None:  # parcels fire in few distinct patterns: share one Firing per pattern
            names = set(key)
            for whole, count in self._parts.items():
                if all(f"{whole}|{k}" in names for k in range(count)):
                    names.add(whole)
            definite = frozenset(n for n in names if "|" not in n)
            maybe = frozenset(n[: -len(MAYBE)] for n in names if n.endswith(MAYBE)) | definite
            firing = Firing(definite=definite, maybe=maybe)
            if len(self._firings) < 4096:
                self._firings[key] = firing
        return firing
