"""The readings of contract §5 "Revised, wave 3", decided on both engines, one parcel at a time
and through `decide` on a ledger (the batch path shares patterns between rows)."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from landrules.decide.evaluate import fee_amount

D = dt.date
IDLE = dict(approved_on=D(2018, 3, 1), supplied_on=D(2018, 6, 1), land_use="industrial", idle_identified=True,
            idle_cause="enterprise")


def test_approved_after_the_evaluation_date_is_not_covered(decide_both):
    d = decide_both(as_of=D(2022, 6, 30), approved_on=D(2022, 9, 1), land_use="industrial")
    assert d.categories == [] and d.outcome_codes == ["no_action"] and d.needs == []
    assert any("2022-09-01" in n and "尚未批准" in n for n in d.notes)


def test_no_approval_date_at_all_still_asks_for_both_dates(decide_both):
    d = decide_both(as_of=D(2022, 6, 30), land_use="industrial")
    assert d.outcome_codes == ["needs_information"] and d.needs == ["approved_on", "supplied_on"]


@pytest.mark.parametrize("agreed, codes", [
    (D(2021, 6, 30), ["urge_start_within_deadline", "idle_fee"]),                      # exactly one year
    (D(2020, 7, 1), ["urge_start_within_deadline", "idle_fee"]),                       # one day short of two
    (D(2020, 6, 30), ["urge_start_within_deadline", "recover_without_compensation"]),  # exactly two
])
def test_article_14_is_graded(decide_both, agreed, codes):
    d = decide_both(as_of=D(2022, 6, 30), agreed_start_on=agreed, land_price=1000.0, **IDLE)
    assert d.outcome_codes == codes


def test_the_fee_amount_is_a_fifth_of_the_price_in_two_decimals(decide_both):
    d = decide_both(as_of=D(2022, 6, 30), agreed_start_on=D(2021, 1, 1), land_price=1234.567, **IDLE)
    fee = next(o for o in d.outcomes if o.code == "idle_fee")
    assert fee.amount == 246.91
    assert d.notes == []
    assert json.loads(d.to_json())["outcomes"][1]["amount"] == 246.91
    assert "amount" not in json.loads(d.to_json())["outcomes"][0]  # only the fee carries one


def test_without_a_price_the_fee_stands_and_a_note_says_it_waits(decide_both):
    d = decide_both(as_of=D(2022, 6, 30), agreed_start_on=D(2021, 1, 1), **IDLE)
    assert "idle_fee" in d.outcome_codes
    assert next(o for o in d.outcomes if o.code == "idle_fee").amount is None
    assert any("待补充土地价款" in n for n in d.notes)


@pytest.mark.parametrize("price, amount", [(0.025, 0.01), (0.024, 0.0), (100.0, 20.0), (3.335, 0.67), (1e6, 2e5)])
def test_fee_amount_rounds_half_up(price, amount):
    assert fee_amount(price, 0.2) == amount


@pytest.mark.parametrize("started, missing", [
    (D(2018, 5, 1), False),   # in use before supply: 2.3.2.1's regularisation
    (D(2021, 8, 31), False),
    (D(2021, 9, 1), True),    # the same day: new supply
    (None, True),
])
def test_regularised_land_is_not_standard_land_missing(decide_both, started, missing):
    facts = dict(approved_on=D(2017, 1, 1), supplied_on=D(2021, 9, 1), land_use="industrial", standard_land=False,
                 agreed_start_on=D(2022, 3, 1), output_per_mu=500.0, tax_per_mu=20.0)
    if started:
        facts["construction_started_on"] = started
    d = decide_both(as_of=D(2022, 6, 30), **facts)
    assert ("standard_land_missing" in d.outcome_codes) is missing


@pytest.mark.parametrize("unchanged, infeasible, codes, needs", [
    (True, True, ["clear_approval"], []),
    (True, False, ["digest_unsupplied"], []),
    (False, True, ["digest_unsupplied"], []),
    (None, True, ["digest_unsupplied", "needs_information"], ["land_status_unchanged"]),  # unknown: digest, ask
])
def test_clearing_replaces_digesting(decide_both, unchanged, infeasible, codes, needs):
    facts = dict(approved_on=D(2019, 6, 20), land_use="industrial", expropriation_infeasible=infeasible)
    if unchanged is not None:
        facts["land_status_unchanged"] = unchanged
    d = decide_both(**facts)
    assert d.outcome_codes == codes and d.needs == needs


LEDGER = [
    ["宗地编号", "面积（亩）", "土地用途", "批准日期", "供地日期", "约定动工日期", "已认定闲置", "闲置原因", "出让价款"],
    ["F1", "10", "工业", "2018-03-01", "2018-06-01", "2021-01-01", "是", "企业原因", "1234.567"],
    ["F2", "10", "工业", "2018-03-01", "2018-06-01", "2021-01-01", "是", "企业原因", "800"],
    ["F3", "10", "工业", "2018-03-01", "2018-06-01", "2021-01-01", "是", "企业原因", ""],
    ["F4", "10", "工业", "2018-03-01", "2018-06-01", "2019-01-01", "是", "企业原因", "500"],
    ["F5", "10", "工业", "2023-03-01", "", "", "", "", ""],
]


@pytest.mark.parametrize("engine", ["durable", "vectorized"])
def test_a_ledger_gives_each_row_its_own_amount_and_notes(tmp_path, engine):
    """Rows alike but for the price share a pattern in `decide`: each must keep its own amount."""
    from typer.testing import CliRunner

    import landrules.cli.decide  # noqa: F401 - registers the command
    from landrules.cli.app import app

    ledger = tmp_path / "l.csv"
    with ledger.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(LEDGER)
    out, flat = tmp_path / "d.jsonl", tmp_path / "d.csv"
    for target in (out, flat):
        result = CliRunner().invoke(app, ["decide", str(ledger), "--as-of", "2022-06-30", "--engine", engine, "-o", str(target)])
        assert result.exit_code in (0, 1), result.output
    records = {r["parcel_id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    amounts = {pid: [o.get("amount") for o in r["outcomes"] if o["code"] == "idle_fee"] for pid, r in records.items()}
    assert amounts == {"F1": [246.91], "F2": [160.0], "F3": [None], "F4": [], "F5": []}
    assert any("待补充土地价款" in n for n in records["F3"]["notes"]) and records["F1"]["notes"] == []
    assert [o["code"] for o in records["F4"]["outcomes"]] == ["urge_start_within_deadline", "recover_without_compensation"]
    assert records["F5"]["categories"] == [] and records["F5"]["needs"] == [] and records["F5"]["notes"]
    rows = {r["宗地编号"]: r for r in csv.DictReader(flat.open(encoding="utf-8-sig"))}
    assert rows["F1"]["idle_fee_amount"] == "246.91" and rows["F2"]["idle_fee_amount"] == "160.00"
    assert rows["F3"]["idle_fee_amount"] == "" and "待补充土地价款" in rows["F3"]["notes"]
