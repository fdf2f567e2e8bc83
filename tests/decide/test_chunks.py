"""The one chunk loop (decide/chunks.py) and the run's options (decide/options.py)."""

from __future__ import annotations

import ast
import dataclasses

import pytest

from conftest import AS_OF, ROOT
from landrules.decide.chunks import ChunkLoop
from landrules.decide.find import find_parcel
from landrules.decide.options import RunOptions
from landrules.decide.pipeline import decide_ledger

SAMPLE = ROOT / "examples" / "shilong-ledger.csv"
PACKAGE = ROOT / "engine" / "landrules"

# The loop's own steps: only the loop (and the few places named here, for a reason) calls them.
LOOP_CALLS = {
    "open_ledger": {"decide/chunks.py", "decide/find.py",  # find: similar_ids scans the raw id column only
                    "ledger/read/reader.py"},  # read_ledger, below the loop
    "prepare_chunk": {"decide/chunks.py", "ledger/validate/parcel.py"},  # parcel: validate_rows, below the loop
    "LedgerDecider": {"decide/chunks.py", "decide/find.py"},  # find: one found row over its month spans
}


def test_no_face_reads_prepares_or_decides_a_ledger_outside_the_loop():
    found: dict[str, set[str]] = {name: set() for name in LOOP_CALLS}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name in found:
                    found[name].add(path.relative_to(PACKAGE).as_posix())
    for name, allowed in LOOP_CALLS.items():
        assert found[name] <= allowed, f"{name} called outside the chunk loop: {sorted(found[name] - allowed)}"


def test_options_are_frozen_and_changed_by_copy(rulebook):
    options = RunOptions(rulebook, AS_OF)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.engine = "durable"
    other = options.but(engine="durable", chunk_rows=5)
    assert (options.engine, options.chunk_rows) == ("auto", 50_000) and (other.engine, other.chunk_rows) == ("durable", 5)
    assert options.values == {} and options.not_fields == set() and options.resolver() is None


def test_the_loop_knows_the_ledger_before_deciding_and_reads_it_once(rulebook):
    assert ChunkLoop.open(SAMPLE, RunOptions(rulebook, AS_OF)).engine == "durable"  # `auto`: small ledger, reference engine
    loop = ChunkLoop.open(SAMPLE, RunOptions(rulebook, AS_OF, chunk_rows=15))
    assert loop.engine == "vectorized" and loop.headers[0] == "宗地编号" and loop.names[0] == "parcel_id"  # not known small
    report = loop.column_report()
    assert report.ignored == ["备注"] and report.no_id == []
    chunks = list(loop.decided())
    assert [c.prepared.parsed.n for c in chunks] == [15, 15, 10]
    assert loop.summary.rows == 40 and loop.summary.invalid == 2 == len(loop.invalid)
    assert [row for row, _ in loop.invalid] == [39, 40]
    with pytest.raises(RuntimeError):
        list(loop.prepared())


def test_two_rulebooks_in_one_pass_decide_as_two_runs(rulebook, rulebook_copy, tmp_path):
    from landrules.rulebook.load import load_rulebook

    rules, policy = rulebook_copy
    params = rules / "parameters.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace("{from: 2021-06-22, value: 100}",
                                                                 "{from: 2021-06-22, value: 150}", 1), encoding="utf-8")
    other = load_rulebook(rules, policy)
    loop = ChunkLoop.open(SAMPLE, RunOptions(rulebook, AS_OF, chunk_rows=15))
    both = [c.decided for c in loop.decided([other, rulebook], with_json=True)]
    for k, book in enumerate((other, rulebook)):
        out = tmp_path / f"{k}.jsonl"
        decide_ledger(SAMPLE, out, RunOptions(book, AS_OF, chunk_rows=15))
        lines = [line for chunk in both for line in chunk[k].jsonl]
        assert "\n".join(lines) + "\n" == out.read_text(encoding="utf-8")
    assert [line for c in both for line in c[0].jsonl] != [line for c in both for line in c[1].jsonl]


def test_explain_stops_at_the_parcel(rulebook, monkeypatch):
    read = []
    real = ChunkLoop._prepare

    def counting(self, chunk):
        read.append(len(chunk.frame))
        return real(self, chunk)

    monkeypatch.setattr(ChunkLoop, "_prepare", counting)
    found = find_parcel(SAMPLE, "SL-003", RunOptions(rulebook, AS_OF, chunk_rows=5))
    assert found.row == 4 and read == [5]  # the first chunk only: the rest is scanned for repeats of the id, not validated
