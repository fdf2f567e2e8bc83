"""The list sheets' tables (一宗一策, 按责任单位, 公布清单, 逾期事项) built from coded columns."""

from __future__ import annotations

import datetime as dt

from landrules.decide.workbook.actions import ActionRow
from landrules.decide.workbook.lists import (
    BY_UNIT_HEADER,
    ParcelColumns,
    by_unit_table,
    overdue_table,
    public_table,
)


def by_unit_rows(rows):
    return by_unit_table(ParcelColumns.of_rows(rows)).rows()


def public_rows(rows):
    return public_table(ParcelColumns.of_rows(rows)).rows()


def overdue_rows(rows):
    return overdue_table(ParcelColumns.of_rows(rows)).rows()


def _row(order, pid, responsible, deadline=None, public="", overdue=False, area=1.0):
    return ActionRow(order=order, parcel_id=pid, location="坐落", holder=None, project=None, area_mu=area,
                     land_use="工业", categories="闲置", reason="原因", measures="完善用地手续（经认定）; 协商选择处置方式：延长",
                     deadline=deadline, overdue=overdue, responsible=responsible, citations="二、（三）",
                     public=public)


D = dt.date
ROWS = [  # as ActionList.rows() gives them: by first unit, deadline, ledger order
    _row(3, "P3", "区自然资源局; 区财政局", D(2022, 3, 1), public="闲置", overdue=True),
    _row(1, "P1", "区自然资源局", D(2022, 6, 1), public="批而未供、闲置"),
    _row(0, "P0", "区财政局", None, public="低效"),
    _row(2, "P2", "", D(2021, 1, 1), area=None),
]


def test_by_unit_repeats_a_parcel_under_each_unit_ordered_by_unit_then_deadline():
    rows = by_unit_rows(ROWS)
    at = {h: i for i, h in enumerate(BY_UNIT_HEADER)}
    assert [(r[at["责任单位"]], r[at["宗地编号"]]) for r in rows] == [
        ("区自然资源局", "P3"), ("区自然资源局", "P1"),
        ("区财政局", "P3"), ("区财政局", "P0"),  # P3 (2022-03-01) before P0 (no deadline)
        ("（未列责任单位）", "P2"),
    ]
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0][at["同时负责的单位"]] == "区财政局" and rows[2][at["同时负责的单位"]] == "区自然资源局"
    assert rows[1][at["同时负责的单位"]] == ""
    assert rows[0][at["处置措施"]] == "完善用地手续; 协商选择处置方式"
    assert rows[0][at["是否逾期"]] == "是" and rows[1][at["是否逾期"]] == "否"
    assert rows[4][at["面积（亩）"]] is None


def test_public_list_by_kind_then_ledger_order_and_overdue_list():
    assert [r[1] for r in public_rows(ROWS)] == ["P1", "P3", "P0"]  # 批而未供 first; then 闲置; 低效 last
    assert [r[1] for r in overdue_rows(ROWS)] == ["P3"]
    table = public_table(ParcelColumns.of_rows(ROWS))
    assert len(table) == 3 and table.head(2).rows() == public_rows(ROWS)[:2]
