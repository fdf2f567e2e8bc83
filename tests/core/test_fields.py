"""Values as an officer reads them (explain, the workbench's parcel page, history)."""

from __future__ import annotations

import datetime as dt

import pytest

from landrules.core import fields


@pytest.mark.parametrize(("value", "shown"), [
    (123456.0, "123456"),          # a 平方米 area: digits, never 1.235e+05
    (123456.789, "123456.789"),
    (38.2, "38.2"),
    (12.3456789, "12.3457"),       # at most four decimals
    (1 / 3, "0.3333"),
    (-2.5, "-2.5"),
    (0.0, "0"),
    (1.2e-5, "1.2e-05"),           # too small for four decimals: its significant digits
    (3e16, "3e+16"),
])
def test_numbers_are_shown_in_digits(value, shown):
    assert fields.display(None, value) == shown


def test_other_values_are_shown_as_officers_write_them():
    land_use = fields.BY_NAME["land_use"]
    assert fields.display(land_use, "industrial") == land_use.vocabulary["industrial"]
    assert fields.display(None, True) == "是" and fields.display(None, False) == "否"
    assert fields.display(None, dt.date(2018, 12, 31)) == "2018-12-31"
    assert fields.display(None, None) == "（空）"
    assert fields.display(None, [1.5, 2.0]) == "1.5、2"
