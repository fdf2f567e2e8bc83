"""Areas in 亩, 平方米 or 公顷 (contract §3, "Real ledgers"): units from the header and the cell.

The header's unit picks the column's field (`headers`): area_mu (亩), area_m2 (平方米, ㎡) or
area_ha (公顷). A cell may carry its unit too (`38.2亩`, `1.5公顷`, `2,000㎡`): the same unit as
its header is read as the number; another unit is an error naming both, never a silent
conversion. A column of 公顷 fills area_mu with the exact factor 1 公顷 = 15 亩 (1 亩 = 10000/15
m², `fields.MU_PER_M2`). Where the ledger also has a 亩 column, each row converted notes it (one
note text for all, so decisions of one pattern stay one pattern); where 公顷 is the only area
column, every row is converted and the column report says so once (HA_ALL).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from landrules.ledger.columns.headers import key, label
from landrules.ledger.columns.synonyms import AREA_FIELDS, AREA_HA_HEADER, AREA_UNITS
from landrules.ledger.validate.cells import CellError, is_empty, parse_cell

MU_PER_HA = 15  # 1 公顷 = 10 000 m² = 15 亩, exactly
HA_NOTE = "面积由公顷换算为亩（1 公顷 = 15 亩）"
HA_ALL = "面积列为公顷，各宗面积均已换算为亩（1 公顷 = 15 亩）"
UNIT_WORD = {"area_mu": "亩", "area_m2": "平方米", "area_ha": "公顷"}
_UNITS = {key(u): name for u, name in AREA_UNITS.items()}
_CELL = re.compile(r"(?P<number>.*?\d\.?)\s*(?P<unit>亩|平方米|平米|m2|公顷|ha|hm2)", re.IGNORECASE)
_AGREE = 0.01  # 亩: area_mu and area_ha written both may differ by rounding, not more


def split_unit(value: Any) -> tuple[Any, str | None]:
    """(the number part, the area field its unit names) of a cell; (value, None) without unit."""
    if not isinstance(value, str):
        return value, None
    m = _CELL.fullmatch(unicodedata.normalize("NFKC", value).strip())
    if not m:
        return value, None
    return m.group("number").strip(), _UNITS.get(key(m.group("unit")))


_DIGITS = "^[0-9.]*$"  # no unit can be read into such a cell, even after NFKC


def _digits_only(column: pd.Series) -> bool:
    """Whether an Arrow column holds only ASCII digits and points (or nothing): no cell of it
    carries a unit, so it is read as it stands, and stays an Arrow column for validation."""
    if not (isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow"):
        return False
    return pc.all(pc.match_substring_regex(column.array._pa_array, _DIGITS)).as_py() is not False


def convert_areas(
    frame: pd.DataFrame, rows: list[int], headers: dict[str, str] | None = None
) -> tuple[pd.DataFrame, dict[int, list[str]], dict[int, tuple[str, ...]]]:
    """(frame with plain area numbers and area_mu filled from area_ha, errors, notes) by row
    position. `headers` maps a column name to its header as written (for messages)."""
    headers = headers or {}
    present = [c for c in AREA_FIELDS if c in frame.columns]
    if "area_ha" not in present:  # columns of plain numbers stay as they are (and Arrow columns)
        present = [c for c in present if not _digits_only(frame[c])]
    if not present:
        return frame, {}, {}
    frame = frame.copy()
    errors: dict[int, list[str]] = {}
    notes: dict[int, tuple[str, ...]] = {}
    for column in present:
        codes, uniques = pd.factorize(frame[column].astype(object), use_na_sentinel=True)
        cleaned = np.empty(len(uniques), dtype=object)
        bad: dict[int, str] = {}
        for j, value in enumerate(uniques):
            number, unit = split_unit(value)
            cleaned[j] = number
            if unit is not None and unit != column:
                shown = headers.get(column, label(column))
                bad[j] = f'单元格 "{str(value).strip()}" 的单位（{UNIT_WORD[unit]}）与表头 "{shown}" 的单位（{UNIT_WORD[column]}）不符'
        values = np.full(len(frame), None, dtype=object)
        has = codes >= 0
        values[has] = cleaned[codes[has]]
        frame[column] = values
        for i in np.flatnonzero(np.isin(codes, list(bad))):
            errors.setdefault(int(i), []).append(f"第{rows[i]}行 {label(column)}: {bad[codes[i]]}")
            frame.iat[int(i), frame.columns.get_loc(column)] = None
    if "area_ha" in present:
        _fill_from_hectares(frame, rows, errors, notes)
    return frame, errors, notes


def _fill_from_hectares(frame, rows, errors, notes) -> None:
    """area_mu from area_ha where area_mu is empty (each distinct cell parsed once); both
    written and disagreeing by more than rounding is an error."""
    codes, uniques = pd.factorize(frame["area_ha"].astype(object), use_na_sentinel=True)
    hectares = np.full(len(uniques), np.nan)
    bad: dict[int, str] = {}
    for j, cell in enumerate(uniques):
        try:
            ha = parse_cell("area_mu", cell)  # a positive number, worded like area_mu's errors
        except CellError as exc:
            bad[j] = exc.detail
            continue
        if ha is not None:
            hectares[j] = ha
    ha = np.where(codes >= 0, hectares[np.maximum(codes, 0)] if len(hectares) else np.nan, np.nan)
    for i in np.flatnonzero(np.isin(codes, list(bad))):
        if int(i) not in errors:
            errors[int(i)] = [f"第{rows[i]}行 {label('area_ha')}: {bad[codes[i]]}"]
    has_mu = "area_mu" in frame.columns
    mu_cells = frame["area_mu"].to_numpy(dtype=object) if has_mu else np.full(len(frame), None, dtype=object)
    written = np.array([not is_empty(v) for v in mu_cells], dtype=bool) if has_mu else np.zeros(len(frame), dtype=bool)
    fill = ~np.isnan(ha) & ~written
    fill[list(errors)] = False
    out = mu_cells.copy()
    out[fill] = np.round(ha[fill] * MU_PER_HA, 6)
    frame["area_mu"] = out
    if has_mu:  # a ledger that converts every row says so once (column_report's HA_ALL), not on each row
        for i in np.flatnonzero(fill):
            notes[int(i)] = (HA_NOTE,)
    for i in np.flatnonzero(~np.isnan(ha) & written):
        i = int(i)
        if i in errors:
            continue
        try:
            mu = parse_cell("area_mu", mu_cells[i])
        except CellError:
            continue  # validation words that error
        converted = round(ha[i] * MU_PER_HA, 6)
        if mu is not None and abs(mu - converted) > _AGREE:
            errors[i] = [f"第{rows[i]}行 {label('area_mu')}: {mu:g} 亩与 {AREA_HA_HEADER} {ha[i]:g} 公顷（= {converted:g} 亩）不一致"]
