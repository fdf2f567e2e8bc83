"""`progress` on the two bundled sample quarters: every class, its parcels, reasons and areas."""

from __future__ import annotations

import csv
import json

import pytest
from record_helpers import Q1, Q4, counts, record_two_quarters, run

from landrules.cli.layout import width

EXPECTED = {
    "removed": {"SL-010"},
    "new": {"SL-041"},
    "resolved": {"SL-003": "供地", "SL-015": "完成手续", "SL-017": "开工", "SL-018": "认定不闲置",
                 "SL-022": "收回", "SL-025": "盘活"},
    "changed": {"SL-023"},
    "newly_overdue": {"SL-005", "SL-006", "SL-007"},
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "store.duckdb"
    record_two_quarters(path)
    return path


@pytest.fixture(scope="module")
def records(store, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "progress.jsonl"
    result = run("progress", "-o", out, store=store)
    assert result.exit_code == 1, result.output  # SL-010 left the ledger unexplained
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_the_two_quarters_are_recorded(store):
    assert counts(store)["run_rows"] == [40, 40]
    listed = json.loads(run("runs", "--json", store=store).stdout)
    assert [(r["id"], r["label"], r["as_of"], r["ledger"], r["rows"]) for r in listed] == [
        (1, "2021Q4", "2021-10-01", Q4.name, 40), (2, "2022Q1", "2022-01-01", Q1.name, 40)]
    assert set(listed[0]) == {"id", "label", "as_of", "ledger", "rows", "rulebook", "recorded_by", "recorded_at"}
    assert listed[0]["rulebook"].startswith("sha256:") and listed[0]["recorded_by"]


def test_every_parcel_of_either_run_is_in_exactly_one_class(records):
    assert len(records) == 41  # 40 + SL-041, SL-002 → SL-002A matched by 坐落 + 面积
    by_class: dict[str, dict] = {}
    for r in records:
        by_class.setdefault(r["class"], {})[r["parcel_id"]] = r
    for code, parcels in EXPECTED.items():
        assert set(by_class[code]) == set(parcels), code
    assert len(by_class["unchanged"]) == 41 - sum(len(p) for p in EXPECTED.values())
    for pid, reason in EXPECTED["resolved"].items():
        assert by_class["resolved"][pid]["reason"] == reason
    assert all(r["reason"] is None for r in records if r["class"] != "resolved")
    assert records[0]["class"] == "removed"  # listed first


def test_records_are_as_the_contract_says(records):
    labels = {"new": "新增", "resolved": "销号", "removed": "移出", "changed": "措施变化", "newly_overdue": "新逾期", "unchanged": "未变"}
    for r in records:
        assert list(r)[:7] == ["parcel_id", "class", "class_label", "reason", "area_mu", "from", "to"]
        assert r["class_label"] == labels[r["class"]]
        assert (r["from"] is None) == (r["class"] == "new") and (r["to"] is None) == (r["class"] == "removed")
    removed = next(r for r in records if r["class"] == "removed")
    assert removed["from"]["parcel_id"] == "SL-010" and removed["from"]["as_of"] == "2021-10-01"
    resolved = next(r for r in records if r["parcel_id"] == "SL-003")
    assert [o["code"] for o in resolved["to"]["outcomes"]] == ["no_action"]
    assert resolved["area_mu"] == 16.8


def test_a_parcel_whose_id_changed_is_matched_and_says_so(records):
    renamed = next(r for r in records if r["parcel_id"] == "SL-002A")
    assert renamed["class"] == "unchanged" and renamed["from"]["parcel_id"] == "SL-002"
    assert "SL-002" in renamed["note"] and "SL-002A" in renamed["note"]
    assert not any(r["parcel_id"] == "SL-002" for r in records)


def test_the_summary_tables_add_up(store):
    from landrules.record.progress import compare
    from landrules.record.runs import resolve_run
    from landrules.record.store import Store

    with Store.open(store, readonly=True) as opened:
        result = compare(opened, resolve_run(opened, "2021Q4"), resolve_run(opened, "2022Q1"))
        from landrules.record.run_facts import run_facts

        areas = [run_facts(opened, run_id, ["area_mu"]).column("area_mu").to_pylist() for run_id in (1, 2)]
        totals = [(run_id, sum(a for a in area if a is not None), len(area)) for run_id, area in zip((1, 2), areas)]
        classes = {c.code: c for c in result.classes}
        assert sum(c.parcels for c in result.classes) == 41
        assert round(sum(c.from_area_mu for c in result.classes), 6) == round(totals[0][1], 6)
        assert round(sum(c.to_area_mu for c in result.classes), 6) == round(totals[1][1], 6)
        assert (classes["removed"].parcels, classes["removed"].from_area_mu, classes["removed"].to_area_mu) == (1, 52.3, 0.0)
        assert (classes["new"].parcels, classes["new"].to_area_mu) == (1, 31.5)
        assert classes["resolved"].parcels == 6 and round(classes["resolved"].from_area_mu, 2) == 139.5
        # 处置率 by category: 低效 had SL-025..027 (112.5 亩), SL-025 (40.2 亩) was 销号
        low = next(r for r in result.rates["类别"] if r.key == "low_efficiency")
        assert (low.parcels, round(low.with_measures_area_mu, 2), low.resolved, round(low.resolved_area_mu, 2)) == (3, 112.5, 1, 40.2)
        assert {r.key for r in result.rates["批准年度"]} >= {"2013", "2016"}
        assert result.tax["from"]["target"] == 6.0 and result.tax["to"]["mean"] > result.tax["from"]["mean"]


def test_the_officer_sees_the_removed_parcel_first_and_the_reasons(store):
    result = run("progress", "2021Q4", "2022Q1", store=store)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[1].startswith("移出 1 宗") and "SL-010" in lines[2]
    for pid, reason in EXPECTED["resolved"].items():
        assert any(pid in line and line.rstrip().endswith(reason) for line in lines), pid
    assert "亩均税收" in result.stdout and "目标 6 万元/亩" in result.stdout
    assert "处置率（按责任单位）" in result.stdout and "处置率（按批准年度）" in result.stdout


def test_in_80_columns_the_tables_fit_and_nothing_is_cut_off(store):
    """An officer's terminal of 80 columns: the rate tables' headers take two lines and every
    责任单位 is whole (Rich cuts a cell that does not fit with "…")."""
    result = run("progress", "2021Q4", "2022Q1", store=store, COLUMNS="80")
    tables = [line for line in result.stdout.splitlines() if line[:1] in "┏┃┡│└"]
    assert tables and max(len(line) for line in tables) <= 80
    assert "…" not in result.stdout
    assert "│ 城乡建设和交通运输局 │" in result.stdout and "│ 产业集聚区管委会" in result.stdout
    first, second = result.stdout.splitlines()[:2]  # the two runs a line each, neither cut inside
    assert first == "本季进展：上期 #1 2021Q4（评估日 2021-10-01）" and second.strip() == "→ 本期 #2 2022Q1（评估日 2022-01-01）"
    assert width(second[:second.index("本期")]) == width(first[:first.index("上期")])  # in display columns
    assert max(width(line) for line in result.stdout.splitlines()) <= 80  # the lists too, folded under their text
    lines = result.stdout.splitlines()
    changed = lines.index("措施变化：")
    assert lines[changed + 1].split() == ["SL-023", "25.10", "亩"] and lines[changed + 2].startswith("    上期：")


def test_runs_fit_80_columns_with_every_date_whole(store):
    result = run("runs", store=store, COLUMNS="80")
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 80 and "…" not in result.stdout
    assert "2021-10-01" in result.stdout and "2022-01-01" in result.stdout


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_progress_tables_in_every_format(store, tmp_path, suffix):
    out = tmp_path / f"进展{suffix}"
    assert run("progress", "1", "2", "-o", out, store=store).exit_code == 1
    if suffix == ".csv":
        rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(out, read_only=True)["逐宗进展"]
        values = list(sheet.values)
        rows = [dict(zip(values[0], v)) for v in values[1:]]
    else:
        import pandas as pd

        rows = pd.read_parquet(out).to_dict("records")
    assert len(rows) == 41 and rows[0]["宗地编号"] == "SL-010" and rows[0]["进展"] == "移出"
    assert {r["宗地编号"]: r["销号原因"] for r in rows if r["进展"] == "销号"} == EXPECTED["resolved"]


def test_no_exit_1_without_a_removed_parcel(store):
    result = run("progress", "2", "2", store=store)
    assert result.exit_code == 2 and "同一期" in result.output
    result = run("progress", "2022Q1", "1", store=store)  # the other way round: SL-041 is 移出
    assert result.exit_code == 1 and "SL-041" in result.stdout


def test_unknown_run_and_empty_store(tmp_path):
    assert run("progress", store=tmp_path / "none.duckdb").exit_code == 2
    assert not (tmp_path / "none.duckdb").exists()  # reading never creates the store
    store = tmp_path / "one.duckdb"
    assert run("decide", Q4, "--as-of", "2021-10-01", "--record", store=store).exit_code == 1
    result = run("progress", store=store)
    assert result.exit_code == 2 and "之前没有记录" in result.output
    assert run("progress", "2019Q1", "1", store=store).exit_code == 2


def test_a_parcel_whose_id_changed_is_matched_by_its_approval_document(tmp_path):
    """批准文号 + 坐落 + 面积 match a parcel renumbered between the quarters (contract §7); the
    批准文号 cell is read back from the recorded cells."""
    from landrules.record.progress import compare
    from landrules.record.runs import resolve_run
    from landrules.record.store import Store

    with open(Q4, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    ledgers = {}
    for name, renumber in (("q4.csv", False), ("q1.csv", True)):
        out = [[*header, "批准文号"]]
        for k, row in enumerate(body):
            row = list(row)
            if renumber and row[0] == "SL-003":
                row[0] = "SL-003-新"
            out.append([*row, f"焦政土〔2019〕{k}号"])
        ledgers[name] = tmp_path / name
        with open(ledgers[name], "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(out)
    store = tmp_path / "store.duckdb"
    assert run("decide", ledgers["q4.csv"], "--as-of", "2021-10-01", "--record", "--label", "甲", store=store).exit_code == 1
    assert run("decide", ledgers["q1.csv"], "--as-of", "2021-10-01", "--record", "--label", "乙", store=store).exit_code == 1
    with Store.open(store, readonly=True) as opened:
        result = compare(opened, resolve_run(opened, "甲"), resolve_run(opened, "乙"))
        matched = opened.con.execute("SELECT parcel_id, class, note FROM progress WHERE by_ident").fetchall()
    assert matched == [("SL-003-新", "unchanged", "宗地编号由 SL-003 变为 SL-003-新，按批准文号、坐落、面积对应")]
    assert {c.code: c.parcels for c in result.classes}["new"] == 0


def test_a_repeated_id_s_rows_are_paired_in_order(tmp_path):
    """Two rows with one 宗地编号 (the second is flagged as a repeat, invalid, and still recorded)
    pair with the other quarter's rows of that id in their order: the first with the first (its
    45.6 亩), the second with the second (its 12.5 亩)."""
    from landrules.record.progress import compare
    from landrules.record.runs import resolve_run
    from landrules.record.store import Store

    with open(Q4, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    first = next(r for r in body if r[0] == "SL-001")
    store = tmp_path / "store.duckdb"
    for name, label in (("q4.csv", "甲"), ("q1.csv", "乙")):
        twin = list(first)
        twin[header.index("面积（亩）")] = "12.5"
        ledger = tmp_path / name
        with open(ledger, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([header, *body, twin])
        assert run("decide", ledger, "--as-of", "2021-10-01", "--record", "--label", label, store=store).exit_code == 1
    with Store.open(store, readonly=True) as opened:
        compare(opened, resolve_run(opened, "甲"), resolve_run(opened, "乙"))
        pairs = opened.con.execute("SELECT f_row, t_row, class, reason, area_mu FROM progress WHERE parcel_id = 'SL-001' "
                                   "ORDER BY f_row").fetchall()
    rows_of = [k + 2 for k, r in enumerate([*body, first]) if r[0] == "SL-001"]  # file rows (the header is row 1)
    assert [(f, t) for f, t, *_ in pairs] == [(rows_of[0], rows_of[0]), (rows_of[1], rows_of[1])]
    assert [(c, a) for _, _, c, _, a in pairs] == [("unchanged", 45.6), ("unchanged", 12.5)]
