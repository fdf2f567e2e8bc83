"""The decision writers by extension: one registry for every command and face that writes decisions.

Adding a format is one module (a `DecisionWriter` subclass, see `ledger/write/base.py`) and one
entry here: `decide`, `progress`, the workbench and Dask all pick writers from `WRITERS`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

from landrules.ledger.write.base import DecisionWriter, Labels, output_format
from landrules.ledger.write.formats import CsvWriter, JsonlWriter, ParquetDecisionWriter

WriterFactory = Callable[[Path, Sequence[Any], "Labels | None", "Sequence[str | None] | None"], DecisionWriter]


def _xlsx(path, input_headers, labels, input_names, **_) -> DecisionWriter:
    from landrules.decide.workbook.decisions import XlsxWriter  # openpyxl, only when a workbook is written

    return XlsxWriter(path, input_headers, labels, input_names)


def _plain(cls) -> WriterFactory:
    return lambda path, input_headers, labels, input_names, **_: cls(path, input_headers, labels)


def _gpkg(path, input_headers, labels, input_names, shapes=None, **_) -> DecisionWriter:
    """GeoPackage in the boundary file's zone; `shapes`: the parcels' GeoFacts (`decide --parcels`),
    without them every parcel is written without geometry."""
    from landrules.geo.write.gpkg import GpkgWriter

    return GpkgWriter(path, input_headers, labels, shapes)


def _geojson(path, input_headers, labels, input_names, shapes=None, **_) -> DecisionWriter:
    """GeoJSON (RFC 7946, longitude/latitude); `shapes` as for `_gpkg`."""
    from landrules.geo.write.geojson import GeoJsonWriter

    return GeoJsonWriter(path, input_headers, labels, shapes)


WRITERS: dict[str, WriterFactory] = {
    ".jsonl": _plain(JsonlWriter),
    ".csv": _plain(CsvWriter),
    ".xlsx": _xlsx,
    ".parquet": _plain(ParquetDecisionWriter),
    ".gpkg": _gpkg,
    ".geojson": _geojson,
}


def open_writer(path: Path, input_headers: Sequence[Any], labels: Labels | None = None,
                input_names: Sequence[str | None] | None = None, **context: Any) -> DecisionWriter:
    """The writer for `path`'s extension (OutputError for another one). `input_names`: the
    field each input column holds (the ledger's column names; XLSX types and orders by them).
    `context`: what some writers take besides (`shapes`: the map writers' GeoFacts)."""
    return WRITERS[output_format(path, tuple(WRITERS))](path, input_headers, labels, input_names, **context)
