"""`explain`'s reading of a ledger: the one parcel asked for, found as `decide` reads and sees it.

`find_parcel` runs the chunk loop (`chunks.ChunkLoop.prepared`) up to the first row with the id
and stops there; `similar_ids` suggests ids when none matches; `decide_found` decides a found
row over its month spans as the ledger's decisions are.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from landrules.decide.as_of import on_the_date
from landrules.decide.batch import LedgerDecider
from landrules.decide.chunks import ChunkLoop
from landrules.decide.options import RunOptions
from landrules.geo.plan import threshold
from landrules.ledger.columns.units import HA_NOTE
from landrules.ledger.read.reader import open_ledger
from landrules.ledger.validate.cells import CellError, parse_cell
from landrules.ledger.validate.frame import ParsedFrame

_ROW_NAME = re.compile(r"第\s*(\d+)\s*行")
_DIGITS = re.compile(r"\d+")


def id_key(text: str) -> str:
    """An id as a person may mistype it: case, width, spaces and leading zeros of numbers
    ignored (SL-12, sl-012 and ＳＬ-０１２ are one key)."""
    text = unicodedata.normalize("NFKC", str(text)).strip().upper().replace(" ", "")
    return _DIGITS.sub(lambda m: str(int(m.group(0))), text)


def similar_ids(ledger_path: Path, parcel_id: str, options: RunOptions, limit: int = 3) -> list[str]:
    """Ids of the ledger that the one asked for may have meant: the same `id_key` first (SL-012
    for SL-12), else the closest by spelling (difflib) among the first 200 000 ids."""
    import difflib

    ledger = open_ledger(ledger_path, options.sheet, resolver=options.resolver())  # the id column only, raw
    wanted, same, pool = id_key(parcel_id), [], []
    for chunk in ledger.chunks:
        if "parcel_id" not in chunk.frame:
            return []
        for value in chunk.frame["parcel_id"].tolist():
            if not isinstance(value, str) and value is not None and value == value:
                value = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
            if not isinstance(value, str) or not value.strip():
                continue
            if id_key(value) == wanted and value not in same:
                same.append(value)
            elif len(pool) < 200_000:
                pool.append(value)
    if same:
        return same[:limit]
    return difflib.get_close_matches(parcel_id, list(dict.fromkeys(pool)), n=limit, cutoff=0.75)


@dataclass
class FoundParcel:
    row: int
    facts: dict | None  # None when the row is invalid
    errors: list[str]
    notes: list[str] = field(default_factory=list)
    parsed: ParsedFrame | None = None  # the row alone, as read (before the evaluation date)


def decide_found(options: RunOptions, found: FoundParcel, parcel_id: str | None):
    """The decision of a found row as `decide` makes it, or None when the row's own facts make
    it (the common case): a row with a date given only to the month is decided over its span
    (`month_spans`), as the ledger's decisions are."""
    if found.parsed is None or not found.parsed.spans or found.facts is None:
        return None
    from landrules.core.decision import Decision

    decided = LedgerDecider(options.rulebook, "durable", options.as_of).decide(found.parsed, with_json=True)
    decision = Decision.model_validate_json(b"".join(decided.jsonl.blocks()).decode("utf-8").strip())
    return decision.model_copy(update={"parcel_id": parcel_id})


def find_parcel(ledger_path: Path, parcel_id: str, options: RunOptions) -> FoundParcel | None:
    """The first row of a ledger with this 宗地编号 — or, written `第12行`, the row without an id
    that the decisions name so — read by the chunk loop as `decide` reads it (duplicates of
    earlier rows included), stopping there: the map's facts joined (`options.map_inputs`, the id
    asked for picking the boundary file's id field), 符合国土空间规划 derived, and its facts as
    they stood on `options.as_of`, as `decide` sees them (later events set aside, and noted)."""
    loop = ChunkLoop.open(ledger_path, options, map_ids={parcel_id})
    plan_limit = threshold(options.rulebook, options.as_of)
    named = _ROW_NAME.fullmatch(parcel_id.strip())
    by_row = int(named.group(1)) if named else None
    for prepared in loop.prepared():
        raw, parsed = on_the_date(prepared.parsed, options.as_of, plan_limit)
        hits = np.flatnonzero(parsed.parcel_ids == parcel_id)
        if not len(hits) and by_row is not None:  # 第12行: a parcel without an id, by its row
            hits = np.flatnonzero((np.asarray(parsed.rows) == by_row) & pd.isna(parsed.parcel_ids))
        if len(hits):
            i = int(hits[0])
            errors = parsed.errors.get(i, [])
            notes = list(parsed.notes.get(i, ()))
            if not errors and "area_ha" in loop.names and "area_mu" not in loop.names:
                notes.insert(0, HA_NOTE)  # a whole ledger says it once (column report); one parcel says it itself
            repeats = [parsed.rows[int(j)] for j in hits[1:]] + (_later_rows(loop.rest(), parcel_id) if by_row is None else [])
            if repeats and by_row is None:  # decide takes them as invalid (a repeated id): explain says so
                shown = "、".join(f"第{r}行" for r in repeats[:10]) + (f" 等 {len(repeats)} 行" if len(repeats) > 10 else "")
                notes.append(f"宗地编号 {parcel_id} 在台账中再次出现于{shown}：决策时这些行作为重复编号记为无效，"
                             f"此处按首次出现的第{parsed.rows[i]}行说明")
            alone = None
            if raw.spans:
                alone = ParsedFrame(1, [raw.rows[i]], {k: v[i:i + 1] for k, v in raw.columns.items()},
                                    notes={0: raw.notes[i]} if i in raw.notes else {},
                                    spans={k: v[i:i + 1] for k, v in raw.spans.items()})
            return FoundParcel(parsed.rows[i], None if errors else parsed.facts(i), list(errors), notes, alone)
    return None


def _later_rows(chunks, parcel_id: str) -> list[int]:
    """The file rows of the remaining chunks whose 宗地编号 cell reads `parcel_id` (the id
    column only, compared as text: no validation of the rest)."""
    out: list[int] = []
    for chunk in chunks:
        if "parcel_id" not in chunk.frame.columns:
            return out
        ids = chunk.frame["parcel_id"]
        texts = [_id_text(v) for v in ids.tolist()]
        out += [chunk.rows[j] for j, text in enumerate(texts) if text == parcel_id]
    return out


def _id_text(value) -> str | None:
    if isinstance(value, str):
        return value.strip()
    try:
        return parse_cell("parcel_id", value)
    except CellError:
        return None
