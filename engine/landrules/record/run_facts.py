"""A run's facts read back from its chunks' Arrow IPC files (`row_cells.facts`, and the 批准文号
cell from `row_cells.cells`), only the columns asked for (the IPC reader decompresses no other):
what `progress` compares and `reread` counts, as one Arrow table that DuckDB queries in place.

    table = run_facts(store, run_id, ["area_mu", "supplied_on"], approval_doc=True)
    # columns: row, approval_doc, area_mu, supplied_on (a field the run lacks: nulls of its type)
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.ipc as ipc

from landrules.record.arrow_rows import dense
from landrules.record.runs import headers_of
from landrules.record.schema import ROW_FACTS
from landrules.record.store import Store

APPROVAL_DOC = "批准文号"  # the identifying cell of a parcel whose id changed (contract §7)
_TYPES = {"DOUBLE": pa.float64(), "VARCHAR": pa.string(), "DATE": pa.date32(), "BOOLEAN": pa.bool_()}
FACT_TYPES = {name: _TYPES[sql] for name, sql in ROW_FACTS.items()}


def doc_column(headers: Sequence[str]) -> int | None:
    """The position of the 批准文号 column among the ledger's headers, if it has one."""
    headers = [str(h).strip() for h in headers]
    return headers.index(APPROVAL_DOC) if APPROVAL_DOC in headers else None


def read_columns(blob: bytes, names: Sequence[str]) -> pa.Table:
    """The columns `names` of an Arrow IPC file (or, for cells recorded before 2026-12, a
    Parquet file) that it has, the others left out; nothing else decompressed."""
    if blob[:4] == b"PAR1":
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(io.BytesIO(blob))
        return parquet.read(columns=[n for n in names if n in parquet.schema_arrow.names])
    schema = ipc.open_file(pa.BufferReader(blob)).schema
    wanted = [schema.get_field_index(n) for n in names if n in schema.names]
    return dense(ipc.open_file(pa.BufferReader(blob), options=ipc.IpcReadOptions(included_fields=wanted)).read_all())


def run_facts(store: Store, run_id: int, fields: Sequence[str], approval_doc: bool = False) -> pa.Table:
    """`row`, then `approval_doc` if asked for, then `fields`, for every row of the run in order."""
    doc = doc_column(headers_of(store, run_id)[0]) if approval_doc else None
    schema = pa.schema([("row", pa.int64()), *([("approval_doc", pa.string())] if approval_doc else []),
                        *((f, FACT_TYPES.get(f, pa.string())) for f in fields)])
    parts = []
    # on the store's own connection, not a cursor (another connection): a run being recorded
    # (the bulletin's 本季进展 before COMMIT) is seen only inside its transaction
    result = store.con.execute(
        "SELECT facts, cells FROM row_cells WHERE run_id = ? ORDER BY first_row NULLS FIRST, chunk", [int(run_id)])
    while (chunk := result.fetchone()) is not None:
        facts, cells = chunk
        table = read_columns(facts, ["_row", *fields])
        n = table.num_rows
        columns = {"row": table.column("_row")}
        if approval_doc:
            columns["approval_doc"] = (read_columns(cells, [f"_c{doc}"]).column(0) if doc is not None
                                       else pa.nulls(n, pa.string()))
        for f in fields:
            columns[f] = table.column(f) if f in table.column_names else pa.nulls(n, FACT_TYPES.get(f, pa.string()))
        parts.append(pa.table(columns).cast(schema))
    return pa.concat_tables(parts) if parts else schema.empty_table()
