"""Deciding and explaining parcels given as JSON objects (the API), and one parcel of a ledger.

Parcels go the way a ledger's rows go: their keys are mapped like a ledger's headers (English
field names or Chinese headers), their values validated column-wise by the same parsers, and
decided by the same chunk loop (`decide.chunks`), so the API and `decide` give the same decision.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd

from landrules.backends.durable import DurableBackend
from landrules.core import fields
from landrules.decide.as_of import on_the_date
from landrules.decide.chunks import ChunkLoop
from landrules.decide.evaluate import Evaluator
from landrules.decide.explain import explain
from landrules.decide.find import find_parcel
from landrules.decide.options import RunOptions
from landrules.geo.plan import threshold
from landrules.ledger.columns.headers import label
from landrules.ledger.read.reader import Chunk, Ledger, map_headers
from landrules.rulebook.model import Rulebook
from landrules.web.sessions import ENGINE_LOCK

REQUEST = Path("请求")  # how messages name the source of API parcels


def _frame(parcels: list[dict[str, Any]]):
    headers: list[str] = []
    for parcel in parcels:
        for key in parcel:
            if key not in headers:
                headers.append(key)
    columns = [[p.get(h) for p in parcels] for h in headers]
    _, names, kept, _ = map_headers(REQUEST, headers, columns)
    frame = pd.DataFrame({j: columns[j] for j in kept}, dtype=object)
    return frame.set_axis(names, axis=1), dict(zip(names, [headers[j] for j in kept]))


def unknown_keys(parcels: list[dict[str, Any]]) -> list[str]:
    """What the API says of keys that name no field (nothing silently ignored, contract §3): each
    such key once, with the field it may be (the look-alike test of `decide`)."""
    from landrules.ledger.columns.lookalike import by_header

    frame, _ = _frame(parcels)
    out = []
    for name in frame.columns:
        if name in fields.BY_NAME:
            continue
        guess = by_header(str(name))
        maybe = f"，可能是 {fields.BY_NAME[guess.field].label()}" if guess is not None and guess.field in fields.BY_NAME else ""
        out.append(f"键 {str(name)!r} 不是台账字段，未参与决策{maybe}")
    return out


_SHAPES = {list: "列表（[…]）", dict: "对象（{…}）"}


def _shapeless(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, list[str]]]:
    """A ledger cell is text, a number, a date or true/false: a JSON list or object in a parcel's
    field is an error of that parcel naming the field (the cell is taken as empty); in a key that
    names no field it is set aside like the key (`unknown_keys`)."""
    errors: dict[int, list[str]] = {}
    for name in frame.columns:
        column = frame[name]
        odd = [i for i, v in enumerate(column.tolist()) if isinstance(v, (list, dict))]
        for i in odd:
            if name in fields.BY_NAME:
                shape = _SHAPES[type(column.iat[i])]
                errors.setdefault(i + 1, []).append(f"第{i + 1}行 {label(name)}: 值的类型不对，收到{shape}，"
                                                    f"应为文字、数字、日期或 true/false")
            frame.iat[i, frame.columns.get_loc(name)] = None
    return frame, errors


def _loop(rulebook: Rulebook, as_of: dt.date, parcels: list[dict[str, Any]]) -> ChunkLoop:
    """The parcels as a one-chunk ledger for the chunk loop, validated as ledger rows are (units,
    placeholders, spellings) and decided by the reference engine; each is a parcel, so none is
    taken for a 合计 row."""
    frame, headers = _frame(parcels)
    frame, errors = _shapeless(frame)
    names = list(frame.columns)
    chunk = Chunk(frame, list(range(1, len(parcels) + 1)), errors)
    ledger = Ledger(REQUEST, [headers[n] for n in names], names, iter([chunk]), small=True)
    return ChunkLoop(ledger, RunOptions(rulebook, as_of, engine="durable"), drop_totals=False)


def decide_parcels(rulebook: Rulebook, as_of: dt.date, parcels: list[dict[str, Any]]) -> list[dict]:
    """Contract §4 records, one per parcel, in order (LedgerError for unusable keys). Parcel n
    is named "第 n 条" in error messages (the first is 第 1 条)."""
    if not parcels:
        return []
    loop = _loop(rulebook, as_of, parcels)
    with ENGINE_LOCK:
        [chunk] = loop.decided(read_ahead=False)
    return [json.loads(line) for line in chunk.decision.jsonl]


def explain_facts(rulebook: Rulebook, as_of: dt.date, parcel_id, facts: dict | None, errors: list[str]):
    """(decision, trace) as `explain` prints them; an invalid row has no trace."""
    with ENGINE_LOCK:
        backend = DurableBackend(rulebook)
        evaluator = Evaluator(rulebook, backend)
        if facts is None:
            return evaluator.invalid(parcel_id, errors, as_of), []
        firing = backend.fire([facts], as_of)[0]
        decision = evaluator.assemble(parcel_id, facts, firing, as_of)
        return decision, explain(rulebook, facts, firing, as_of)


def explain_parcels(rulebook: Rulebook, as_of: dt.date, parcel: dict[str, Any]):
    """The API's explain: one parcel object, validated as a ledger row."""
    [prepared] = _loop(rulebook, as_of, [parcel]).prepared()
    _, parsed = on_the_date(prepared.parsed, as_of, threshold(rulebook, as_of))  # as `decide` and `explain` see it
    errors = parsed.errors.get(0, [])
    facts = None if errors else parsed.facts(0)
    pid = parsed.parcel_ids[0]
    return explain_facts(rulebook, as_of, None if pid is None else str(pid), facts, list(errors))


def explain_in_ledger(options: RunOptions, ledger: Path, parcel_id: str,
                      known: tuple[int, list[str], dict | None] | None = None):
    """(row, decision, trace, facts) of a parcel of an uploaded ledger, or None when it is not there.

    `known`: the parcel's (file row, errors, facts) as decide validated them (the session's
    index, `table.lookup`), so that a parcel near the end of a 200 000-row ledger opens at once;
    without it the ledger is read up to the parcel (`find_parcel`, as `explain` does), with
    the session's options (sheet, column map) as `explain --columns`."""
    if known is None:
        found = find_parcel(ledger, parcel_id, options)
        if found is None:
            return None
        known = found.row, found.errors, found.facts
    row, errors, facts = known
    decision, trace = explain_facts(options.rulebook, options.as_of, parcel_id, facts, errors)
    return row, decision, trace, facts or {}


def cited_clauses(rulebook: Rulebook, decision, trace) -> list[dict]:
    """Every clause the decision cites and every clause a fired or undecided rule cites, with
    its full text, 责任单位 and 完成时限."""
    seen: dict[tuple[str, str], None] = {}
    for outcome in decision.outcomes:
        for c in outcome.citations:
            seen.setdefault((c.doc, c.clause), None)
    for entry in trace:
        if entry["status"] in ("fired", "undecided"):
            for ref in entry["cites"]:
                doc, clause = ref.rsplit(" ", 1)
                seen.setdefault((doc, clause), None)
    out = []
    for doc, clause in seen:
        cited = rulebook.policy.get(doc, clause)
        if cited is not None:
            out.append({"doc": doc, "clause": clause, "printed": cited.printed, "heading": cited.heading, "text": cited.text,
                        "responsible": list(cited.responsible), "paraphrase": cited.paraphrase,
                        "deadline": cited.deadline.text if cited.deadline else None})
    return out
