"""Which field of a boundary file holds the parcel ids that the ledger's 宗地编号 are."""

from __future__ import annotations

import pandas as pd

from landrules.geo.layer import GeoError, Layer

# the names surveyors' and registries' files use, most specific first
ID_FIELDS = ("地块编号", "宗地编号", "宗地代码", "电子监管号", "DKBH", "ZDDM", "ZDBH", "DZJGH", "parcel_id", "PARCEL_ID", "宗地号", "地块号", "编号", "ID")


def id_column(layer: Layer, chosen: str | None = None, ledger_ids: set[str] | None = None) -> str:
    """`chosen` (--parcels-id) when given, else the known id field that matches most of
    `ledger_ids` (when known), else the first known id field the file has."""
    columns = [str(c) for c in layer.attributes.columns]
    if chosen is not None:
        if chosen not in columns:
            raise GeoError(f"{layer.path.name}：没有字段“{chosen}”（--parcels-id）；有：{'、'.join(columns) or '（无属性字段）'}")
        return chosen
    by_upper = {c.upper(): c for c in columns}
    known = [by_upper[n.upper()] for n in ID_FIELDS if n.upper() in by_upper]
    if not known:
        raise GeoError(f"{layer.path.name}：找不到宗地编号字段（{'、'.join(ID_FIELDS[:6])}…）；请用 --parcels-id 指定，"
                       f"文件的字段有：{'、'.join(columns) or '（无）'}")
    if ledger_ids and len(known) > 1:
        return max(known, key=lambda c: len(set(ids_of(layer.attributes[c])) & ledger_ids))
    return known[0]


def ids_of(column: pd.Series) -> list[str | None]:
    """The ids as text (a number read from a .dbf as 12.0 is "12"), blanks None."""
    values = pd.Series(column, dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) == "string":  # the usual: all text, stripped in Arrow
        import pyarrow as pa
        import pyarrow.compute as pc

        stripped = pc.utf8_trim_whitespace(pa.array(values.to_numpy(), type=pa.string()))
        return pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.string()), stripped).to_pylist()
    out = []
    for v in column:
        if v is None or (isinstance(v, float) and v != v):
            out.append(None)
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        else:
            text = str(v).strip()
            out.append(text or None)
    return out
