"""Typed parcel values as numbers, for engines that compare numbers only.

Dates become proleptic ordinals, yes/no 1.0/0.0, vocabulary values their position in the
field's vocabulary, numbers themselves; "not known" is NaN. Text stays text. The durable
backend (JSON facts) and the vectorised backend (float64 columns) both use this one encoding,
so a comparison means the same in both.

durable-rules' C JSON reader takes an exponent only after a fraction (`1.5e-05`, not `5e-05`
or `1e+16`, which is how Python writes 0.00005 and 1e16), and a number it cannot read leaves the
fact unasserted ("Could not delete state, error code: 309"). `ordered_int` maps each float to an
int64 that orders and compares equal exactly like the float (the engine compares two ints as
`long long`); the durable backend sends those ints, never a float's text.
"""

from __future__ import annotations

import datetime as dt
import math
import struct
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

from landrules.core import fields
from landrules.core.fields import FieldSpec, FieldType

_ENUM_INDEX: dict[str, dict[str, int]] = {
    f.name: {code: i for i, code in enumerate(f.vocabulary)} for f in fields.FIELDS if f.type is FieldType.ENUM
}


def encode(spec: FieldSpec, value: Any) -> Any:
    """One typed value (or a tuple of them) in the engines' encoding; None stays None."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return tuple(encode(spec, v) for v in value)
    t = spec.type
    if t is FieldType.DATE:
        return float(value.toordinal())
    if t is FieldType.BOOL:
        return 1.0 if value else 0.0
    if t is FieldType.ENUM:
        return float(_ENUM_INDEX[spec.name][value])
    if t in (FieldType.NUMBER, FieldType.RATIO):
        return float(value)
    return value


_MAGNITUDE = (1 << 63) - 1


def ordered_int(value: float) -> int:
    """An integer with the order and equality of `value` (IEEE-754 bits; negatives mirrored, so
    -0.0 and 0.0 are both 0). Exact for every float, infinities included; NaN never comes here
    (it is "not known", None)."""
    bits = struct.unpack("<q", struct.pack("<d", value))[0]
    return bits if bits >= 0 else -(bits & _MAGNITUDE)


def engine_value(value: Any) -> Any:
    """An encoded value as the durable engine reads it safely: floats as `ordered_int`."""
    if isinstance(value, float):
        return ordered_int(value)
    if isinstance(value, tuple):
        return tuple(engine_value(v) for v in value)
    return value


def decode(spec: FieldSpec, value: Any) -> Any:
    """The inverse of `encode` for one value; NaN and None decode to None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    t = spec.type
    if t is FieldType.DATE:
        return dt.date.fromordinal(int(value))
    if t is FieldType.BOOL:
        return bool(value == 1.0)
    if t is FieldType.ENUM:
        return list(spec.vocabulary)[int(value)]
    if t in (FieldType.NUMBER, FieldType.RATIO):
        return float(value)
    return value


def encode_facts(facts: dict[str, Any]) -> dict[str, Any]:
    return {name: encode(fields.BY_NAME[name], v) for name, v in facts.items() if name in fields.BY_NAME}


def columns_from_facts(rows: list[dict[str, Any]]) -> "dict[str, np.ndarray]":
    """Encoded columns (float64, NaN = unknown; object for text) from typed fact dicts."""
    import numpy as np  # here, not at the top: `lint` translates rules with this module and needs no numpy

    out: dict[str, np.ndarray] = {}
    n = len(rows)
    for spec in (*fields.FIELDS, *fields.DERIVED):
        if spec.type is FieldType.TEXT:
            out[spec.name] = np.array([r.get(spec.name) for r in rows], dtype=object)
        else:
            col = np.full(n, np.nan)
            for i, r in enumerate(rows):
                v = r.get(spec.name)
                if v is not None:
                    col[i] = encode(spec, v)
            out[spec.name] = col
    return out
