"""The store's schema, versioned: an ordered list of migrations.

How to add a migration (another branch adding tables, a new column, …):

1. Append ONE `Migration` to `MIGRATIONS` below, with the next version number (its position + 1)
   and a one-line description. Never edit or reorder a migration that has shipped: stores in
   the field were built by it. A migration is either a tuple of SQL statements or a function
   taking the DuckDB connection (for data that must be computed).
2. `SCHEMA_VERSION` follows by itself. `Store.open` applies every migration newer than the
   store's `meta.schema_version`, all in one transaction with the version update, so a store is
   at one version or the previous one, never in between. A store whose version is newer than
   `SCHEMA_VERSION` is refused (it was written by a newer landrules).
3. Add a test in tests/record/ that opens a store made at the previous version (see
   `tests/record/test_store_upgrade.py`) and checks the new table or column.

Tables of version 1 (the record of runs, contract §7):

- `runs`            one row per recorded run; `id` increases, a run appears here only when whole
- `rulebook_files`  rulebook files by content (sha256 of the bytes), each stored once
- `rulebooks`       rulebook hash (as decisions cite it) → its files: role (rules|policy), name, sha256
- `rows`            (until version 3) every row as decided: one typed column per catalogue field
                    and `approval_doc` (the 批准文号 cell); now in `row_cells.facts`
- `row_cells`       every row as read: the input cells of a chunk of rows as one Arrow IPC file,
                    zstd-compressed (columns `_row` and `_c0`, `_c1` … in the order of
                    `runs.headers`; runs recorded before 2026-12 hold a Parquet file, told apart by
                    its magic bytes, `arrow_rows.blob_table`); a chunk of cells is written and
                    read whole (replay), never queried cell by cell, and so it costs a tenth of a
                    list column to store
- `decision_texts`  a run's distinct decisions (a ledger has a few hundred): the JSON record
                    without its `{"parcel_id":…` head, and the flattened columns progress reads
- `decisions`       one row per decided row: its text_id; the full record is the view
                    `decision_records` (head + text), the flat columns the view `decision_rows`

Tables of version 2 (the workbench on an intranet, issue 23):

- `accounts`        name, role, argon2 password hash, API token's sha256, active (record/accounts.py)
- `audit`           who did what, when, from where; appended only (record/audit.py)

Version 3 (recording cheaper, issue 24):

- `row_cells.facts` every canonical field of a chunk of rows, typed, as one zstd Arrow IPC file
                    (`_row` and one column a field, any field of the catalogue): a parcel's
                    history reads its chunk whole. Writing 40-odd typed columns into DuckDB cost
                    a recorded run more than the rest of recording together.
- `rows`            dropped: `progress` and `report --run` read the few facts they compare from
                    the chunks' `facts` (only those columns are decompressed, `run_facts.py`) and
                    query them in place. The upgrade moves each run's facts out of `rows` into
                    its chunks' `facts`, then drops the table.

Version 4 (recording cheaper, issue 24):

- `own_texts`       a run's distinct lists of a row's own errors or notes (errors name their row;
                    notes are the row's dates and the map's): the JSON list and its cell
- `decisions.errors_id`, `decisions.notes_id`  the row's own lists (null: none); its `text_id` is
                    its pattern's. Runs recorded before kept each row's own texts folded into a
                    `decision_texts` row of its own (both ids null), which the views still read:
                    `decision_rows` and `decision_records` put the own lists back in place of the
                    pattern's empty ones, so both kinds of run read alike.

Version 5 (recording cheaper, issue 24):

- `row_cells.cells`, `row_cells.facts`  a column whose cells repeat (most of a ledger's) may be an
                    Arrow dictionary over the chunk's distinct cells, or over what they read as:
                    a tenth of the bytes to compress and store. Readers take them back as plain
                    columns (`arrow_rows.dense`). Nothing to move: files written before are read
                    as they are; the version keeps a landrules before it from reading the new ones.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Union

Apply = Union[tuple[str, ...], Callable[[object], None]]


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Apply


_V1 = (
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        label VARCHAR NOT NULL,
        as_of DATE NOT NULL,
        ledger VARCHAR NOT NULL,          -- the ledger's file name
        ledger_sha256 VARCHAR NOT NULL,
        rows BIGINT NOT NULL,
        rulebook VARCHAR NOT NULL,        -- sha256:… as the decisions cite it
        engine VARCHAR,
        headers JSON,                     -- {"headers": the ledger's headers, "names": the fields they were read as}
        column_map VARCHAR,               -- the --columns YAML text, if any
        sheet VARCHAR,
        summary JSON,                     -- 宗数/面积 by category and outcome, invalid rows
        recorded_by VARCHAR NOT NULL,
        recorded_at TIMESTAMP NOT NULL,
        landrules_version VARCHAR
    )""",
    "CREATE TABLE rulebook_files (sha256 VARCHAR PRIMARY KEY, content BLOB NOT NULL)",
    """CREATE TABLE rulebooks (
        rulebook VARCHAR NOT NULL, role VARCHAR NOT NULL, name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
        PRIMARY KEY (rulebook, role, name)
    )""",
    """CREATE TABLE rows (
        run_id INTEGER NOT NULL, row BIGINT NOT NULL, approval_doc VARCHAR,
        parcel_id VARCHAR, area_mu DOUBLE
    )""",
    """CREATE TABLE row_cells (
        run_id INTEGER NOT NULL, chunk INTEGER NOT NULL, first_row BIGINT, n_rows INTEGER, cells BLOB NOT NULL
    )""",
    """CREATE TABLE decision_texts (
        run_id INTEGER NOT NULL, text_id INTEGER NOT NULL, tail VARCHAR NOT NULL,
        categories VARCHAR, outcome_codes VARCHAR, deadline VARCHAR, overdue VARCHAR,
        responsible VARCHAR, needs VARCHAR, errors VARCHAR, notes VARCHAR
    )""",
    """CREATE TABLE decisions (
        run_id INTEGER NOT NULL, row BIGINT NOT NULL, parcel_id VARCHAR, text_id INTEGER NOT NULL
    )""",
    """CREATE VIEW decision_rows AS
        SELECT d.run_id, d.row, d.parcel_id, t.categories, t.outcome_codes, t.deadline, t.overdue,
               t.responsible, t.needs, t.errors, t.notes, d.text_id
        FROM decisions d JOIN decision_texts t USING (run_id, text_id)""",
    """CREATE VIEW decision_records AS
        SELECT d.run_id, d.row, d.parcel_id,
               '{"parcel_id":' || coalesce(to_json(d.parcel_id)::VARCHAR, 'null') || t.tail AS record
        FROM decisions d JOIN decision_texts t USING (run_id, text_id)""",
)

_V2 = (
    """CREATE TABLE accounts (
        name VARCHAR PRIMARY KEY,
        role VARCHAR NOT NULL,            -- 查看, 填报, 审核 or 管理 (record/accounts.py)
        password_hash VARCHAR NOT NULL,   -- argon2id, with its parameters and salt
        token_sha256 VARCHAR,             -- the API token's sha256 (the token itself is never stored)
        active BOOLEAN NOT NULL,
        created_at TIMESTAMP NOT NULL,    -- UTC
        changed_at TIMESTAMP NOT NULL     -- UTC
    )""",
    """CREATE TABLE audit (
        at_utc TIMESTAMP NOT NULL,        -- when (UTC)
        actor VARCHAR NOT NULL,           -- the account, or the OS user at the command line
        action VARCHAR NOT NULL,          -- a key of record/audit.py ACTIONS
        target VARCHAR,                   -- the account changed, the run recorded, the name tried
        detail VARCHAR,
        origin VARCHAR                    -- the client's address, or 命令行@HOST
    )""",
)

# the facts `progress` compares (record/progress.py FACTS) and the area, with their types (a run
# whose ledger had no such column gives nulls of that type: `run_facts.py`)
ROW_FACTS = {
    "area_mu": "DOUBLE", "location": "VARCHAR", "holder": "VARCHAR", "approved_on": "DATE", "supplied_on": "DATE",
    "construction_started_on": "DATE", "developed_ratio": "DOUBLE", "recovery_agreed": "BOOLEAN",
    "idle_identified": "BOOLEAN",
}


def _v3(con) -> None:
    """Each chunk's facts out of `rows` into `row_cells.facts`, then `rows` dropped."""
    import pyarrow.ipc as ipc

    con.execute("ALTER TABLE row_cells ADD COLUMN facts BLOB")
    wide = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'rows' "
                                      "ORDER BY ordinal_position").fetchall()]
    facts = ", ".join(f'"{c}"' for c in wide if c not in ("run_id", "row", "approval_doc"))
    chunks = con.execute("""SELECT run_id, chunk, first_row, lead(first_row) OVER (PARTITION BY run_id ORDER BY first_row)
                            FROM row_cells WHERE first_row IS NOT NULL""").fetchall()
    for run_id, chunk, first, after in chunks:
        upto = "" if after is None else f"AND row < {int(after)}"
        table = con.sql(f"""SELECT row AS _row{', ' + facts if facts else ''} FROM rows
                            WHERE run_id = {int(run_id)} AND row >= {int(first)} {upto} ORDER BY row""").to_arrow_table()
        sink = io.BytesIO()  # as arrow_rows.arrow_blob writes it (this module is below it)
        with ipc.new_file(sink, table.schema, options=ipc.IpcWriteOptions(compression="zstd")) as writer:
            writer.write_table(table)
        con.execute("UPDATE row_cells SET facts = ? WHERE run_id = ? AND chunk = ?", [sink.getvalue(), run_id, chunk])
    con.execute("DROP TABLE rows")


# a pattern's JSON tail ends in its empty lists (decide.batch.own_tail); its length in characters
_EMPTY_TAIL = '"errors":[],"notes":[]}'

_V4 = (
    """CREATE TABLE own_texts (
        run_id INTEGER NOT NULL, own_id INTEGER NOT NULL,
        list VARCHAR NOT NULL,            -- the JSON list of errors or notes
        cell VARCHAR                      -- the same, as the cell of the errors or notes column
    )""",
    "ALTER TABLE decisions ADD COLUMN errors_id INTEGER",
    "ALTER TABLE decisions ADD COLUMN notes_id INTEGER",
    """CREATE OR REPLACE VIEW decision_rows AS
        SELECT d.run_id, d.row, d.parcel_id, t.categories, t.outcome_codes, t.deadline, t.overdue,
               t.responsible, t.needs,
               CASE WHEN d.errors_id IS NULL THEN t.errors ELSE e.cell END AS errors,
               CASE WHEN d.notes_id IS NULL THEN t.notes ELSE n.cell END AS notes, d.text_id
        FROM decisions d JOIN decision_texts t USING (run_id, text_id)
        LEFT JOIN own_texts e ON e.run_id = d.run_id AND e.own_id = d.errors_id
        LEFT JOIN own_texts n ON n.run_id = d.run_id AND n.own_id = d.notes_id""",
    f"""CREATE OR REPLACE VIEW decision_records AS
        SELECT d.run_id, d.row, d.parcel_id,
               '{{"parcel_id":' || coalesce(to_json(d.parcel_id)::VARCHAR, 'null') ||
               CASE WHEN d.errors_id IS NULL AND d.notes_id IS NULL THEN t.tail
                    ELSE left(t.tail, length(t.tail) - {len(_EMPTY_TAIL)}) || '"errors":' || coalesce(e.list, '[]')
                         || ',"notes":' || coalesce(n.list, '[]') || '}}' END AS record
        FROM decisions d JOIN decision_texts t USING (run_id, text_id)
        LEFT JOIN own_texts e ON e.run_id = d.run_id AND e.own_id = d.errors_id
        LEFT JOIN own_texts n ON n.run_id = d.run_id AND n.own_id = d.notes_id""",
)

MIGRATIONS: list[Migration] = [
    Migration(1, "the record of runs: runs, rows, decisions, rulebook files", _V1),
    Migration(2, "the workbench's accounts and the audit log", _V2),
    Migration(3, "each chunk's facts in row_cells.facts, in place of the table rows", _v3),
    Migration(4, "a row's own errors and notes as ids of own_texts, not a decision text each", _V4),
    Migration(5, "a chunk's cells and facts may hold a column as a dictionary over its distinct cells", ()),
]

SCHEMA_VERSION = len(MIGRATIONS)


def check_order() -> None:
    """Each migration's version is its position + 1 (a test calls this)."""
    for i, migration in enumerate(MIGRATIONS, 1):
        if migration.version != i:
            raise AssertionError(f"migration {migration.description!r} has version {migration.version}, expected {i}")
