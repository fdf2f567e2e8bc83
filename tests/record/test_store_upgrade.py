"""Stores of earlier versions upgraded in place: version 2 (every fact a column of `rows`) and
version 3 (facts in `row_cells.facts`; a row's own errors and notes folded into a decision text
of its own) and version 4 (own lists in `own_texts`, referred to by `decisions.errors_id` and
`notes_id`; every column of the cells and facts files plain) to the current one (repeated cells
as dictionaries): the same runs, facts, records, history, progress and replay after."""

from __future__ import annotations

import json

import duckdb
import pyarrow as pa
import pytest
from record_helpers import decisions, record_two_quarters, run

from landrules.record import schema
from landrules.record.arrow_rows import arrow_blob, blob_table
from landrules.record.run_facts import doc_column, read_columns, run_facts
from landrules.record.store import Store

SQL_TYPES = {pa.string(): "VARCHAR", pa.float64(): "DOUBLE", pa.date32(): "DATE", pa.bool_(): "BOOLEAN"}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A store recorded now: the sample's two quarters."""
    new = tmp_path_factory.mktemp("upgrade") / "new.duckdb"
    record_two_quarters(new)
    return new


@pytest.fixture(scope="module")
def stores(recorded):
    """(a store recorded now, the same two runs as a version-2 store would hold them)."""
    old = recorded.parent / "v2.duckdb"
    _as_version_2(recorded, old)
    return recorded, old


@pytest.fixture(scope="module")
def stores_3(recorded):
    """(a store recorded now, the same two runs as a version-3 store would hold them)."""
    old = recorded.parent / "v3.duckdb"
    with _at_version(old, 3) as con:
        con.execute(f"ATTACH '{recorded}' AS src (READ_ONLY)")
        for table in ("runs", "rulebooks", "rulebook_files", "row_cells", "audit"):
            con.execute(f"INSERT INTO {table} SELECT * FROM src.{table}")
        _fold_own_texts(con)
        con.execute("DETACH src")
    return recorded, old


@pytest.fixture(scope="module")
def stores_4(recorded):
    """(a store recorded now, the same two runs in a version-4 store whose cells and facts files
    hold no dictionary: version 4 wrote its cells plain, and only the facts' codes and texts
    as dictionaries, which read back alike)."""
    old = recorded.parent / "v4.duckdb"
    with _at_version(old, 4) as con:
        con.execute(f"ATTACH '{recorded}' AS src (READ_ONLY)")
        for table in ("runs", "rulebooks", "rulebook_files", "decision_texts", "own_texts", "decisions", "audit"):
            con.execute(f"INSERT INTO {table} SELECT * FROM src.{table}")
        for run_id, chunk, first_row, n_rows, cells, facts in con.execute(
                "SELECT run_id, chunk, first_row, n_rows, cells, facts FROM src.row_cells").fetchall():
            plain = [arrow_blob(blob_table(blob)).to_pybytes() for blob in (cells, facts)]  # read back plain (`dense`)
            con.execute("INSERT INTO row_cells VALUES (?, ?, ?, ?, ?, ?)", [run_id, chunk, first_row, n_rows, *plain])
        con.execute("DETACH src")
    return recorded, old


def _dictionaries(path) -> int:
    """How many columns of the store's cells and facts files are dictionaries (as written, not read back)."""
    import pyarrow.ipc as ipc

    con = duckdb.connect(str(path), read_only=True)
    try:
        blobs = [b for row in con.execute("SELECT cells, facts FROM row_cells").fetchall() for b in row]
    finally:
        con.close()
    return sum(pa.types.is_dictionary(f.type) for b in blobs for f in ipc.open_file(pa.BufferReader(b)).schema)


class _at_version:
    """A store created at an earlier schema version: its connection."""

    def __init__(self, path, version: int):
        self.path, self.version, self.patch = path, version, pytest.MonkeyPatch()

    def __enter__(self):
        self.patch.setattr("landrules.record.store.MIGRATIONS", schema.MIGRATIONS[:self.version])
        self.patch.setattr("landrules.record.store.SCHEMA_VERSION", self.version)
        self.store = Store.open(self.path).__enter__()
        assert self.store.version() == self.version
        return self.store.con

    def __exit__(self, *exc):
        try:
            self.store.__exit__(*exc)
        finally:
            self.patch.undo()


def _fold_own_texts(con) -> None:
    """`src`'s decision texts and decisions as versions 1–3 kept them: each combination of a
    pattern and a row's own errors and notes a decision text of its own (its tail with the
    lists in place of [], its errors and notes cells the row's), the row's text id that one's."""
    con.execute("""CREATE TEMP TABLE combos AS
        SELECT c.run_id, text_id, errors_id, notes_id,
               m.last + row_number() OVER (PARTITION BY c.run_id ORDER BY c.first) AS new_id
        FROM (SELECT run_id, text_id, errors_id, notes_id, min(row) AS first FROM src.decisions
              WHERE errors_id IS NOT NULL OR notes_id IS NOT NULL GROUP BY ALL) c
        JOIN (SELECT run_id, max(text_id) AS last FROM src.decision_texts GROUP BY run_id) m USING (run_id)""")
    con.execute("INSERT INTO decision_texts SELECT * FROM src.decision_texts")
    con.execute("""INSERT INTO decision_texts
        SELECT c.run_id, c.new_id,
               left(t.tail, length(t.tail) - 23) || '"errors":' || coalesce(e.list, '[]') || ',"notes":'
               || coalesce(n.list, '[]') || '}',
               t.categories, t.outcome_codes, t.deadline, t.overdue, t.responsible, t.needs, e.cell, n.cell
        FROM combos c JOIN src.decision_texts t ON t.run_id = c.run_id AND t.text_id = c.text_id
        LEFT JOIN src.own_texts e ON e.run_id = c.run_id AND e.own_id = c.errors_id
        LEFT JOIN src.own_texts n ON n.run_id = c.run_id AND n.own_id = c.notes_id""")
    con.execute("""INSERT INTO decisions
        SELECT d.run_id, d.row, d.parcel_id, coalesce(c.new_id, d.text_id) FROM src.decisions d
        LEFT JOIN combos c ON c.run_id = d.run_id AND c.text_id = d.text_id
             AND c.errors_id IS NOT DISTINCT FROM d.errors_id AND c.notes_id IS NOT DISTINCT FROM d.notes_id""")
    con.execute("DROP TABLE combos")


def _as_version_2(source, target) -> None:
    with _at_version(target, 2) as con:
        con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
        for table in ("runs", "rulebooks", "rulebook_files", "audit"):
            con.execute(f"INSERT INTO {table} SELECT * FROM src.{table}")
        _fold_own_texts(con)
        con.execute("INSERT INTO row_cells SELECT run_id, chunk, first_row, n_rows, cells FROM src.row_cells")
        have = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                          "WHERE table_name = 'rows' AND table_catalog = current_database()").fetchall()}
        chunks = con.execute("SELECT run_id, facts, cells FROM src.row_cells ORDER BY run_id, chunk").fetchall()
        for run_id, blob, cells in chunks:
            facts = blob_table(blob)  # codes read back as their text (`dense`), as version 2 kept them
            doc = doc_column(_headers(con, run_id))
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


def _headers(con, run_id: int) -> list[str]:
    return json.loads(con.execute("SELECT headers FROM runs WHERE id = ?", [run_id]).fetchall()[0][0])["headers"]


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
        assert upgraded.version() == schema.SCHEMA_VERSION
        assert not upgraded.con.execute("SELECT * FROM information_schema.tables WHERE table_name = 'rows'").fetchall()
    assert _rows(old) == _rows(new) and len(_rows(new)[0]) == 40
    assert any(r["supplied_on"] for r in _rows(new)[1])
    assert _facts(old) == _facts(new) and len(_facts(new)) == 2
    assert any(r["land_use"] for _, chunk in _facts(old) for r in chunk)


def _records(path) -> dict:
    """Each run's rows as the views give them: the JSON records and the flat columns."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {"records": decisions(path),
                "rows": con.execute("SELECT * EXCLUDE (text_id) FROM decision_rows ORDER BY run_id, row").fetchall()}
    finally:
        con.close()


def test_version_3_is_upgraded_to_the_same_records(stores_3):
    new, old = stores_3
    con = duckdb.connect(str(old), read_only=True)
    own = con.execute("SELECT count(*) FILTER (WHERE errors IS NOT NULL), count(*) FILTER (WHERE notes IS NOT NULL) "
                      "FROM decision_texts").fetchall()[0]
    con.close()
    assert own[0] >= 2 and own[1] >= 1  # version 3 folded the rows' own errors and notes into texts of their own
    result = run("runs", store=old)  # opening upgrades
    assert result.exit_code == 0, result.output
    with Store.open(old, readonly=True) as upgraded:
        assert upgraded.version() == schema.SCHEMA_VERSION
        assert upgraded.con.execute("SELECT count(*) FROM own_texts").fetchall()[0][0] == 0  # nothing to move
    assert _records(old) == _records(new)
    assert len(_records(new)["rows"]) == 80


def test_a_run_keeps_each_list_of_a_row_s_own_texts_once(recorded):
    """Recorded now: decision texts are the patterns' (no errors or notes of a row), the rows'
    own lists are in own_texts, each once, and the records read them back."""
    con = duckdb.connect(str(recorded), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM decision_texts WHERE errors IS NOT NULL OR notes IS NOT NULL"
                           ).fetchall()[0][0] == 0
        lists = con.execute("SELECT run_id, list, count(*) FROM own_texts GROUP BY ALL").fetchall()
        assert lists and all(n == 1 for _, _, n in lists)
        errors = con.execute("""SELECT d.parcel_id, r.errors, json_extract_string(c.record, '$.errors[0]')
                                FROM decisions d JOIN decision_rows r USING (run_id, row)
                                JOIN decision_records c USING (run_id, row)
                                WHERE d.run_id = 1 AND d.errors_id IS NOT NULL ORDER BY d.row""").fetchall()
    finally:
        con.close()
    assert len(errors) == 2  # the sample's two invalid rows
    assert all(cell and first and first in cell for _, cell, first in errors), errors


def test_version_4_is_upgraded_and_its_plain_files_read_as_the_coded_ones(stores_4):
    new, old = stores_4
    assert _dictionaries(old) == 0 < _dictionaries(new)  # the sample's repeated cells: coded since version 5
    assert run("runs", store=old).exit_code == 0  # opening upgrades
    with Store.open(old, readonly=True) as upgraded:
        assert upgraded.version() == schema.SCHEMA_VERSION == 5
    assert _dictionaries(old) == 0  # nothing rewritten
    assert _facts(old) == _facts(new) and _rows(old) == _rows(new) and _records(old) == _records(new)


@pytest.mark.parametrize("older", ["stores", "stores_3", "stores_4"])
def test_history_progress_and_replay_are_alike_after_the_upgrade(older, request, tmp_path):
    new, old = request.getfixturevalue(older)
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
