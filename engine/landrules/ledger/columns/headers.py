"""Which field a ledger header stands for (contract §3 and "Real ledgers").

A header is compared after normalisation: full-width to half-width (NFKC), whitespace dropped,
lower case. It names a field when it is the field's English name or Chinese header, one of the
synonyms of `header_synonyms`, or a header of the column map (`--columns`); a trailing bracket
is read apart: a unit for areas (`面积（公顷）` is area_ha) and for the 万元/亩 figures, a note
elsewhere (`批准日期（年月日）` is approved_on). An area header with a unit the tool does not
know (`面积（顷）`), a header joining two fields (`用地单位/项目名称`), or two columns claiming one
field with equal right are errors; a column map beats the catalogue's own names, which beat
synonyms, an earlier synonym of `header_synonyms` beats a later one (电子监管号 before 宗地号),
and a column that lost is kept as an unknown column with a notice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from landrules.core import fields
from landrules.ledger.columns.synonyms import (
    AREA_BASES,
    AREA_HA_HEADER,
    AREA_HEADERS,
    AREA_UNITS,
    FIELD_UNITS,
    HEADER_SYNONYMS,
)
from landrules.ledger.errors import LedgerError

EXTRA_FIELDS = ("area_ha",)  # read from ledgers, converted before validation (ledger/units.py)
_TRAILING = re.compile(r"^(?P<base>.+?)[(\[【<](?P<unit>[^()\[\]【】<>]*)[)\]】>]$")
_JOINED = re.compile(r"[/、,;&]|及|和|或")


def key(text: Any) -> str:
    """A header as compared: NFKC, lower case, without a required-mark (`*宗地编号`) or a
    trailing colon; no whitespace (English: spaces and - as _)."""
    text = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "").strip().strip("*※:").strip().lower()
    if text.isascii():
        return re.sub(r"[\s\-]+", "_", text)
    return "".join(text.split())


def label(name: str) -> str:
    """`name（中文）` for a catalogue field and for area_ha."""
    if name == "area_ha":
        return f"area_ha（{AREA_HA_HEADER}）"
    return fields.BY_NAME[name].label()


def _table() -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    names: dict[str, str] = {}
    synonyms: dict[str, str] = {}
    order: dict[str, int] = {}  # synonym -> its place in its field's list (earlier is preferred)
    for spec in fields.FIELDS:
        names[key(spec.name)] = spec.name
        names[key(spec.zh)] = spec.name
    names["area_ha"] = "area_ha"
    for spec in fields.FIELDS:  # 亩均税收 for 亩均税收（万元/亩）; not 面积 (its unit picks the field)
        m = _TRAILING.match(key(spec.zh))
        if m and spec.name not in ("area_mu", "area_m2"):
            names.setdefault(m.group("base"), spec.name)
    for name, headers in HEADER_SYNONYMS.items():
        assert name in fields.BY_NAME, name
        for place, header in enumerate(headers):
            k = key(header)
            order.setdefault(k, place)
            other = names.get(k) or synonyms.get(k)
            assert other in (None, name), f"header {header!r} names both {other} and {name}"
            synonyms.setdefault(k, name)
    for header, name in AREA_HEADERS.items():
        synonyms.setdefault(key(header), name)
    return names, synonyms, order


NAMES, SYNONYMS, _ORDER = _table()
_AREA_BASES = {key(b): place for place, b in enumerate(AREA_BASES)}
_AREA_UNITS = {key(u): name for u, name in AREA_UNITS.items()}
_UNIT_WORDS = "、".join(dict.fromkeys(("亩", "平方米", "㎡", "公顷")))


@dataclass(frozen=True)
class Match:
    """A header's field; of two columns for one field the higher `rank` wins: the column map,
    then the catalogue's names, then synonyms in the order `header_synonyms` lists them."""

    field: str
    how: str  # "map" (column map), "name" (catalogue name), "synonym"
    rank: tuple[int, int]


_TIER = {"map": 3, "name": 2, "synonym": 1}


def _match(name: str, how: str, place: int = 0) -> Match:
    return Match(name, how, (_TIER[how], -place))


class HeaderError(ValueError):
    """A header that cannot be read: an unknown unit, or one header for two fields."""


def _area(k: str) -> Match | None:
    """area_mu / area_m2 / area_ha for `面积亩`, `用地面积/㎡`, …; HeaderError for an unknown unit."""
    m = _TRAILING.match(k)
    if m and m.group("base") in _AREA_BASES:
        unit = m.group("unit")
        if unit in _AREA_UNITS:
            return _match(_AREA_UNITS[unit], "synonym", _AREA_BASES[m.group("base")])
        raise HeaderError(f'不认识的面积单位 "{unit}"（可用 {_UNIT_WORDS}）' if unit else "面积单位为空")
    for base, place in _AREA_BASES.items():
        if k.startswith(base) and k != base:
            rest = k[len(base):].strip("/_:-")
            if rest in _AREA_UNITS:
                return _match(_AREA_UNITS[rest], "synonym", place)
    return None


def match(header: Any) -> Match | None:
    """The field a header names by the catalogue and its synonyms (no column map)."""
    k = key(header)
    if not k:
        return None
    if k in NAMES:
        return _match(NAMES[k], "name")
    if k in SYNONYMS:
        return _match(SYNONYMS[k], "synonym", _ORDER.get(k, 0))
    area = _area(k)
    if area is not None:
        return area
    m = _TRAILING.match(k)
    if m:
        base, unit = m.group("base"), m.group("unit")
        inner = NAMES.get(base) or SYNONYMS.get(base)
        if inner is not None:
            allowed = FIELD_UNITS.get(inner)
            if allowed and unit and unit not in {key(u) for u in allowed}:
                raise HeaderError(f'单位 "{unit}" 不是 {label(inner)} 的单位（应为 {"、".join(allowed)}）')
            return _match(inner, "name", 0) if base in NAMES else _match(inner, "synonym", _ORDER.get(base, 0))
    parts = [p for p in _JOINED.split(k) if p]
    if len(parts) > 1:
        found = {}
        for part in parts:
            try:
                sub = match(part)
            except HeaderError:
                sub = None
            if sub is not None:
                found.setdefault(sub.field, sub)
        if len(found) > 1:
            raise HeaderError(f"一个表头对应两个字段: {' 与 '.join(label(f) for f in found)}；请拆成两列，或用 --columns 指定")
        if len(found) == 1 and len(parts) == sum(1 for p in parts if _safe(p) is not None):
            return next(iter(found.values()))
    return None


def _safe(header: str) -> Match | None:
    try:
        return match(header)
    except HeaderError:
        return None


@dataclass
class HeaderResolver:
    """Header → field under an optional column map (`header → field`, None = leave unmapped)."""

    column_map: Mapping[str, str | None] = field(default_factory=dict)
    map_source: str = ""  # the column map's path, for notices

    def __post_init__(self) -> None:
        self._map = {key(h): f for h, f in self.column_map.items()}

    def resolve(self, header: Any) -> Match | None:
        k = key(header)
        if k in self._map:
            target = self._map[k]
            return None if target is None else _match(target, "map")
        return match(header)

    def is_parcel_id(self, header: Any) -> bool:
        try:
            found = self.resolve(header)
        except HeaderError:
            return False
        return found is not None and found.field == "parcel_id"

    def map_headers(
        self, path: Path, header_row: list[Any], columns_data: list[list[Any]] | None, clean, is_empty
    ) -> tuple[list[str], list[str], list[int], list[str]]:
        """(original headers, column names, kept positions, notices) for a header row.

        Known headers get their field name; unknown ones keep their header (made unique). An
        unnamed column is kept as 未命名列N unless `columns_data` shows it entirely empty. Raises
        LedgerError for an unreadable header, a ledger without a parcel_id column, or two
        columns with equal claim to one field.
        """
        entries: list[tuple[int, str, Match | None]] = []
        for position, header in enumerate(header_row):
            original = clean(header)
            if not original:
                if columns_data is not None and all(is_empty(v) for v in columns_data[position]):
                    continue  # an unnamed, empty column: spreadsheet debris
                original = f"未命名列{position + 1}"
            try:
                found = self.resolve(original)
            except HeaderError as exc:
                raise LedgerError(path, f'列 "{original}": {exc}') from None
            entries.append((position, original, found))
        winners: dict[str, tuple[str, Match]] = {}
        for _, original, found in entries:
            if found is None:
                continue
            best = winners.get(found.field)
            if best is None or found.rank > best[1].rank:
                winners[found.field] = (original, found)
            elif found.rank == best[1].rank:
                raise LedgerError(path, f'列 "{best[0]}" 与列 "{original}" 都对应字段 {label(found.field)}')
        notices: list[str] = []
        names: list[str] = []
        originals: list[str] = []
        kept: list[int] = []
        seen: set[str] = set()
        for position, original, found in entries:
            if found is not None and winners[found.field][0] == original:
                name = found.field
            else:
                if found is not None:
                    notices.append(
                        f'列 "{original}" 也可对应字段 {label(found.field)}，已采用列 "{winners[found.field][0]}"；'
                        f'列 "{original}" 原样保留'
                    )
                base, k = original, 1
                while original in seen or original in NAMES.values():
                    original = f"{base}.{k}"
                    k += 1
                name = original
            seen.add(original)
            names.append(name)
            originals.append(original)
            kept.append(position)
        present = {key(o) for _, o, _ in entries}
        for header in self.column_map:
            if key(header) not in present:
                where = f"（{self.map_source}）" if self.map_source else ""
                notices.append(f'列对照表{where}中的列 "{header}" 不在台账中')
        if "parcel_id" not in winners:
            shown = ", ".join(originals) if originals else "（无）"
            raise LedgerError(path, f"台账缺少 {label('parcel_id')}列；找到的列: {shown}")
        return originals, names, kept, notices


DEFAULT = HeaderResolver()
_ID_HEADERS = tuple(h for h, name in {**NAMES, **SYNONYMS}.items() if name == "parcel_id" and not h.isascii())


def shows_parcel_id(text: str) -> bool:
    """Whether decoded text shows a parcel-id header (宗地编号, 电子监管号, …): a right decoding."""
    return "parcel_id" in text.lower() or any(h in text for h in _ID_HEADERS)


def canonical_header(header: str) -> str | None:
    """The field name a header stands for without a column map, or None (also for a bad header)."""
    found = _safe(header)
    return None if found is None else found.field
