"""Deciding a ledger chunk by chunk: every row in, one decision out, in order; and the summary.

Decisions repeat: a county's ledger has hundreds of thousands of parcels but a few hundred
distinct (rules fired, facts missing) patterns. Each row is reduced to that pattern's key; each
distinct key is assembled once into a decision (citations, deadlines, labels) by the shared
`Evaluator.assemble`, flattened and serialised, and rows take their copy by key. Only the
parcel id differs between rows of one pattern. The durable backend computes keys row by row
through the engine; the vectorised backend computes them column-wise from numpy masks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from landrules.backends.base import Firing, PatternKey
from landrules.backends.registry import open_backend
from landrules.core.decision import DECISION_COLUMNS, EXTRA_COLUMNS, SEP, Decision, fee_cell, flatten
from landrules.core.summary import PatternCounter, PatternFacts, Summary
from landrules.decide.as_of import on_the_date
from landrules.decide.evaluate import FEE, Evaluator
from landrules.decide.month_spans import rule_fields, widen
from landrules.geo.plan import threshold as plan_threshold
from landrules.ledger.validate.frame import ParsedFrame
from landrules.ledger.validate.row_notes import NoteColumn
from landrules.ledger.write.flat import FlatColumns, OwnTexts
from landrules.ledger.write.json_lines import JsonLines, json_heads, json_list
from landrules.rulebook.model import Rulebook

FLAT_COLUMNS = (*DECISION_COLUMNS, *EXTRA_COLUMNS)
_FLAT_CELLS = operator.itemgetter(*FLAT_COLUMNS)  # a pattern's cells, in FLAT_COLUMNS order
_JSON_HEAD = '{"parcel_id":null'
TAX_TARGET = "target.tax_per_mu"  # rules/parameters.yaml: the plan's 亩均税收 target (一、(二)2.)

Key = tuple[frozenset, tuple, "float | None"]  # a backend's PatternKey and idle_fee's amount
# The fee's amount (the land price's 20 %) joins a key only where a rule concluding idle_fee fired;
# elsewhere it is None, so rows alike still share one pattern, and rows whose prices give one
# amount share one too. Added here, after the backend, so that every backend shares it.


PATTERN_CACHE = 20_000  # distinct patterns kept between chunks (each can hold 100 KB of JSON)


@dataclass
class _Pattern:
    """One distinct decision, without a row's errors and notes (those are the row's own)."""

    flat: dict[str, str]
    json_tail: str | None  # None unless JSON lines are written: with many rules it is the bulk
    facts: PatternFacts  # what the summary counts
    notes: tuple[str, ...] = ()  # the decision's own notes (the rulebook's for the date, the fee's), after the row's


@dataclass
class DecidedChunk:
    jsonl: JsonLines  # empty unless JSON lines were asked for
    index: np.ndarray  # row -> position in `patterns`
    patterns: list[_Pattern]  # the distinct decisions of the chunk (the same for rows alike)
    parsed: ParsedFrame | None = None  # the rows as decided: validated, as of the evaluation date
    with_flat: bool = True
    own: dict[str, OwnTexts] = field(default_factory=dict)  # errors, notes: the rows' own texts
    own_json: dict[str, OwnTexts] = field(default_factory=dict)  # errors, notes: the same rows' as JSON lists (with tails)
    _flat: pd.DataFrame | None = None

    @property
    def columns(self) -> FlatColumns:
        """FLAT_COLUMNS as pattern texts, the index and the rows' own texts (what the Arrow
        writers take)."""
        cells = zip(*map(_FLAT_CELLS, (p.flat for p in self.patterns))) if self.patterns else [[] for _ in FLAT_COLUMNS]
        return FlatColumns(self.index, {c: list(texts) for c, texts in zip(FLAT_COLUMNS, cells)}, self.own)

    @property
    def flat(self) -> pd.DataFrame | None:
        """FLAT_COLUMNS, one row per input row (None when not asked for); made when first used."""
        if self._flat is None and self.with_flat:
            self._flat = self.columns.frame()
        return self._flat


class LedgerDecider:
    """Decides parsed chunks of one ledger under one rulebook, engine and evaluation date."""

    def __init__(self, rulebook: Rulebook, engine: str, as_of: dt.date):
        self.rulebook, self.engine, self.as_of = rulebook, engine, as_of
        self.backend = open_backend(engine, rulebook)
        self.evaluator = Evaluator(rulebook, self.backend)
        target = rulebook.param_value(TAX_TARGET, as_of)[0] if TAX_TARGET in rulebook.parameters else None
        self.summary = Summary(tax_target=None if target is None else float(target))
        self._counter = PatternCounter(self.summary)
        self._patterns: dict[Key, _Pattern] = {}
        self._unpriced: dict[tuple, Decision] = {}  # (definite, needs) -> decision before idle_fee's amount
        self._bases: dict[tuple, _Pattern] = {}  # (definite, needs) -> that decision frozen (no JSON)
        self._invalid: _Pattern | None = None  # the decision of a row with errors, but its errors
        self._lists: dict[tuple[str, ...], tuple[str, str]] = {}  # errors or notes -> (cell, JSON)
        self._cells: dict[tuple[str, ...], str] = {}  # errors or notes -> cell (no JSON written)
        self._plan_limit = plan_threshold(rulebook, as_of)
        self._reads: dict[str, frozenset[str]] | None = None  # fields each rule reads (month spans)
        self._fee_rules = frozenset(r.id for r in rulebook.rules if r.outcome == FEE)

    # -- keys ------------------------------------------------------------------------------

    def _row_keys(self, parsed: ParsedFrame, positions: np.ndarray) -> list[Key]:
        keys, inverse = self.backend.pattern_keys(parsed, positions, self.as_of, self.evaluator.missing_facts)
        return [keys[k] for k in inverse]

    def _widen(self, raw: ParsedFrame, parsed: ParsedFrame, positions: np.ndarray, keys: list[Key]):
        """Rows with dates given only to the month, decided over their spans (`month_spans`):
        their keys, and the chunk with their notes."""
        if self._reads is None:
            self._reads = rule_fields(self.rulebook)
        keys, notes = widen(raw, self.as_of, positions, keys, self._row_keys, self._reads,
                            [r.id for r in self.rulebook.rules])
        if notes:
            parsed = dataclasses.replace(parsed, notes=parsed.notes.with_column(NoteColumn.from_rows(parsed.n, notes)))
        return keys, parsed

    def _priced(self, keys: list[PatternKey], inverse: np.ndarray, parsed: ParsedFrame,
                positions: np.ndarray) -> tuple[list[Key], np.ndarray]:
        """The backend's keys with idle_fee's amount for the rows whose pattern fires idle_fee."""
        seen: dict[Key, int] = {(*k, None): j for j, k in enumerate(keys)}
        fee = [j for j, k in enumerate(keys) if k[0] & self._fee_rules]
        if fee:  # the few rows of the fee: the amount of their price joins their key
            inverse = inverse.copy()
            prices = parsed.columns["land_price"][positions]
            for i in np.flatnonzero(np.isin(inverse, fee)).tolist():
                amount = self.evaluator.fee(None if np.isnan(prices[i]) else float(prices[i]), self.as_of)
                inverse[i] = seen.setdefault((*keys[inverse[i]], amount), len(seen))
        return list(seen), inverse

    # -- patterns --------------------------------------------------------------------------

    def _pattern(self, key: Key, with_json: bool) -> _Pattern:
        pattern = self._patterns.get(key)
        if pattern is None or (with_json and pattern.json_tail is None):
            definite, needs, amount = key
            unpriced = self._unpriced.get((definite, needs))  # rows alike but for their fee share it
            if unpriced is None:
                firing = Firing(definite=definite, maybe=definite | {r for r, _ in needs})
                unpriced = self._unpriced[definite, needs] = self.evaluator.assemble(
                    None, None, firing, self.as_of, needs_by_rule=dict(needs), price=False)
            decision = self.evaluator.with_fee(unpriced, amount, self.as_of)
            if with_json or decision is unpriced:
                pattern = _freeze(decision, with_json)
            else:  # rows alike but for their fee: the unpriced decision's cells and facts, the fee's own cell
                base = self._bases.get((definite, needs))
                if base is None:
                    base = self._bases[definite, needs] = _freeze(unpriced, False)
                pattern = dataclasses.replace(base, flat={**base.flat, "idle_fee_amount": fee_cell(decision)},
                                              notes=tuple(decision.notes))
            self._patterns[key] = pattern
        return pattern

    # -- a chunk ---------------------------------------------------------------------------

    def decide(self, parsed: ParsedFrame, with_json: bool = True, with_flat: bool = True,
               with_tails: bool = False) -> DecidedChunk:
        """Decisions for one parsed chunk: flattened columns and JSON lines if asked for, and
        always each row's pattern (`index` into `patterns`), which `diff` compares. The backends
        see the chunk as of the evaluation date (`as_of.on_the_date`). `with_tails`: each
        pattern's JSON tail without the lines (the record of runs keeps each distinct text once,
        and makes no line per row)."""
        tails = with_json or with_tails
        raw, parsed = on_the_date(parsed, self.as_of, self._plan_limit)  # 符合国土空间规划 derived, later events set aside
        n = parsed.n
        positions = np.flatnonzero(parsed.valid)
        index = np.zeros(n, dtype=np.int64)  # row -> position in `patterns`
        patterns: list[_Pattern] = []
        if len(self._patterns) > PATTERN_CACHE:  # a large rulebook: bound the memory kept between chunks
            self._patterns.clear()
            self._unpriced.clear()
            self._bases.clear()
        if len(positions):
            keys, inverse = self.backend.pattern_keys(parsed, positions, self.as_of, self.evaluator.missing_facts)
            if raw.spans:  # dates given only to the month (`month_spans`)
                row_keys, parsed = self._widen(raw, parsed, positions, [keys[k] for k in inverse])
                distinct = {k: j for j, k in enumerate(dict.fromkeys(row_keys))}
                keys, inverse = list(distinct), np.array([distinct[k] for k in row_keys], dtype=np.int64)
            keys, inverse = self._priced(keys, inverse, parsed, positions)
            patterns = [self._pattern(k, tails) for k in keys]
            index[positions] = inverse
        own_errors, own_notes = self._own_texts(parsed, index, patterns, tails)
        decided = DecidedChunk(JsonLines(), index, patterns, parsed, with_flat, own={"errors": own_errors[0], "notes": own_notes[0]},
                               own_json={"errors": own_errors[1], "notes": own_notes[1]})
        if with_json:
            decided.jsonl = _json_lines(parsed, index, patterns, own_errors, own_notes)
        self._count(patterns, index, parsed)
        return decided

    def _own_texts(self, parsed: ParsedFrame, index: np.ndarray, patterns: list[_Pattern], with_json: bool):
        """Rows with errors take the one invalid pattern; they and rows with notes keep their
        errors and notes as their own texts (they name the row or its dates): for each, the
        OwnTexts and the rows' JSON lists."""
        if parsed.errors:
            if self._invalid is None or (with_json and self._invalid.json_tail is None):
                self._invalid = _freeze(self.evaluator.invalid(None, [], self.as_of), with_json)
            index[list(parsed.errors)] = len(patterns)
            patterns.append(self._invalid)
        errors = self._own(np.fromiter(parsed.errors, dtype=np.int64, count=len(parsed.errors)),
                           np.arange(len(parsed.errors)), list(parsed.errors.values()), with_json, cached=False)
        # the decision's own notes follow the row's (as Evaluator.decide_many puts them)
        by_pattern = NoteColumn.from_rows(len(patterns), {j: p.notes for j, p in enumerate(patterns)})
        after = [NoteColumn(by_pattern.codes[index], by_pattern.texts)] if by_pattern.texts else []
        if not with_json:  # the cells alone: each row's joined by Arrow
            joined = parsed.notes.joined(parsed.n, SEP, after)
            if joined is not None:
                cells = OwnTexts(joined[0], np.arange(len(joined[0]), dtype=np.int64), joined[1])
                return errors, (cells, OwnTexts(cells.rows, cells.which, []))
        return errors, self._own(*parsed.notes.combined(parsed.n, after), with_json)

    def _own(self, at: np.ndarray, which: np.ndarray, distinct: list[Sequence[str]],
             with_json: bool, cached: bool = True) -> tuple[OwnTexts, OwnTexts]:
        """The rows' own texts, row at[k]'s being distinct[which[k]], each distinct list worded
        once: as cells, and as JSON lists (the same rows and positions; no texts unless
        `with_json`). Lists kept between chunks unless not `cached` (errors name their row:
        none comes twice)."""
        cache = (self._lists if with_json else self._cells) if cached else {}
        if len(cache) > PATTERN_CACHE:
            cache.clear()
        cells, lists = [], []
        for items in distinct:
            key = tuple(items)
            done = cache.get(key)
            if done is None:
                cell = key[0] if len(key) == 1 and type(key[0]) is str else SEP.join(dict.fromkeys(str(t) for t in key))
                done = cache[key] = (cell, json_list(key)) if with_json else cell
            if with_json:
                cells.append(done[0])
                lists.append(done[1])
            else:
                cells.append(done)
        return OwnTexts(at, which, cells), OwnTexts(at, which, lists)

    def _count(self, patterns: list[_Pattern], index: np.ndarray, parsed: ParsedFrame) -> None:
        counts = np.bincount(index, minlength=len(patterns))
        areas = np.bincount(index, weights=np.nan_to_num(parsed.columns["area_mu"], nan=0.0), minlength=len(patterns))
        s = self.summary
        s.rows += parsed.n
        s.invalid += len(parsed.errors)
        s.decided += parsed.n - len(parsed.errors)
        self._counter.add([p.facts for p in patterns], counts, areas)  # add_pattern for each, at once
        s.add_tax(parsed.columns, parsed.valid, self.as_of)


_EMPTY_TAIL = '"errors":[],"notes":[]}'


def _json_lines(parsed: ParsedFrame, index: np.ndarray, patterns: list[_Pattern], own_errors, own_notes) -> JsonLines:
    """The chunk's JSON lines: each row's head and its pattern's tail, or, for a row with its
    own errors or notes, its pattern's tail with them in place of the empty lists."""
    texts = [p.json_tail for p in patterns]
    indices = index.copy()
    own: dict[int, list[str]] = {}
    for i, text in zip(own_errors[1].rows.tolist(), own_errors[1].cells()):
        own[i] = [text, "[]"]
    for i, text in zip(own_notes[1].rows.tolist(), own_notes[1].cells()):
        own.setdefault(i, ["[]", "[]"])[1] = text
    for i, (errors, notes) in own.items():
        indices[i] = len(texts)
        texts.append(own_tail(texts[index[i]], errors, notes))
    return JsonLines(json_heads(parsed.parcel_ids), indices, texts)


def own_tail(tail: str, errors: str, notes: str) -> str:
    """A pattern's JSON tail with a row's own errors and notes (JSON lists) in place of []."""
    assert tail.endswith(_EMPTY_TAIL), tail[-60:]
    return f'{tail[: -len(_EMPTY_TAIL)]}"errors":{errors},"notes":{notes}}}'


def _freeze(decision: Decision, with_json: bool = True) -> _Pattern:
    """A decision as a pattern; its notes are kept apart and become the rows' own (each row's
    notes, then these), so that every JSON tail ends in empty errors and notes."""
    notes = tuple(decision.notes)
    decision = decision.model_copy(update={"notes": []})
    tail = None
    if with_json:
        text = decision.to_json()
        assert text.startswith(_JSON_HEAD), text[:40]
        tail = text[len(_JSON_HEAD):]
    return _Pattern(
        flat=flatten(decision),
        json_tail=tail,
        facts=PatternFacts.of(decision),
        notes=notes,
    )
