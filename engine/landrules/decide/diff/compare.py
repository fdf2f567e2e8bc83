"""`diff`: one ledger decided under two rulebooks, and every parcel whose decision changed.

The ledger is read and validated once by the chunk loop (`decide.chunks`), each chunk decided
under two rulebooks (the one compared against — "before" — and the current one — "after")
with the same engine and evaluation date. Decisions repeat (see `batch`): each row is a pair (pattern before,
pattern after); the distinct pairs of a chunk are found with numpy and compared once each on
the flattened decision columns, so a million rows cost two `decide` passes without writing
them, not a million Python comparisons. A parcel changed when any decision column but the
rulebook hash differs; the output lists it with its categories, outcomes, needs and deadlines
before and after, and the summary counts 宗数 / 面积 moving from each old outcome set to each new.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from landrules.core.decision import DECISION_COLUMNS, SEP
from landrules.core.summary import Summary, Tally
from landrules.decide.chunks import ChunkLoop
from landrules.decide.options import RunOptions
from landrules.rulebook.model import Rulebook

COMPARED = (*DECISION_COLUMNS, "overdue")  # every decision column but as_of and the rulebook hash
SHOWN = ("categories", "outcome_codes", "outcome_labels", "needs", "deadline")
ASPECTS = {"categories": "categories", "outcome_codes": "outcomes", "needs": "needs", "deadline": "deadline"}
DIFF_COLUMNS = ("row", "parcel_id", "area_mu", "changed",
                *(f"{c}_{side}" for c in SHOWN for side in ("before", "after")))
NO_OUTCOME = "—"
ASPECTS_ZH = {"categories": "类别", "outcomes": "处置措施", "needs": "需补充信息", "deadline": "完成时限",
              "other": "其他（依据、责任单位或逾期）"}


@dataclass
class DiffResult:
    rulebook_before: str
    rulebook_after: str
    as_of: dt.date
    engine: str
    rows: int = 0  # rows read
    compared: int = 0  # valid rows, decided under both rulebooks
    changed: int = 0
    changed_area_mu: float = 0.0
    # (outcomes before, outcomes after, what else changed when the outcomes did not) -> 宗数 / 面积
    moves: dict[tuple[str, str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    frames: list[pd.DataFrame] = field(default_factory=list)  # the changed rows, DIFF_COLUMNS
    before: Summary | None = None
    after: Summary | None = None
    seconds: float = 0.0

    @property
    def table(self) -> pd.DataFrame:
        if not self.frames:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in DIFF_COLUMNS})
        return pd.concat(self.frames, ignore_index=True)

    def moves_in_order(self) -> list[tuple[tuple[str, str, str], Tally]]:
        """The moves, largest 宗数 first (ties: larger area, then by codes)."""
        return sorted(self.moves.items(), key=lambda kv: (-kv[1].count, -kv[1].area_mu, kv[0]))


def diff_ledger(ledger_path: Path, options: RunOptions, against: Rulebook,
                progress: Callable[[int], None] | None = None) -> DiffResult:
    """Decide `ledger_path` under `against` (before) and `options.rulebook` (after); raises LedgerError."""
    started = time.perf_counter()
    result = diff_chunks(ChunkLoop.open(ledger_path, options), against, progress)
    result.seconds = time.perf_counter() - started
    return result


def diff_chunks(loop: ChunkLoop, against: Rulebook, progress: Callable[[int], None] | None = None,
                read_ahead: bool = True) -> DiffResult:
    """The loop's chunks decided under `against` (before) and its options' rulebook (after), compared."""
    current, as_of = loop.options.rulebook, loop.options.as_of
    result = DiffResult(against.hash, current.hash, as_of, loop.engine)
    for chunk in loop.decided([against, current], with_json=False, with_flat=False, read_ahead=read_ahead):
        parsed = chunk.prepared.parsed
        _compare_chunk(result, parsed, *chunk.decided)
        if progress:
            progress(parsed.n)
    result.before, result.after = (d.summary for d in loop.deciders)
    result.compared = result.before.decided
    return result


def _column(patterns, name: str) -> np.ndarray:
    return np.array([p.flat[name] for p in patterns], dtype=object)


def _compare_chunk(result: DiffResult, parsed, old, new) -> None:
    result.rows += parsed.n
    if not parsed.n:
        return
    width = max(len(new.patterns), 1)
    pairs = old.index.astype(np.int64) * width + new.index
    distinct, inverse = np.unique(pairs, return_inverse=True)
    i_old, i_new = np.divmod(distinct, width)
    # the distinct pairs, compared column by column
    changed_pair = np.zeros(len(distinct), dtype=bool)
    for name in COMPARED:
        changed_pair |= _column(old.patterns, name)[i_old] != _column(new.patterns, name)[i_new]
    if not changed_pair.any():
        return
    changed = changed_pair[inverse]
    area = np.nan_to_num(parsed.columns["area_mu"], nan=0.0)
    counts = np.bincount(inverse, minlength=len(distinct))
    areas = np.bincount(inverse, weights=area, minlength=len(distinct))
    codes_old, codes_new = _column(old.patterns, "outcome_codes"), _column(new.patterns, "outcome_codes")
    aspects = np.array([_aspects(old.patterns[a].flat, new.patterns[b].flat) for a, b in zip(i_old, i_new)], dtype=object)
    for j in np.flatnonzero(changed_pair):
        before, after = codes_old[i_old[j]] or NO_OUTCOME, codes_new[i_new[j]] or NO_OUTCOME
        result.moves[(before, after, "" if before != after else aspects[j])].add(int(counts[j]), float(areas[j]))
    positions = np.flatnonzero(changed)
    result.changed += len(positions)
    result.changed_area_mu += float(area[positions].sum())
    frame = {
        "row": np.asarray(parsed.rows, dtype=np.int64)[positions],
        "parcel_id": parsed.parcel_ids[positions],
        "area_mu": parsed.columns["area_mu"][positions],
        "changed": aspects[inverse[positions]],
    }
    for name in SHOWN:
        frame[f"{name}_before"] = _column(old.patterns, name)[old.index[positions]]
        frame[f"{name}_after"] = _column(new.patterns, name)[new.index[positions]]
    result.frames.append(pd.DataFrame(frame, columns=list(DIFF_COLUMNS)))


def _aspects(before: dict[str, str], after: dict[str, str]) -> str:
    """Which parts of the decision changed: categories, outcomes, needs, deadline, or other."""
    named = [aspect for column, aspect in ASPECTS.items() if before[column] != after[column]]
    if not named:
        named = ["other"]  # citations, labels, responsible units or overdue only
    return SEP.join(named)


def summary_line(result: DiffResult, limit: int = 4) -> str:
    """The officer's one-line preview: "12 宗决定有变化（36.50 亩）：8 宗 regularise → needs_information；…"."""
    if not result.changed:
        return f"比较 {result.compared} 宗，决定无变化"
    moves = result.moves_in_order()
    shown = "；".join(f"{t.count} 宗 {_short(a)} → {_short(b)}{detail_words(d)}" for (a, b, d), t in moves[:limit])
    more = f"；另 {len(moves) - limit} 类变化 …" if len(moves) > limit else ""
    return f"比较 {result.compared} 宗，{result.changed} 宗决定有变化（{result.changed_area_mu:.2f} 亩）：{shown}{more}"


def detail_words(detail: str) -> str:
    """"needs; deadline" -> "（需补充信息、完成时限有变）"; "" -> ""."""
    if not detail:
        return ""
    return "（" + "、".join(ASPECTS_ZH.get(a, a) for a in detail.split(SEP)) + "有变）"


def _short(codes: str) -> str:
    return codes.replace(SEP, "+")
