"""Seventeen cases written from the legal texts (not from the scenarios), decided through
`landrules decide` on both engines as of 2022-12-31 and of 2021-06-21 (the day before the plan):
both engines must agree, and each decision must be what the texts say (contract §5)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import landrules.cli.decide  # noqa: F401 - registers the command
from landrules.cli.app import app

LEDGER = """\
宗地编号,面积（亩）,土地用途,项目来源,批准日期,供地日期,供地方式,开工日期,约定动工日期,已开发面积占比,已投资额占比,中止开发日期,已认定闲置,闲置原因,已协商一致收回,土地利用现状未改变,确实无法征收或不再征收,已报省厅备案,符合国土空间规划,符合产业准入政策,运营良好,履约情况,亩均产出（万元/亩）,亩均税收（万元/亩）,标准地出让,成交价款
I01,12,工业,招商引资,2023-05-10,,,,,,,,,,,否,否,,,,,,,,,
I02,12,工业,,2020-04-01,,,,,,,,,,,是,是,,,,,,,,,
I03,12,工业,,2020-04-01,,,,,,,,,,,是,否,,,,,,,,,
I04,15,工业,招商引资,2018-03-01,,,2018-11-30,,,,,,,,,,是,是,是,是,良好,260,9,,
I05,15,商服,,2019-03-01,,,2019-05-01,,,,,,,,,,,,,,,,,,
I06,20,工业,,2018-01-01,2019-02-01,出让,,2020-01-15,,,,是,企业原因,,,,,,,,,,,,650
I07,20,工业,,2018-01-01,2019-02-01,出让,,2021-06-01,,,,是,企业原因,,,,,,,,,,,,650
I08,20,工业,,2018-01-01,2019-02-01,出让,,2021-08-01,,,,是,企业原因,,,,,,,,,,,,
I09,20,工业,,2018-01-01,2019-02-01,划拨,,2020-12-01,,,,是,政府原因,,,,,,,,,,,,900
I10,20,工业,,2018-01-01,2019-02-01,出让,2020-03-01,2019-12-01,0.2,0.5,2021-01-10,是,企业原因,,,,,,,,,,,,700
I11,20,工业,,2018-01-01,2019-02-01,出让,,2021-03-31,,,,,企业原因,,,,,,,,,,,,
I12,20,工业,,2018-01-01,2019-02-01,出让,,2020-01-01,,,,是,政企互有瑕疵,否,,,,,,,,,,,
I13,30,工业,,2020-06-01,2022-03-01,出让,2021-10-01,2022-06-01,,,,,,,,,,,,,,300,12,否,
I14,30,工业,,2020-06-01,2022-03-01,出让,2022-04-01,2022-06-01,,,,,,,,,,,,,,300,12,否,
I15,30,工业,,2020-06-01,2022-03-01,出让,2022-04-01,2022-06-01,,,,,,,,,,,,,,80,3,是,
I16,25,工业,,2016-01-01,2017-01-01,出让,,2021-12-01,,,,是,企业原因,,,,,,,,,,,,0.025
I17,25,公共服务,,2020-01-01,,,2020-05-01,,,,,,,,,,,,,,,,,,
"""

EXPECTED = {  # parcel -> (categories, outcome codes, amount of the fee or None)
    "I01": ([], ["no_action"]),                                       # approved after the date: not covered
    "I02": (["approved_unsupplied"], ["clear_approval"]),             # clearing replaces digesting
    "I03": (["approved_unsupplied"], ["digest_unsupplied"]),
    "I04": (["approved_unsupplied", "used_before_supplied"], ["regularise"]),  # in use 2018-11-30
    "I05": (["approved_unsupplied", "used_before_supplied"], ["digest_unsupplied"]),  # 商服: ¶1
    "I06": (["idle"], ["urge_start_within_deadline", "recover_without_compensation"]),  # two years: no fee
    "I07": (["idle"], ["urge_start_within_deadline", "idle_fee"]),    # 1½ years: fee of 650 万元 × 20 %
    "I08": (["idle"], ["urge_start_within_deadline", "idle_fee"]),    # no price: the amount waits
    "I09": (["idle"], ["remove_obstacles", "negotiate_disposal"]),    # 第八条: no 第十四条
    "I10": (["idle"], ["urge_start_within_deadline", "negotiate_disposal", "needs_information"]),  # started: 第十二条
    "I11": (["idle", "idle_suspected"], ["investigate_idle", "urge_start_within_deadline", "needs_information"]),
    "I12": (["idle"], ["negotiate_disposal"]),                        # shared fault, not agreed
    "I13": ([], ["no_action"]),                                       # in use before supply: not 新供
    "I14": ([], ["standard_land_missing"]),
    "I15": (["low_efficiency", "standard_land"], ["low_efficiency_redevelopment", "needs_information"]),
    "I16": (["idle"], ["urge_start_within_deadline", "idle_fee"]),    # 0.025 万元 × 20 % = 0.005 → 0.01
    "I17": (["approved_unsupplied", "used_before_supplied"], ["allocate_directly"]),
}
AMOUNTS = {"I07": 130.0, "I16": 0.01}


def decided(tmp_path, engine, as_of):
    ledger = tmp_path / "cases.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    out = tmp_path / f"{engine}-{as_of}.jsonl"
    result = CliRunner().invoke(app, ["decide", str(ledger), "--as-of", as_of, "--engine", engine, "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    return out.read_text(encoding="utf-8")


def test_both_engines_agree(tmp_path):
    for as_of in ("2022-12-31", "2021-06-21"):
        assert decided(tmp_path, "durable", as_of) == decided(tmp_path, "vectorized", as_of)


@pytest.mark.parametrize("engine", ["durable", "vectorized"])
def test_the_cases_as_the_texts_say(tmp_path, engine):
    records = {r["parcel_id"]: r for r in map(json.loads, decided(tmp_path, engine, "2022-12-31").splitlines())}
    for pid, (categories, codes) in EXPECTED.items():
        record = records[pid]
        assert (record["categories"], [o["code"] for o in record["outcomes"]]) == (categories, codes), pid
        fee = [o for o in record["outcomes"] if o["code"] == "idle_fee"]
        assert [o.get("amount") for o in fee] == ([AMOUNTS[pid]] if pid in AMOUNTS else [None] * len(fee)), pid
    assert records["I01"]["needs"] == [] and "尚未批准" in records["I01"]["notes"][0]
    assert any("待补充土地价款" in n for n in records["I08"]["notes"])
    assert records["I11"]["needs"] == ["idle_identified"]
    assert next(o for o in records["I04"]["outcomes"])["overdue"] is True  # 2021年年底前


def test_before_the_plan_no_outcome_rests_on_it(tmp_path):
    records = [json.loads(line) for line in decided(tmp_path, "vectorized", "2021-06-21").splitlines()]
    assert {o["code"] for r in records for o in r["outcomes"]} == {"no_action"}
    assert all(any("平龙政办〔2021〕36号自2021-06-22起施行" in n for n in r["notes"]) for r in records)
    idle = {r["parcel_id"] for r in records if "idle" in r["categories"]}  # 53号令 第二条 is in force
    assert idle == {"I06", "I07", "I08", "I09", "I10", "I12", "I16"}
