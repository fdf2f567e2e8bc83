"""A CSV ledger's data rows in chunks, read by pyarrow's streaming CSV reader.

Every cell stays text (an Arrow string column; empty cells ""), in chunks of `chunk_rows` rows
whose columns are Arrow-backed pandas strings, so validation can dictionary-encode them without
a Python object per cell. Rows are numbered as a person sees them in the file (records: a
quoted line break inside a cell does not start a new row), as pandas' reader numbers them:

- a blank line is a row of empty cells (the caller leaves it out, its number skipped);
- a row with fewer fields than the header has its last cells empty.

Anything else that pyarrow will not read as it stands — a row with more fields than the header,
a quote left open, bytes that do not decode — raises `NotForArrow` and the caller reads the
file with pandas' reader, which words the refusal (`read._open_csv`); `state["next"]` then says
from which file row on rows are still to be handed out.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

# pyarrow's own default: its streaming reader holds some 35 MiB of blocks read ahead at 1 MiB,
# 150 MiB at 4 MiB (and is no faster there), a fifth of decide's peak memory
BLOCK_BYTES = 1 << 20


def arrow_grids(
    path: Path, encoding: str, sep: str, skip: int, width: int, chunk_rows: int, state: dict, whole_utf8: bool = False
) -> Iterator[tuple[pd.DataFrame, int]]:
    """(grid, file row of its first row) for the data rows after the first `skip` records;
    grids have columns 0..width-1. `state["next"]` follows the file row of the next row to
    hand out (for the caller's fallback on NotForArrow). `whole_utf8`: the caller has checked
    that every byte of the file is UTF-8 (`charset.detect`), so Arrow does not check each cell
    again (a quarter of its reading's CPU).

    Read on all cores; at the first row whose field count is not the header's (pyarrow then
    cannot say which row it is) the file is read again on one thread from the row after the
    last one handed out, which numbers it."""
    state.setdefault("next", skip + 1)
    try:
        yield from _stream(path, encoding, sep, skip, width, chunk_rows, state, whole_utf8, threads=True)
    except _Serial:
        yield from _stream(path, encoding, sep, skip, width, chunk_rows, state, whole_utf8, threads=False)


class _Serial(Exception):
    """A bad row turned up while reading on several threads."""


class NotForArrow(Exception):
    """The file has something pyarrow's reader will not read as pandas' reader does."""


def _stream(path, encoding, sep, skip, width, chunk_rows, state, whole_utf8: bool, threads: bool):
    names = [str(i) for i in range(width)]
    short: list[tuple[int, str]] = []  # (file row, raw text) of rows with fewer fields
    unnumbered: list[bool] = []

    def invalid(row: pa_csv.InvalidRow) -> str:
        if row.number is None or row.number < 0:
            unnumbered.append(True)
        elif row.actual_columns < row.expected_columns and '"' not in row.text:
            short.append((row.number, row.text))
            return "skip"
        return "error"  # too many fields, or a quote (maybe one left open to the end): pandas

    read = pa_csv.ReadOptions(
        skip_rows=skip, column_names=names, use_threads=threads, block_size=BLOCK_BYTES,
        encoding="utf8" if encoding in ("utf-8", "utf-8-sig", "utf8") else encoding,
    )
    parse = pa_csv.ParseOptions(delimiter=sep, newlines_in_values=True, ignore_empty_lines=False,
                                invalid_row_handler=invalid)
    # large_string, as pandas keeps Arrow text: read as string, every column's offsets would be
    # widened to 64 bits (a copy) when the grid is made, a third of the grid's cost
    convert = pa_csv.ConvertOptions(column_types={n: pa.large_string() for n in names}, strings_can_be_null=False,
                                    quoted_strings_can_be_null=False, check_utf8=not whole_utf8)
    offset = skip + 1  # file row of the first row in `pending`
    pending: list[pa.RecordBatch] = []
    held = 0
    try:
        reader = pa_csv.open_csv(path, read_options=read, parse_options=parse, convert_options=convert)
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            pending.append(batch)
            held += batch.num_rows
            while held >= chunk_rows:
                table = pa.Table.from_batches(pending)
                grid, end = _grid(table.slice(0, chunk_rows), offset, short, width, sep)
                rest = table.slice(chunk_rows)
                pending, held = rest.to_batches(), rest.num_rows
                del table, rest  # the grid holds its own copy (one chunk a column): the blocks go now, not after it is used
                yield from _hand_out(grid, offset, end, state)
                offset = end
        if held or short:
            table = pa.Table.from_batches(pending, schema=reader.schema)
            grid, end = _grid(table, offset, short, width, sep, last=True)
            yield from _hand_out(grid, offset, end, state)
    except pa.ArrowInvalid:
        if unnumbered:
            raise _Serial() from None
        raise NotForArrow() from None
    except (UnicodeDecodeError, LookupError):
        raise NotForArrow() from None


def _hand_out(grid: pd.DataFrame, first: int, end: int, state: dict) -> Iterator[tuple[pd.DataFrame, int]]:
    """The rows of a grid (file rows first..end-1) not handed out before (a re-read)."""
    if end <= state["next"]:
        return
    if first < state["next"]:
        grid = grid.iloc[state["next"] - first:].reset_index(drop=True)
        first = state["next"]
    state["next"] = end
    yield grid, first


def _grid(
    table: pa.Table, offset: int, short: list[tuple[int, str]], width: int, sep: str, last: bool = False,
) -> tuple[pd.DataFrame, int]:
    """The rows of `table` starting at file row `offset`, with the short rows skipped by the
    parser put back in their places; returns the grid and the file row after it.

    A short row belongs to this stretch when it falls inside it (each one taken in makes the
    stretch a row longer); the `last` stretch of the file takes every short row left — those
    after its last full row, or all of them when the file ends in short rows only."""
    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    grid = table.combine_chunks().to_pandas(types_mapper={pa.large_string(): dtype}.get)  # one Arrow chunk a column: one call, not one a block, for each later step
    grid.columns = range(width)
    mine = []
    end = offset + table.num_rows
    while short and (last or short[0][0] < end + len(mine)):  # a skipped row inside this stretch
        mine.append(short.pop(0))
    if mine:
        rows = [_padded(text, width, sep) for _, text in mine]
        numbers = np.array([n for n, _ in mine])
        extra = pd.DataFrame(rows, columns=range(width)).astype(dtype)
        total = table.num_rows + len(mine)
        places = numbers - offset
        if places.min() < 0 or places.max() >= total or len(np.unique(places)) != len(places):
            raise NotForArrow()  # the parser's row numbers do not fit this stretch: pandas reads it
        is_short = np.zeros(total, dtype=bool)
        is_short[places] = True
        order = np.empty(total, dtype=np.int64)
        order[~is_short] = np.arange(table.num_rows)
        order[is_short] = table.num_rows + np.arange(len(mine))
        grid = pd.concat([grid, extra], ignore_index=True).iloc[order].reset_index(drop=True)
    return grid, offset + len(grid)


def _padded(text: str, width: int, sep: str) -> list[str]:
    fields = next(csv.reader([text], delimiter=sep), []) if text else []
    return fields + [""] * (width - len(fields))
