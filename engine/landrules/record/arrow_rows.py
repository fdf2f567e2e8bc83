"""A decided chunk's rows as Arrow: the input cells (text, by header) and the canonical facts
(typed: dates as dates, yes/no as booleans, codes as codes), column by column, never row by row."""

from __future__ import annotations

import functools
import io

import numpy as np
import pandas as pd
import pyarrow as pa

from landrules.core import fields
from landrules.core.fields import FieldType
from landrules.ledger.validate.frame import ParsedFrame

_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()


def text_array(values: pd.Series) -> pa.Array:
    """A column of cells as Arrow strings (None and NaN as null); non-text cells (an Excel date,
    a number) by their str()."""
    try:
        if isinstance(values.dtype, np.dtype):  # Python objects: as a numpy array, twice as fast as the Series
            return pa.array(values.to_numpy(), type=pa.string(), from_pandas=True)
        array = pa.array(values, type=pa.string(), from_pandas=True)  # Arrow strings: taken as they are
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        array = pa.array([None if _missing(v) else str(v) for v in values], type=pa.string())
    return array


def text_arrays(frame: pd.DataFrame) -> list[pa.Array | pa.ChunkedArray]:
    """Each column of cells as Arrow strings (`text_array`); a column the reader gave as Arrow
    strings is taken as it is (pandas' large_string too: readers take either), without a
    conversion or a copy: a twentieth of the time."""
    columns = []
    for _, values in frame.items():
        array = values.array
        if isinstance(array, pd.arrays.ArrowStringArray):
            columns.append(array.__arrow_array__())
        else:
            columns.append(text_array(values))
    return columns


def cell_columns(frame: pd.DataFrame, parsed: ParsedFrame) -> list[pa.Array | pa.ChunkedArray]:
    """A chunk's `cells`: each column as `text_arrays` gives it, or, where validation factorised
    these very cells and they repeat, as a dictionary over its distinct cells (`coded`): a
    tenth of the bytes to compress and store; `blob_table` reads it back as text."""
    columns = text_arrays(frame)
    for j, (name, values) in enumerate(frame.items()):
        found = parsed.coded.get(name)
        if found is not None and found.source is values.array and _repeats(found.cells, parsed.n):
            columns[j] = pa.DictionaryArray.from_arrays(found.indices, found.cells)
    return columns


def _repeats(distinct: pa.Array, n: int) -> bool:
    """Whether a dictionary over `distinct` values is worth it for n rows: most rows repeat one."""
    return 2 * len(distinct) <= n


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def fact_array(name: str, column: np.ndarray) -> pa.Array:
    """One encoded column (core.values) decoded to its Arrow type: numbers as doubles, dates as
    dates, yes/no as booleans, codes as a dictionary array over the field's vocabulary (the
    codes are the dictionary's indices: no text is made per row)."""
    spec = fields.BY_NAME.get(name)
    if column.dtype == object:
        return pa.array(column, type=pa.string(), from_pandas=True)
    known = ~np.isnan(column)
    if spec is None or spec.type in (FieldType.NUMBER, FieldType.RATIO):
        return pa.array(column, type=pa.float64(), mask=~known)
    if spec.type is FieldType.DATE:
        days = np.where(known, column - _EPOCH_ORDINAL, 0).astype(np.int32)
        return pa.array(days, type=pa.int32(), mask=~known).cast(pa.date32())
    if spec.type is FieldType.BOOL:
        return pa.array(column > 0.5, type=pa.bool_(), mask=~known)  # (NaN > 0.5 is False, and masked)
    if spec.type is FieldType.ENUM:
        idx = pa.array(np.where(known, column, 0).astype(np.int32), mask=~known)
        return pa.DictionaryArray.from_arrays(idx, _vocabulary(name))
    return pa.array(column.astype(object), type=pa.string(), from_pandas=True)


@functools.cache
def _vocabulary(name: str) -> pa.Array:
    return pa.array(list(fields.BY_NAME[name].vocabulary), type=pa.string())


# the fields a chunk's facts may hold as a dictionary over their distinct cells' values
# (yes/no is a bit a row already, and a code a dictionary over the vocabulary)
_CODED_FIELDS = frozenset(f.name for f in fields.FIELDS if f.type in (FieldType.NUMBER, FieldType.RATIO, FieldType.DATE, FieldType.TEXT))


def fact_columns(parsed: ParsedFrame) -> dict[str, pa.Array]:
    """The canonical fields, typed (a chunk's `facts`); a text field that is its cells as read
    is taken from Arrow, not converted from its Python strings: as a dictionary over its distinct
    cells (a holder or a project repeats; no string is copied per row, and the file is smaller),
    the parcel ids as strings (they are distinct, and DuckDB takes them for `decisions`). Any
    other number, date or text still as its cells read is a dictionary over what each distinct
    cell reads as (`coded`: a fifth of the bytes to compress); `blob_table` reads it back as its type."""
    out = {}
    for name, column in parsed.columns.items():
        arrow = parsed.text_arrow(name, dictionary=name != "parcel_id")
        if arrow is None:
            coded = parsed.coded_column(name) if name in _CODED_FIELDS else None
            if coded is not None and _repeats(coded.cells, parsed.n):
                arrow = pa.DictionaryArray.from_arrays(coded.indices, fact_array(name, coded.values))
            else:
                arrow = fact_array(name, column)
        out[name] = arrow
    return out


def arrow_blob(table: pa.Table) -> pa.Buffer:
    """A chunk's input cells or facts as one Arrow IPC file, zstd-compressed: half the CPU of
    Parquet (which encodes every page) and a fifth of DuckDB's columns; written and read whole.
    Written into Arrow's own buffer (a Python file object would take each of its pieces through
    the interpreter, and be copied whole at the end), on the recorder's thread alone: Arrow's
    pool would compress the columns on other threads, which only compete with the decide
    loop's for the cores (3 % more CPU a recorded run, bench/record_bench.py)."""
    import pyarrow.ipc as ipc

    sink = pa.BufferOutputStream()
    with ipc.new_file(sink, table.schema, options=ipc.IpcWriteOptions(compression="zstd", use_threads=False)) as writer:
        writer.write_table(table)
    return sink.getvalue()


def blob_table(blob: bytes) -> pa.Table:
    """`arrow_blob` read back, its dictionaries as their values (`dense`); cells recorded by an
    earlier landrules are a Parquet file."""
    if blob[:4] == b"PAR1":
        import pyarrow.parquet as pq

        return pq.read_table(io.BytesIO(blob))
    import pyarrow.ipc as ipc

    return dense(ipc.open_file(pa.BufferReader(blob)).read_all())


def dense(table: pa.Table) -> pa.Table:
    """`table` with each dictionary column as its values (a chunk's cells and facts store a
    repeated cell once: `cell_columns`, `fact_columns`), so that every reader sees the columns
    of text, numbers and dates they were written from."""
    for j, column in enumerate(table.columns):
        if pa.types.is_dictionary(column.type):
            table = table.set_column(j, table.field(j).name, column.cast(column.type.value_type))
    return table
