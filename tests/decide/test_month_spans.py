"""Dates given only to the month are spans (contract §3, "Officers' ledgers as they are"):
decided where the whole month decides, undecided (needs the field, a note) where the day matters,
alike in both engines."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from landrules.decide.batch import LedgerDecider
from landrules.ledger.validate.cells import MonthDate, evaluation_date, parse_cell
from landrules.ledger.validate.prepare import prepare_chunk
from landrules.rulebook import locate
from landrules.rulebook.load import load_rulebook

AS_OF = dt.date(2023, 7, 15)  # after 平龙政办〔2021〕36号 is in force (2021-06-22)
BASE = dict(area_mu="10", land_use="工业", approved_on="2017-01-01", supplied_on="2018-01-05", supply_method="出让",
            idle_identified="是", idle_cause="企业原因", land_price="500")


@pytest.fixture(scope="module")
def rulebook():
    return load_rulebook(locate.rules_dir(None), locate.policy_dir(None))


def decide(rulebook, rows, engine):
    parsed = prepare_chunk(pd.DataFrame(rows, dtype=object), list(range(2, len(rows) + 2))).parsed
    decided = LedgerDecider(rulebook, engine, AS_OF).decide(parsed)
    return [json.loads(line) for line in b"".join(decided.jsonl.blocks()).decode().splitlines()]


@pytest.mark.parametrize("text", ["2019年7月", "2019.7", "2019-07", "2019/7", "2019年07月份", 2019.7])
def test_month_forms_read_as_a_span(text):
    value = parse_cell("agreed_start_on", text)
    assert isinstance(value, MonthDate)
    assert (value, value.last) == (dt.date(2019, 7, 1), dt.date(2019, 7, 31))


def test_ambiguous_number_and_month_as_of_are_refused():
    with pytest.raises(ValueError, match="2019年7月"):
        parse_cell("agreed_start_on", 2019.1)  # January or October
    with pytest.raises(ValueError, match="只有年月"):
        evaluation_date("2021-10")


@pytest.mark.parametrize("engine", ["durable", "vectorized"])
def test_the_day_decides_only_where_the_month_does_not(rulebook, engine):
    rows = [
        dict(BASE, parcel_id="M", agreed_start_on="2022年7月"),  # a full year on 07-01, not on 07-31
        dict(BASE, parcel_id="early", agreed_start_on="2022-07-01"),
        dict(BASE, parcel_id="late", agreed_start_on="2022-07-31"),
        dict(BASE, parcel_id="whole", agreed_start_on="2022年5月"),  # a full year whatever the day
    ]
    month, early, late, whole = decide(rulebook, rows, engine)
    codes = lambda d: [o["code"] for o in d["outcomes"]]  # noqa: E731
    assert "idle_fee" in codes(early) and "idle_fee" not in codes(late)
    # never against the land user on a day the ledger does not give
    assert "idle_fee" not in codes(month)
    fee = next(o for o in month["outcomes"] if o["rule"] == "idle.enterprise.fee")
    assert fee["code"] == "needs_information" and fee["needs"] == ["agreed_start_on"]
    assert month["needs"] == ["agreed_start_on"]
    assert any("2022年7月 只写到月" in n for n in month["notes"])
    assert codes(whole) == codes(early) and whole["notes"] == [] and whole["needs"] == []


def test_both_engines_agree_on_month_dates(rulebook):
    rows = [dict(BASE, parcel_id=f"P{i}", agreed_start_on=f"{y}年{m}月", supplied_on=s)
            for i, (y, m, s) in enumerate([(2021, 7, "2021年1月"), (2022, 7, "2020-03-01"), (2023, 7, "2023年7月"),
                                           (2022, 6, "2022年7月"), (2021, 12, None)])]
    assert decide(rulebook, rows, "durable") == decide(rulebook, rows, "vectorized")
