"""Columns that nothing maps but that look like a field (contract §3: nothing silently ignored).

A column is a look-alike when its header is close to a field's header or synonym (one contains
the other, or difflib's ratio ≥ 0.6 — `土地用途类别` for 土地用途), when it names an area
without a unit the tool reads (`批次用地面积（公顷）`), or when most of its distinct values are
a field's vocabulary (`工业`, `出让`, `企业原因`). Each is reported with the field it may be,
before anything is decided; `--strict-columns` makes them fatal.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from landrules.core import fields
from landrules.core.fields import FieldType
from landrules.ledger.columns.headers import EXTRA_FIELDS, canonical_header, key, label
from landrules.ledger.columns.synonyms import AREA_BASES, HEADER_SYNONYMS
from landrules.ledger.validate.cells import CellError, is_empty, parse_cell
from landrules.ledger.validate.spellings import is_placeholder

_BRACKET = re.compile(r"[(\[【<].*$")
_RATIO = 0.6
_VALUE_SHARE = 0.8  # of a column's distinct values, that many must read as one field's
_VALUE_SAMPLE = 200


@dataclass(frozen=True)
class Lookalike:
    header: str
    field: str
    reason: str  # Chinese: why it looks like the field

    def message(self) -> str:
        return f'列 "{self.header}" 未对应任何字段，但{self.reason}，可能是 {label(self.field)}；' \
               f"如是，请改表头或用 --columns 指定（如确非该字段，可在列对照表中写 {self.header}: null）"


def _stem(text: str) -> str:
    return _BRACKET.sub("", key(text))


def _names() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for spec in fields.FIELDS:
        out[spec.name] = [_stem(spec.zh), *(_stem(s) for s in HEADER_SYNONYMS.get(spec.name, ()))]
    return out


_FIELD_STEMS = _names()
_AREA_STEMS = [key(b) for b in AREA_BASES]


def by_header(header: str) -> Lookalike | None:
    stem = _stem(header)
    if len(stem) < 2:
        return None
    if any(base in stem for base in _AREA_STEMS):
        unit = "area_ha" if "公顷" in header else "area_m2" if ("平方米" in header or "㎡" in header) else "area_mu"
        has_unit = any(u in header for u in ("公顷", "平方米", "㎡", "亩"))
        return Lookalike(header, unit, "表头含“面积”" if has_unit else "表头含“面积”而未写明单位（亩、平方米或公顷）")
    best: tuple[float, str, str] | None = None
    for name, stems in _FIELD_STEMS.items():
        for candidate in stems:
            if len(candidate) < 2:
                continue
            if candidate in stem or (stem in candidate and len(stem) >= 2):
                score = 1.0 + len(candidate) / 100  # containment beats similarity; longer wins
            else:
                score = difflib.SequenceMatcher(None, stem, candidate).ratio()
            if score >= _RATIO and (best is None or score > best[0]):
                best = (score, name, candidate)
    if best is None:
        return None
    return Lookalike(header, best[1], f"表头与“{best[2]}”相近")


def by_values(header: str, values: Iterable[Any]) -> Lookalike | None:
    distinct = []
    for v in values:
        if not is_empty(v) and not is_placeholder(v) and v not in distinct:
            distinct.append(v)
            if len(distinct) >= _VALUE_SAMPLE:
                break
    if len(distinct) < 2:
        return None
    for spec in fields.FIELDS:
        if spec.type is not FieldType.ENUM:
            continue
        read = []
        for v in distinct:
            try:
                read.append(parse_cell(spec.name, v))
            except CellError:
                continue
        codes = {c for c in read if c is not None}
        if len(read) >= _VALUE_SHARE * len(distinct) and codes - {"other"}:
            shown = "、".join(str(v) for v in distinct[:3])
            return Lookalike(header, spec.name, f"取值（{shown}…）是 {spec.label()} 的取值")
    return None


def find(headers: list[str], names: list[str], sample: pd.DataFrame | None) -> list[Lookalike]:
    """The look-alikes among a ledger's unmapped columns (`names[i]` is the header itself)."""
    mapped = set(fields.BY_NAME) | set(EXTRA_FIELDS)
    out = []
    for i, (header, name) in enumerate(zip(headers, names)):
        if name in mapped or canonical_header(header) is not None:
            continue  # mapped, or a known header that lost its field to another column (a notice says so)
        found = None  # values are the stronger evidence: 类型 holding 工业/住宅 is land_use
        if sample is not None and i < sample.shape[1]:
            found = by_values(header, sample.iloc[:, i].tolist())
        found = found or by_header(header)
        if found is not None:
            out.append(found)
    return out
