"""The writers of JSONL, CSV and Parquet; what they share is in `base.py`. Which writer an
extension gets is the registry's (`decide/outputs.py`), with the workbook beside these."""

from __future__ import annotations

import csv
import io
import os

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from landrules.ledger.write.arrow_text import controls_shown, defuse_array, text_array
from landrules.ledger.write.base import (
    OUTPUT_COLUMNS,
    DecisionWriter,
    defuse,
    unique_names,
)
from landrules.ledger.write.flat import FlatColumns
from landrules.ledger.write.json_lines import JsonLines


class JsonlWriter(DecisionWriter):
    """One JSON object a line, UTF-8, "\\n" line ends."""

    takes_flat_columns = True  # flat is not written
    in_background = True  # a chunk's lines share their patterns' text (json_lines): a waiting chunk is small

    def _open(self, fd: int) -> None:
        self._handle = open(fd, "wb")

    def _write(self, inputs, flat, jsonl) -> None:
        if len(jsonl) != len(flat):
            raise ValueError(f"{len(jsonl)} JSON lines for {len(flat)} rows")
        lines = jsonl if isinstance(jsonl, JsonLines) else JsonLines.of(list(jsonl))
        for block in lines.blocks():
            self._handle.write(block)

    def _finish(self, summary) -> None:
        self._handle.close()

    def _discard(self) -> None:
        if hasattr(self, "_handle"):
            self._handle.close()


class CsvWriter(DecisionWriter):
    """UTF-8 with BOM, "\r\n", input columns then the decision columns; text cells defused.

    Written by pyarrow's CSV writer from Arrow string arrays (ten times pandas' `to_csv`):
    every text field of a row is quoted, an empty cell is an empty field; the header is quoted
    only where needed, as before."""

    def _open(self, fd: int) -> None:
        self._handle = open(fd, "wb")
        self._handle.write("\ufeff".encode())
        # an input column named like a decision column is renamed (.1), as in Parquet
        self._names = [*unique_names(self.input_headers, OUTPUT_COLUMNS), *OUTPUT_COLUMNS]
        line = io.StringIO()
        csv.writer(line, lineterminator="\r\n").writerow([defuse(h) for h in self._names])  # minimal quoting
        self._handle.write(line.getvalue().encode())

    takes_flat_columns = True
    in_background = True

    def _write(self, inputs, flat, jsonl) -> None:
        arrays = [defuse_array(controls_shown(text_array(inputs.iloc[:, i]))) for i in range(inputs.shape[1])]
        # the decision columns decoded here, each in one `take`: pyarrow's writer would decode a
        # DictionaryArray batch by batch of 1 024 rows (a fifth slower on the whole chunk)
        arrays += [decoded(a) for a in flat_arrays(flat, defused=True)]
        table = pa.Table.from_arrays(arrays, names=[str(i) for i in range(len(arrays))])
        pa_csv.write_csv(table, self._handle, pa_csv.WriteOptions(include_header=False, eol="\r\n"))

    def _finish(self, summary) -> None:
        self._handle.close()

    def _discard(self) -> None:
        if hasattr(self, "_handle"):
            self._handle.close()


def flat_arrays(flat: pd.DataFrame | FlatColumns, defused: bool) -> list[pa.Array]:
    """The decision columns as Arrow arrays, empty cells null (CSV: defused): from FlatColumns
    DictionaryArrays whose few distinct texts are converted and defused once."""
    if isinstance(flat, FlatColumns):
        out = []
        for c in OUTPUT_COLUMNS:
            dictionary = flat.dictionary(c)
            out.append(flat.arrow(c, defuse_array(dictionary) if defused else dictionary))
        return out
    return [defuse_array(text_array(flat[c])) if defused else text_array(flat[c]) for c in OUTPUT_COLUMNS]


def decoded(arr: pa.Array) -> pa.Array:
    """A DictionaryArray as the plain array of its values (one `take`); any other as it is."""
    return arr.dictionary.take(arr.indices) if isinstance(arr, pa.DictionaryArray) else arr


class ParquetDecisionWriter(DecisionWriter):
    """All columns string (None for empty); an input header clashing with another column gets .1."""

    def _open(self, fd: int) -> None:
        import pyarrow.parquet as pq

        os.close(fd)
        names = unique_names(self.input_headers, OUTPUT_COLUMNS) + list(OUTPUT_COLUMNS)
        self._schema = pa.schema([pa.field(name, pa.string()) for name in names])
        self._writer = pq.ParquetWriter(self.tmp, self._schema)

    takes_flat_columns = True
    in_background = True

    def _write(self, inputs, flat, jsonl) -> None:
        if not len(flat):
            return
        arrays = [text_array(inputs.iloc[:, i]) for i in range(inputs.shape[1])]
        arrays += [decoded(a) for a in flat_arrays(flat, defused=False)]
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))

    def _finish(self, summary) -> None:
        self._writer.close()

    def _discard(self) -> None:
        if hasattr(self, "_writer"):
            try:
                self._writer.close()
            except Exception:  # noqa: BLE001 - the file is deleted anyway
                pass
