"""What the map writers share: every decision row with its input and decision columns (empty
cells NULL), the map's facts, and its shape (none for a parcel the boundary file lacks or whose shape was set aside).

Rows are gathered chunk by chunk and written in one go when committed, into the writer's temp
file (ledger/write/base.py), so nothing appears at the target until every row is in it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from landrules.core import fields
from landrules.geo.facts import GeoFacts
from landrules.ledger.write.arrow_text import text_array
from landrules.ledger.write.base import OUTPUT_COLUMNS, DecisionWriter, Labels, unique_names

FACT_FIELDS = tuple(f for f in fields.FIELDS if f.name in fields.MAP_FIELDS)


class MapWriter(DecisionWriter):
    driver = ""
    layer_options: dict[str, str] = {}
    dataset_options: dict[str, str] = {}

    def __init__(self, path: Path, input_headers: Sequence[Any], labels: Labels | None, shapes: GeoFacts | None):
        self.shapes = shapes
        self._columns: list[list[np.ndarray]] = []
        self._ids: list[np.ndarray] = []
        self._facts: list[dict[str, np.ndarray]] = []
        super().__init__(path, input_headers, labels)

    def target_epsg(self) -> int:
        raise NotImplementedError

    def geometries_out(self) -> np.ndarray:
        """The shapes (one per GeoFacts id) in the output's CRS."""
        raise NotImplementedError

    def _write(self, inputs: pd.DataFrame, flat: pd.DataFrame, jsonl) -> None:
        cols = [text_array(inputs.iloc[:, i]) for i in range(inputs.shape[1])]
        cols += [pa.array(_nulls(flat[c].to_numpy(dtype=object)), type=pa.string()) for c in OUTPUT_COLUMNS]
        self._columns.append(cols)
        parsed = self.parsed
        n = len(flat)
        ids = parsed.parcel_ids if parsed is not None else np.full(n, None, dtype=object)
        self._ids.append(np.asarray(ids, dtype=object))
        self._facts.append({f.name: (parsed.columns[f.name] if parsed is not None else np.full(n, np.nan)) for f in FACT_FIELDS})

    def _finish(self, summary) -> None:
        import pyogrio
        import shapely

        names = unique_names([*self.input_headers, *OUTPUT_COLUMNS, *(f.name for f in FACT_FIELDS), "geometry"])
        width = len(self.input_headers) + len(OUTPUT_COLUMNS)
        data = [pa.concat_arrays([c[k] for c in self._columns]) if self._columns else pa.array([], type=pa.string())
                for k in range(width)]
        for f in FACT_FIELDS:
            values = np.concatenate([c[f.name] for c in self._facts]) if self._facts else np.array([])
            if f.type is fields.FieldType.TEXT:
                data.append(pa.array([v if isinstance(v, str) else None for v in values], type=pa.string()))
            else:
                data.append(pa.array(values.astype(float), from_pandas=True))  # NaN: NULL
        ids = np.concatenate(self._ids) if self._ids else np.array([], dtype=object)
        wkb = np.full(len(ids), None, dtype=object)
        if self.shapes is not None and len(ids):
            at = pd.Index(self.shapes.ids, dtype=object).get_indexer(ids)
            shapes = _multi(self.geometries_out())
            hit = at >= 0
            wkb[hit] = shapely.to_wkb(shapes[at[hit]])
        data.append(pa.array(wkb, type=pa.binary()))
        table = pa.table(data, names=names)
        self.tmp.unlink(missing_ok=True)  # GDAL makes its own file
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*filename extension should be.*")  # the temp file's `.part`
            pyogrio.raw.write_arrow(table, str(self.tmp), driver=self.driver, layer="decisions", geometry_name=names[-1],
                                    geometry_type="MultiPolygon", crs=f"EPSG:{self.target_epsg()}",
                                    layer_options=self.layer_options or None, dataset_options=self.dataset_options or None)
        self.tmp.touch(exist_ok=True)


def _multi(shapes: np.ndarray) -> np.ndarray:
    """Polygons as one-part MultiPolygons (one geometry type a layer), None kept."""
    import shapely

    out = np.asarray(shapes, dtype=object).copy()
    single = np.flatnonzero(shapely.get_type_id(out) == 3)
    if len(single):
        out[single] = shapely.multipolygons(out[single], indices=np.arange(len(single)))
    return out


def _nulls(values: np.ndarray) -> np.ndarray:
    """Empty decision cells as NULL, as the input columns'."""
    return np.where(values == "", None, values)
