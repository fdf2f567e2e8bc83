"""Issue 22's officer ledger (tests/officer_ledger.py) decided as it is: 0 invalid rows, rows
without id decided and named by their row, remarks kept, month dates as spans, 合计 and footer
rows set aside and counted; every output keeps the rows without id; the 公布清单 lists only
parcels with a measure to publish."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

import officer_ledger as O
from landrules.decide.options import RunOptions
from landrules.decide.pipeline import decide_ledger
from landrules.decide.workbook import sheets as S

AS_OF = dt.date(2021, 10, 1)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    return O.write(tmp_path_factory.mktemp("officer") / "石龙区台账.xlsx")


@pytest.fixture(scope="module", params=["durable", "vectorized"])
def decided(request, ledger, rulebook):
    out, reports = io.StringIO(), []
    result = decide_ledger(ledger, None, RunOptions(rulebook, AS_OF, engine=request.param), stdout=out, report=reports.append)
    return result, [json.loads(line) for line in out.getvalue().splitlines()], reports[0]


def codes(decision):
    return [o["code"] for o in decision["outcomes"]]


def test_every_parcel_is_decided_and_nothing_else(decided):
    result, rows, _ = decided
    s = result.summary
    assert (s.rows, s.decided, s.invalid) == (8, 8, 0)
    assert all(r["errors"] == [] for r in rows)
    assert s.total_rows == [12] and s.footer_rows == [14, 15]  # set aside and counted
    assert [r["parcel_id"] for r in rows] == list(O.expected_rows().values())


def test_rows_without_id_are_named_by_their_row_and_not_duplicates(decided):
    result, rows, report = decided
    assert result.summary.no_id_rows == [4, 5, 9, 11] and report.no_id == [4, 5, 9, 11]
    first, second = rows[0], rows[1]
    assert first["notes"][0] == "无宗地编号，以第4行标识（批准文号 豫政土〔2019〕101号；项目名称 智能装备产业园一期；坐落 石龙区龙兴路北段）"
    assert second["notes"][0].startswith("无宗地编号，以第5行标识（批准文号 豫政土〔2020〕35号")
    assert "digest_unsupplied" in codes(first) and "digest_unsupplied" in codes(second)
    assert codes(rows[7]) == ["allocate_directly"]  # the 污水处理厂, id left empty


def test_coded_cells_with_remarks_read_as_their_code(decided):
    _, rows, _ = decided
    government = rows[2]
    assert codes(government) == ["remove_obstacles", "negotiate_disposal"]
    assert government["notes"] == ["已认定闲置 按“是”读取（备注：已下发通知书）", "闲置原因 按“政府原因”读取（备注：规划调整）"]
    assert "urge_start_within_deadline" in codes(rows[3]) and "资金不足" in rows[3]["notes"][0]


def test_month_dates_decide_where_the_month_does(decided):
    _, rows, _ = decided
    whole = rows[3]  # 约定开工 2019年7月: two full years on any day of it
    assert "recover_without_compensation" in codes(whole) and whole["needs"] == []
    split = rows[4]  # 约定开工 2020年10月: one full year on 10-01, not on 10-31
    assert "idle_fee" not in codes(split) and split["needs"] == ["agreed_start_on"]
    assert split["notes"] == ["约定动工日期 2020年10月 只写到月，未写日：取决于具体日期的规定暂不判断，请补充到日"]


def test_the_column_report_names_the_unknown_column(decided):
    _, _, report = decided
    assert O.UNKNOWN in report.ignored and "序号" in report.ignored
    assert ("电子监管号", "parcel_id") in report.recognised
    assert any("各宗面积均已换算为亩" in line for line in report.lines())


def test_the_workbook_keeps_rows_without_id_and_publishes_only_measures(ledger, rulebook, tmp_path):
    out = tmp_path / "决策.xlsx"
    result = decide_ledger(ledger, out, RunOptions(rulebook, AS_OF))
    assert result.summary.invalid == 0
    book = load_workbook(out)
    actions = [r for r in book[S.ACTIONS_SHEET].iter_rows(values_only=True)]
    named = [c for r in actions for c in r if isinstance(c, str) and c.startswith("（无编号）")]
    assert {"（无编号）第4行", "（无编号）第5行", "（无编号）第9行", "（无编号）第11行"} <= set(named)
    public = {r[1] for r in book[S.PUBLIC_SHEET].iter_rows(values_only=True)}
    assert "（无编号）第4行" in public  # 批而未供, a measure (有序消化)
    assert "（无编号）第9行" not in public  # 已批未供即用 whose only outcomes are 需补充信息
    summary = [c for r in book[S.SUMMARY_SHEET].iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert any("无宗地编号 4 行" in c for c in summary) and any("表尾行 2 行" in c for c in summary)
