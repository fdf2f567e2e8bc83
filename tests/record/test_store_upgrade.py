"""A store of version 2 (every fact a column of `rows`) upgraded in place to version 3 (facts in
`row_cells.facts`, no `rows`): the same runs, facts, history, progress and replay after."""

from __future__ import annotations

import json

import duckdb
import pytest
from record_helpers import record_two_quarters, run

from landrules.record import schema
from landrules.record.arrow_rows import SQL_TYPES, blob_table
from landrules.record.run_facts import doc_column, read_columns, run_facts
from landrules.record.runs import headers_of
from landrules.record.store import Store


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """(a store recorded now, the same two runs as a version-2 store would hold them)."""
    folder = tmp_path_factory.mktemp("upgrade")
    new, old = folder / "new.duckdb", folder / "old.duckdb"
    record_two_quarters(new)
    _as_version_2(new, old)
    return new, old


def _as_version_2(source, target) -> None:
    patch = pytest.MonkeyPatch()
    patch.setattr("landrules.record.store.MIGRATIONS", schema.MIGRATIONS[:2])
    patch.setattr("landrules.record.store.SCHEMA_VERSION", 2)
    try:
        with Store.open(target) as old:
            con = old.con
            assert old.version() == 2
            con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
            for table in ("runs", "rulebooks", "rulebook_files", "decision_texts", "decisions", "audit"):
                con.execute(f"INSERT INTO {table} SELECT * FROM src.{table}")
            con.execute("INSERT INTO row_cells SELECT run_id, chunk, first_row, n_rows, cells FROM src.row_cells")
            have = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                              "WHERE table_name = 'rows' AND table_catalog = 'old'").fetchall()}
            chunks = con.execute("SELECT run_id, facts, cells FROM src.row_cells ORDER BY run_id, chunk").fetchall()
            for run_id, blob, cells in chunks:
                facts = blob_table(blob)
                doc = doc_column(headers_of(old, run_id)[0])
                if doc is not None:  # version 2 kept the 批准文号 cell beside the facts
                    facts = facts.append_column("approval_doc", read_columns(cells, [f"_c{doc}"]).column(0))
                for field in facts.schema:
                    if field.name not in ("_row", "approval_doc") and field.name not in have:
                        con.execute(f'ALTER TABLE rows ADD COLUMN "{field.name}" {SQL_TYPES[field.type]}')
                        have.add(field.name)
                con.register("chunk_facts", facts)
                con.execute(f"INSERT INTO rows BY NAME SELECT {run_id} AS run_id, _row AS row, * EXCLUDE (_row) FROM chunk_facts")
                con.unregister("chunk_facts")
            con.execute("DETACH src")
    finally:
        patch.undo()


def _facts(path) -> list:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [(run_id, blob_table(blob).to_pylist()) for run_id, blob in
                con.execute("SELECT run_id, facts FROM row_cells ORDER BY run_id, chunk").fetchall()]
    finally:
        con.close()


def _rows(path) -> list:
    """What progress reads of each run: its rows' 批准文号 and compared facts."""
    with Store.open(path, readonly=True) as store:
        return [run_facts(store, run_id, list(schema.ROW_FACTS), approval_doc=True).to_pylist() for run_id in (1, 2)]


def test_version_2_is_upgraded_to_the_same_record(stores):
    new, old = stores
    con = duckdb.connect(str(old), read_only=True)
    wide = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'rows'").fetchall()}
    con.close()
    assert {"parcel_id", "land_use", "supplied_on"} <= wide  # every fact a column, as version 2 kept them
    result = run("runs", store=old)  # opening upgrades
    assert result.exit_code == 0, result.output
    with Store.open(old, readonly=True) as upgraded:
        assert upgraded.version() == schema.SCHEMA_VERSION == 3
        assert not upgraded.con.execute("SELECT * FROM information_schema.tables WHERE table_name = 'rows'").fetchall()
    assert _rows(old) == _rows(new) and len(_rows(new)[0]) == 40
    assert any(r["supplied_on"] for r in _rows(new)[1])
    assert _facts(old) == _facts(new) and len(_facts(new)) == 2
    assert any(r["land_use"] for _, chunk in _facts(old) for r in chunk)


def test_history_progress_and_replay_are_alike_after_the_upgrade(stores, tmp_path):
    new, old = stores
    run("runs", store=old)
    for args in (("history", "SL-017", "--json"), ("progress", "1", "2")):
        a, b = run(*args, store=new), run(*args, store=old)
        assert a.exit_code == b.exit_code and a.stdout == b.stdout, (a.output, b.output)
    for store, out in ((new, "new.jsonl"), (old, "old.jsonl")):
        assert run("progress", "1", "2", "-o", tmp_path / out, store=store).exit_code == 1  # SL-010 移出
    assert (tmp_path / "new.jsonl").read_bytes() == (tmp_path / "old.jsonl").read_bytes()
    steps = json.loads(run("history", "SL-017", "--json", store=old).stdout)
    assert steps[1]["changed"]["construction_started_on"] == {"before": None, "after": "2021-11-15"}
    replayed = run("replay", "1", store=old)
    assert replayed.exit_code == 0 and "全部 40 行的决策与记录一致" in replayed.stdout, replayed.output
