"""Cell spellings of real ledgers that every field type shares (contract §3, "Real ledgers").

- Placeholders — `/ ／ - — 无 空 不详` (and their doubled or full-width forms) — mean an empty
  cell: "not known", never "no" or 0.
- Ratios may be written as a fraction, `1/4`, besides `0.25` and `25%`.
- Vocabulary values as published ledgers write them (`挂牌出让`, `城镇住宅用地`):
  `header_synonyms.VALUE_SYNONYMS`.

`wrap(spec, parse)` puts both in front of a field's cell parser (cells.PARSERS).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from landrules.core.fields import FieldSpec, FieldType
from landrules.ledger.columns.synonyms import VALUE_SYNONYMS

PLACEHOLDERS = ("/", "／", "-", "—", "无", "空", "不详")
_PLACEHOLDER_KEYS = frozenset(
    {unicodedata.normalize("NFKC", p) for p in PLACEHOLDERS}
    | {"--", "——", "－", "–", "\\", "//", "暂无", "未知"}
)
_FRACTION = re.compile(r"(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)")


_PLACEHOLDER_KEYS = _PLACEHOLDER_KEYS | {"／", "－", "——", "－－", "＼"}  # as written, full-width too
PLACEHOLDER_LENGTH = max(map(len, _PLACEHOLDER_KEYS)) + 4  # no longer cell is a placeholder


def is_placeholder(value: Any) -> bool:
    """True for a text cell that only holds a placeholder for "not known"."""
    if not isinstance(value, str) or len(value) > PLACEHOLDER_LENGTH:
        return False
    text = value.strip()
    return text in _PLACEHOLDER_KEYS or unicodedata.normalize("NFKC", text) in _PLACEHOLDER_KEYS


def fraction(value: Any) -> float | None:
    """`1/4` as 0.25; None when the cell is not a fraction (or divides by zero)."""
    if not isinstance(value, str):
        return None
    m = _FRACTION.fullmatch(unicodedata.normalize("NFKC", value).strip())
    if not m or float(m.group(2)) == 0:
        return None
    return float(m.group(1)) / float(m.group(2))


def wrap(spec: FieldSpec, parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`parse` that also reads placeholders as empty and, for ratios, fractions."""
    if spec.type is FieldType.RATIO:
        def parse_ratio(value: Any) -> Any:
            if is_placeholder(value):
                return None
            number = fraction(value)
            return parse(value if number is None else number)

        return parse_ratio
    if spec.name in VALUE_SYNONYMS:
        table = {unicodedata.normalize("NFKC", t).strip(): code for t, code in VALUE_SYNONYMS[spec.name].items()}
        assert set(table.values()) <= set(spec.vocabulary), spec.name

        def parse_enum(value: Any) -> Any:
            if isinstance(value, str):
                text = unicodedata.normalize("NFKC", value).strip()
                if text in _PLACEHOLDER_KEYS:
                    return None
                value = table.get(text, value)
            return parse(value)

        return parse_enum

    def parse_any(value: Any) -> Any:
        return None if is_placeholder(value) else parse(value)

    return parse_any
