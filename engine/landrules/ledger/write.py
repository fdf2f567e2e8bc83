"""The writers of JSONL, CSV and Parquet, and `open_writer`, which picks one by extension
(XLSX lives in `xlsx.py`); what they share is in `output.py`."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from landrules.ledger.output import (
    OUTPUT_COLUMNS,
    DecisionWriter,
    Labels,
    defuse,
    defuse_column,
    output_format,
    text_column,
    unique_names,
)


class JsonlWriter(DecisionWriter):
    """One JSON object a line, UTF-8, "\\n" line ends."""

    def _open(self, fd: int) -> None:
        self._handle = open(fd, "w", encoding="utf-8", newline="\n")

    def _write(self, inputs, flat, jsonl) -> None:
        if len(jsonl) != len(flat):
            raise ValueError(f"{len(jsonl)} JSON lines for {len(flat)} rows")
        if len(jsonl):
            self._handle.write("\n".join(jsonl))
            self._handle.write("\n")

    def _finish(self, summary) -> None:
        self._handle.close()

    def _discard(self) -> None:
        if hasattr(self, "_handle"):
            self._handle.close()


class CsvWriter(DecisionWriter):
    """UTF-8 with BOM, "\\r\\n", input columns then the decision columns; text cells defused."""

    def _open(self, fd: int) -> None:
        self._handle = open(fd, "w", encoding="utf-8", newline="")
        self._handle.write("\ufeff")
        # an input column named like a decision column is renamed (.1), as in Parquet
        header = [defuse(h) for h in (*unique_names(self.input_headers, OUTPUT_COLUMNS), *OUTPUT_COLUMNS)]
        csv.writer(self._handle, lineterminator="\r\n").writerow(header)  # quoted as pandas quotes

    def _write(self, inputs, flat, jsonl) -> None:
        columns = [defuse_column(text_column(inputs.iloc[:, i])) for i in range(inputs.shape[1])]
        columns += [defuse_column(flat[c]) for c in OUTPUT_COLUMNS]
        frame = pd.DataFrame(dict(enumerate(columns)), copy=False)
        frame.to_csv(self._handle, header=False, index=False, lineterminator="\r\n")

    def _finish(self, summary) -> None:
        self._handle.close()

    def _discard(self) -> None:
        if hasattr(self, "_handle"):
            self._handle.close()


class ParquetDecisionWriter(DecisionWriter):
    """All columns string (None for empty); an input header clashing with another column gets .1."""

    def _open(self, fd: int) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        os.close(fd)
        names = unique_names(self.input_headers, OUTPUT_COLUMNS) + list(OUTPUT_COLUMNS)
        self._schema = pa.schema([pa.field(name, pa.string()) for name in names])
        self._writer = pq.ParquetWriter(self.tmp, self._schema)

    def _write(self, inputs, flat, jsonl) -> None:
        import pyarrow as pa

        if not len(flat):
            return
        columns = [text_column(inputs.iloc[:, i]) for i in range(inputs.shape[1])]
        columns += [flat[c] for c in OUTPUT_COLUMNS]
        arrays = [pa.array(c.mask(c == ""), type=pa.string(), from_pandas=True) for c in columns]
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))

    def _finish(self, summary) -> None:
        self._writer.close()

    def _discard(self) -> None:
        if hasattr(self, "_writer"):
            try:
                self._writer.close()
            except Exception:  # noqa: BLE001 - the file is deleted anyway
                pass


def open_writer(path: Path, input_headers: Sequence[Any], labels: Labels | None = None,
                input_names: Sequence[str | None] | None = None) -> DecisionWriter:
    """The writer for `path`'s extension (OutputError for another one). `input_names`: the
    field each input column holds (the ledger's column names; XLSX types and orders by them)."""
    fmt = output_format(path)
    if fmt == ".xlsx":
        from landrules.ledger.xlsx import XlsxWriter

        return XlsxWriter(path, input_headers, labels, input_names)
    cls = {".jsonl": JsonlWriter, ".csv": CsvWriter, ".parquet": ParquetDecisionWriter}[fmt]
    return cls(path, input_headers, labels)
