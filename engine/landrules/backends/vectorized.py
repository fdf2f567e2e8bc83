"""The rulebook IR compiled to numpy masks over whole columns (Kleene three-valued logic).

Each condition evaluates to two boolean arrays, T (definitely true) and F (definitely false);
a row in neither is unknown. Atoms on a missing value are unknown, except present/absent.
Category rules are evaluated first; disposal rules AND their joins with the category masks,
which is the same chaining the durable backend does with category facts. Per rule:

    definite = T ∧ joins          maybe = ¬F ∧ joins  (rules that ask only)

and for rules left undecided, which fields mattered (the same rule as
`conditions.unknown_fields`: an unknown atom counts where every node above it is unknown).

This backend must agree with the durable-rules reference on every parcel; a differential test
checks it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from landrules.backends.base import Firing, MissingFacts, PatternKey
from landrules.core import fields
from landrules.core.values import columns_from_facts, encode
from landrules.rulebook.conditions import All, Atom, Condition, Not, Resolver, children, compare
from landrules.rulebook.model import Rulebook

Masks = tuple[np.ndarray, np.ndarray]  # (T, F)


@dataclass
class RuleMasks:
    """Per rule: definite and maybe masks; for undecided rules, (field, mask) in DFS order."""

    definite: dict[str, np.ndarray]
    maybe: dict[str, np.ndarray]
    needs: dict[str, list[tuple[str, np.ndarray]]]
    n: int


BLOCK_CELLS = 4_000_000  # rule masks × rows evaluated at once: a few tens of MB whatever the rulebook
KEYS_KEPT = 20_000  # packed rows whose pattern keys are kept between blocks, per set of (rule, field) pairs


class VectorizedBackend:
    """Evaluate `blocks(n)` rows at a time: a block's masks take about 3 bytes per rule and row
    (definite, maybe, the fields an undecided rule needs), so a block of BLOCK_CELLS // rules
    rows keeps memory bounded for 5 000 rules as for 20."""

    name = "vectorized"

    def __init__(self, rulebook: Rulebook):
        self.rulebook = rulebook
        self._keys: dict[tuple, dict[bytes, PatternKey]] = {}  # (rule, field) pairs -> packed bits -> key

    def blocks(self, n: int) -> list[tuple[int, int]]:
        """(start, stop) row ranges covering `n` rows, each small enough for the rulebook."""
        size = max(256, BLOCK_CELLS // max(1, len(self.rulebook.rules)))
        return [(start, min(n, start + size)) for start in range(0, n, size)]

    def pattern_keys(self, parsed: Any, positions: np.ndarray, as_of: dt.date,
                     missing: MissingFacts | None = None) -> tuple[list[PatternKey], np.ndarray]:
        """Keys of the distinct patterns and each row's index into them, computed block by block
        of rows (`blocks`) so that memory stays bounded whatever the rules' number. The masks
        carry each undecided rule's missing facts, so `missing` is not needed here."""
        seen: dict[PatternKey, int] = {}
        inverse = np.empty(len(positions), dtype=np.int64)
        for start, stop in self.blocks(len(positions)):
            keys, block_inverse = self._block_keys(parsed, positions[start:stop], as_of)
            ids = np.array([seen.setdefault(k, len(seen)) for k in keys], dtype=np.int64)
            inverse[start:stop] = ids[block_inverse]
        return list(seen), inverse

    def _block_keys(self, parsed: Any, positions: np.ndarray, as_of: dt.date) -> tuple[list[PatternKey], np.ndarray]:
        # the rows from the first position to the last, as views of the columns (rows between
        # that are not asked for, the few with errors, are evaluated too and then left out)
        first, end = (int(positions[0]), int(positions[-1]) + 1) if len(positions) else (0, 0)
        n = end - first
        masks = self.evaluate(_Columns(parsed.columns, n, slice(first, end)), n, as_of)
        rule_ids = [r.id for r in self.rulebook.rules]
        bits = [masks.definite[r] for r in rule_ids]
        pairs = [(rule_id, name) for rule_id, needs in masks.needs.items() for name, _ in needs]
        bits += [m for needs in masks.needs.values() for _, m in needs]
        words = _packed_words(bits, n)
        del bits, masks
        if n != len(positions):
            words = words[positions - first]
        inverse, uniques = _distinct_rows(words)
        known = self._keys.setdefault(tuple(pairs), {})
        if len(known) > KEYS_KEPT:
            known.clear()
        keys = []
        for packed in uniques:
            key = known.get(packed)
            if key is None:
                key = known[packed] = _key(packed, rule_ids, pairs)
            keys.append(key)
        return keys, inverse

    def evaluate(self, columns: dict[str, np.ndarray] | _Columns, n: int, as_of: dt.date) -> RuleMasks:
        if not isinstance(columns, _Columns):
            columns = _Columns(columns, n)
        resolver = self.rulebook.resolver(as_of)
        categories: dict[str, np.ndarray] = {}
        definite: dict[str, np.ndarray] = {}
        maybe: dict[str, np.ndarray] = {}
        needs: dict[str, list[tuple[str, np.ndarray]]] = {}
        every = np.ones(n, dtype=bool)
        # category rules never join (the loader enforces it), so they can go first
        ordered = sorted(self.rulebook.rules, key=lambda r: r.category is None)
        for rule in ordered:
            if not rule.in_force_on(as_of):  # not in force on the date (Rule.window): never fires
                definite[rule.id] = maybe[rule.id] = np.zeros(n, dtype=bool)
                continue
            joined = every
            for code in rule.joins:
                joined = joined & categories.get(code, np.zeros(n, dtype=bool))
            if rule.condition is None:
                t, f = every, ~every
            else:
                t, f = _masks(rule.condition, columns, resolver, n)
            definite[rule.id] = t & joined
            if rule.asks:
                maybe[rule.id] = ~f & joined
                undecided = maybe[rule.id] & ~definite[rule.id]
                if rule.condition is not None and undecided.any():
                    needs[rule.id] = [(name, m & undecided) for name, m in _needs(rule.condition, columns, resolver, n)]
            else:
                maybe[rule.id] = definite[rule.id]
            if rule.category:
                categories[rule.category] = categories.get(rule.category, np.zeros(n, dtype=bool)) | definite[rule.id]
        return RuleMasks(definite, maybe, needs, n)

    def fire(self, facts: Iterable[dict[str, Any]], as_of: dt.date) -> list[Firing]:
        rows = list(facts)
        ids = [r.id for r in self.rulebook.rules]
        out = []
        for start, stop in self.blocks(len(rows)):
            masks = self.evaluate(columns_from_facts(rows[start:stop]), stop - start, as_of)
            out += [
                Firing(
                    definite=frozenset(r for r in ids if masks.definite[r][i]),
                    maybe=frozenset(r for r in ids if masks.maybe[r][i]),
                )
                for i in range(stop - start)
            ]
        return out

    def needs_for_row(self, masks: RuleMasks, i: int) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for rule_id, pairs in masks.needs.items():
            names = list(dict.fromkeys(name for name, m in pairs if m[i]))
            if names:
                out[rule_id] = names
        return out


def _packed_words(bits: list[np.ndarray], n: int) -> np.ndarray:
    """Each row's bits packed as np.packbits packs them (bit j: byte j // 8, from the high bit),
    in whole 8-byte words: shape (n, words), uint64. Built mask by mask (no n × bits matrix)."""
    width = max(1, (len(bits) + 63) // 64) * 8
    out = np.zeros((width, n), dtype=np.uint8)
    for j, mask in enumerate(bits):
        out[j >> 3] |= np.asarray(mask, dtype=bool).view(np.uint8) << np.uint8(7 - (j & 7))
    return np.ascontiguousarray(out.T).view(np.uint64)


def _distinct_rows(words: np.ndarray) -> tuple[np.ndarray, list[bytes]]:
    """(each row's index into the distinct rows, the distinct rows' bytes), in order of first
    appearance, as pd.factorize gives them; factorised word by word (integers hash fast)."""
    codes, uniques = pd.factorize(words[:, 0])
    for w in range(1, words.shape[1]):
        more, distinct = pd.factorize(words[:, w])
        codes, _ = pd.factorize(codes * len(distinct) + more)
    first = np.zeros(codes.max() + 1 if len(codes) else 0, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)  # each distinct row's first row
    return codes, [row.tobytes() for row in words[first]]


def _key(packed: bytes, rule_ids: list[str], pairs: list[tuple[str, str]]) -> PatternKey:
    """The pattern key of a row's packed bits: the rules it definitely fires, then per undecided
    rule the fields whose absence matters (bit n_rules + j stands for `pairs[j]`)."""
    n_rules = len(rule_ids)
    on = np.flatnonzero(np.unpackbits(np.frombuffer(packed, dtype=np.uint8)))
    definite = frozenset(rule_ids[j] for j in on if j < n_rules)
    needs: dict[str, list[str]] = {}
    for j in on[on >= n_rules]:
        rule_id, name = pairs[j - n_rules]
        if name not in needs.setdefault(rule_id, []):
            needs[rule_id].append(name)
    return definite, tuple((r, tuple(v)) for r, v in needs.items() if v)


# --------------------------------------------------------------------------- masks


class _Columns:
    """The fact columns one evaluation reads, each taken at `rows` of `source` when first read,
    with each field's known mask and each condition's masks made once (rules share atoms)."""

    def __init__(self, source: dict[str, np.ndarray], n: int, rows: slice | None = None):
        self.source, self.n, self.rows = source, n, rows
        self._columns: dict[str, np.ndarray] = {}
        self._known: dict[str, np.ndarray] = {}
        self.masks: dict[int, tuple[Masks, np.ndarray]] = {}  # id(atom) -> (T, F), known
        self.compound: dict[int, Masks] = {}  # id(all / any / not) -> (T, F)

    def column(self, name: str) -> np.ndarray:
        col = self._columns.get(name)
        if col is None:
            col = self.source.get(name)
            if col is None:
                spec = fields.BY_NAME[name]
                col = np.full(self.n, None, dtype=object) if spec.type is fields.FieldType.TEXT else np.full(self.n, np.nan)
            elif self.rows is not None:
                col = col[self.rows]
            self._columns[name] = col
        return col

    def known(self, name: str) -> np.ndarray:
        mask = self._known.get(name)
        if mask is None:
            mask = self._known[name] = _known(self.column(name))
        return mask


def _known(col: np.ndarray) -> np.ndarray:
    if col.dtype == object:
        return np.array([v is not None for v in col], dtype=bool)
    return ~np.isnan(col)


def _compare(op: str, left: np.ndarray, right: Any) -> np.ndarray:
    """The IR's comparison, element-wise (numpy broadcasts the scalar operators)."""
    if op in ("in", "not_in"):
        inside = np.isin(left, list(right))
        return inside if op == "in" else ~inside
    with np.errstate(invalid="ignore"):
        return compare(op, left, right)


def _atom_masks(atom: Atom, columns: _Columns, resolver: Resolver, n: int) -> tuple[Masks, np.ndarray]:
    """(T, F) of an atom and its `known` mask (made once per evaluation)."""
    done = columns.masks.get(id(atom))
    if done is None:
        done = columns.masks[id(atom)] = _atom_masks_of(atom, columns, resolver, n)
    return done


def _atom_masks_of(atom: Atom, columns: _Columns, resolver: Resolver, n: int) -> tuple[Masks, np.ndarray]:
    left = columns.column(atom.field)
    known = columns.known(atom.field)
    if atom.op == "present":
        return (known, ~known), np.ones(n, dtype=bool)
    if atom.op == "absent":
        return (~known, known), np.ones(n, dtype=bool)
    bound = resolver.bind(atom)
    spec = fields.BY_NAME[atom.field]
    if bound.other_field:
        right: Any = columns.column(bound.other_field)
        known = known & columns.known(bound.other_field)
    else:
        right = encode(spec, bound.value)
        if right is None:
            return (np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)), np.zeros(n, dtype=bool)
    holds = _compare(atom.op, left, right)
    return (known & holds, known & ~holds), known


def _masks(cond: Condition, columns: _Columns, resolver: Resolver, n: int) -> Masks:
    if isinstance(cond, Atom):
        return _atom_masks(cond, columns, resolver, n)[0]
    done = columns.compound.get(id(cond))
    if done is None:
        done = columns.compound[id(cond)] = _compound_masks(cond, columns, resolver, n)
    return done


def _compound_masks(cond: Condition, columns: _Columns, resolver: Resolver, n: int) -> Masks:
    if isinstance(cond, Not):
        t, f = _masks(cond.not_, columns, resolver, n)
        return f, t
    parts = [_masks(c, columns, resolver, n) for c in children(cond)]
    ts = np.logical_and.reduce([p[0] for p in parts]) if isinstance(cond, All) else np.logical_or.reduce([p[0] for p in parts])
    fs = np.logical_or.reduce([p[1] for p in parts]) if isinstance(cond, All) else np.logical_and.reduce([p[1] for p in parts])
    return ts, fs


def _needs(cond: Condition, columns, resolver: Resolver, n: int) -> list[tuple[str, np.ndarray]]:
    """(field, mask) pairs, DFS order: the field's absence matters where the mask is set."""
    if isinstance(cond, Atom):
        (t, f), known = _atom_masks(cond, columns, resolver, n)
        if cond.op in ("present", "absent"):
            return []
        unknown = ~(t | f)
        out = [(cond.field, unknown & ~columns.known(cond.field))]
        if cond.other_field:
            out.append((cond.other_field, unknown & ~columns.known(cond.other_field)))
        return out
    t, f = _masks(cond, columns, resolver, n)
    unknown = ~(t | f)
    return [(name, m & unknown) for child in children(cond) for name, m in _needs(child, columns, resolver, n)]
