"""Hypothesis strategies for parcels: every field type, every value class, any field missing."""

import datetime as dt

from hypothesis import strategies as st

from landrules.core import fields
from landrules.core.fields import FieldType


def _value(spec):
    t = spec.type
    if t is FieldType.DATE:
        # around the policy's boundaries: 2018-12-31, 2021-01-01, as_of ± 1 and 2 years
        return st.one_of(
            st.dates(dt.date(2015, 1, 1), dt.date(2023, 12, 31)),
            st.sampled_from([dt.date(2018, 12, 31), dt.date(2019, 1, 1), dt.date(2020, 10, 1),
                             dt.date(2020, 10, 2), dt.date(2019, 10, 1), dt.date(2021, 1, 1)]),
        )
    if t is FieldType.BOOL:
        return st.booleans()
    if t is FieldType.ENUM:
        return st.sampled_from(sorted(spec.vocabulary))
    if t is FieldType.RATIO:
        return st.sampled_from([0.0, 0.2, 0.25, 1 / 3, 0.5, 1.0])
    if t is FieldType.NUMBER:
        return st.sampled_from([0.0, 2.0, 5.0, 50.0, 100.0, 200.0, 350.0])
    return st.text(max_size=3)


PARCELS = st.fixed_dictionaries(
    {}, optional={s.name: _value(s) for s in fields.FIELDS if s.name != "parcel_id"}
)
