"""The column map (`--columns FILE`, contract §3 "Real ledgers"): YAML naming the fields of
headers that nothing recognises, and optionally the codes of cell texts::

    columns:
      批次用地面积（公顷）: area_ha       # a field's English name …
      现状: 土地利用现状未改变             # … or its Chinese header
      电子监管号: null                    # not a field: carry it through untouched
    values:
      land_use: {工矿仓储用地: industrial, 城镇住宅用地: 住宅}

Validated like the rulebook: every problem is `FILE:LINE: message` (line-aware loader of
`rulebook/yamlio.py`), an unknown field with the closest name as a suggestion.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from landrules.core import fields
from landrules.core.fields import FieldType
from landrules.ledger.columns.headers import HeaderResolver, key, label, match
from landrules.ledger.columns.synonyms import AREA_FIELDS, AREA_UNITS
from landrules.ledger.columns.units import UNIT_WORD
from landrules.rulebook.yamlio import YamlError, load_yaml

TARGETS = tuple(f.name for f in fields.FIELDS) + ("area_ha",)
_AREA_UNIT_FIELDS = {key(u): name for u, name in AREA_UNITS.items()}
_BOOL_CODES = {"true": True, "false": False, "是": True, "否": False, "yes": True, "no": False}


class ColumnMapError(ValueError):
    """A column map that cannot be used; str() is `FILE:LINE: message` (one line)."""


@dataclass
class ColumnMap:
    path: str
    columns: dict[str, str | None] = field(default_factory=dict)  # header -> field (None: unmapped)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> text -> code/label

    def resolver(self) -> HeaderResolver:
        return HeaderResolver(self.columns, self.path)

    def not_fields(self) -> set[str]:
        """Headers (as `headers.key`) the map declares no field (`null`)."""
        return {key(h) for h, name in self.columns.items() if name is None}


def _suggest(name: str) -> str:
    pool = list(TARGETS) + [f.zh for f in fields.FIELDS]
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.5)
    return f"；是否想写 {close[0]}？" if close else "；可用的字段见 docs/ledgers.zh.md"


def _target(text: Any, where: str) -> str | None:
    if text is None:
        return None
    if not isinstance(text, str) or not text.strip():
        raise ColumnMapError(f"{where}: 字段应为字段名（如 land_use）或中文表头，实为 {text!r}")
    name = text.strip()
    if name in TARGETS:
        return name
    try:
        found = match(name)
    except ValueError:
        found = None
    if found is not None:  # a Chinese header, or a synonym (each names one field)
        return found.field
    raise ColumnMapError(f'{where}: 没有字段 "{name}"{_suggest(name)}')


_UNIT_IN_HEADER = re.compile(r"[(\[【<]([^()\[\]【】<>]+)[)\]】>]$")


def _area_unit(header: str) -> str | None:
    """The area field a header's trailing bracketed unit names (公顷 -> area_ha), if any."""
    m = _UNIT_IN_HEADER.search(key(header))
    return _AREA_UNIT_FIELDS.get(m.group(1)) if m else None


def _line(node: Any, name: str) -> int:
    return getattr(node, "key_lines", {}).get(str(name), getattr(node, "line", 1) or 1)


def load_column_map(path: str | Path) -> ColumnMap:
    """Read and check a column map; raises ColumnMapError."""
    path = Path(path)
    if not path.is_file():
        raise ColumnMapError(f"{path}:1: 列对照表文件不存在")
    try:
        raw = load_yaml(path, encodings=("utf-8-sig", "gb18030"))  # Notepad on Chinese Windows saves GBK
    except YamlError as exc:
        raise ColumnMapError(str(exc)) from None
    if raw is None:
        raise ColumnMapError(f"{path}:1: 列对照表为空（应有 columns: 一节）")
    if not isinstance(raw, dict):
        raise ColumnMapError(f"{path}:1: 列对照表应为 columns: 与 values: 两节")
    for name in raw:
        if name not in ("columns", "values"):
            close = difflib.get_close_matches(str(name), ["columns", "values"], n=1, cutoff=0.5)
            hint = f"；是否想写 {close[0]}？" if close else ""
            raise ColumnMapError(f"{path}:{_line(raw, name)}: 未知的一节 {name!r}（应为 columns 或 values）{hint}")
    out = ColumnMap(str(path))
    columns = raw.get("columns") or {}
    if not isinstance(columns, dict):
        raise ColumnMapError(f"{path}:{_line(raw, 'columns')}: columns 应为“表头: 字段”的映射")
    claimed: dict[str, str] = {}
    for header, target in columns.items():
        where = f"{path}:{_line(columns, header)}"
        if not isinstance(header, (str, int, float)) or not str(header).strip():
            raise ColumnMapError(f"{where}: 表头应为文字，实为 {header!r}")
        name = _target(target, f'{where}: 列 "{header}"')
        unit = _area_unit(str(header))
        if name in AREA_FIELDS and unit is not None and unit != name:
            raise ColumnMapError(f'{where}: 列 "{header}" 的单位是{UNIT_WORD[unit]}，字段却是 {label(name)}（{UNIT_WORD[name]}）；'
                                 f"应写 {unit}")
        if name is not None:
            if name in claimed:
                raise ColumnMapError(f'{where}: 列 "{claimed[name]}" 与列 "{header}" 都映射到字段 {label(name)}')
            claimed[name] = str(header)
        out.columns[str(header)] = name
    values = raw.get("values") or {}
    if not isinstance(values, dict):
        raise ColumnMapError(f"{path}:{_line(raw, 'values')}: values 应为“字段: {{单元格文字: 代码}}”的映射")
    for target, table in values.items():
        where = f"{path}:{_line(values, target)}"
        name = _target(target, where)
        spec = fields.BY_NAME.get(name)
        if spec is None or spec.type not in (FieldType.ENUM, FieldType.BOOL):
            raise ColumnMapError(f"{where}: 只有取值有限的字段（用途、来源、是/否等）可写 values，{label(name)} 不是")
        if not isinstance(table, dict) or not table:
            raise ColumnMapError(f"{where}: {label(name)} 的 values 应为“单元格文字: 代码”的映射")
        out.values[name] = {str(text): _code(spec, code, f"{path}:{_line(table, text)}") for text, code in table.items()}
    return out


def _code(spec: fields.FieldSpec, code: Any, where: str) -> str:
    """The code (enum) or 是/否 (bool) a value maps to, as a cell the parser reads."""
    if spec.type is FieldType.BOOL:
        value = code if isinstance(code, bool) else _BOOL_CODES.get(key(code)) if isinstance(code, str) else None
        if value is None:
            raise ColumnMapError(f"{where}: {spec.label()} 的取值应为 是 或 否，实为 {code!r}")
        return "是" if value else "否"
    if isinstance(code, str):
        text = code.strip()
        if text in spec.vocabulary:
            return text
        by_label = {v: c for c, v in spec.vocabulary.items()}
        if text in by_label:
            return by_label[text]
    choices = "、".join(f"{c}（{v}）" for c, v in spec.vocabulary.items())
    close = difflib.get_close_matches(str(code), list(spec.vocabulary), n=1, cutoff=0.5)
    hint = f"；是否想写 {close[0]}？" if close else ""
    raise ColumnMapError(f"{where}: {spec.label()} 没有取值 {code!r}（可用 {choices}）{hint}")
