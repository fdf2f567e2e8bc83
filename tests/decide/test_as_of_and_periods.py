"""Contract §5 Revised, the law's time: the parcel as of the evaluation date, periods by 民法典 第二百零二条.

Each decision is made on both engines (the durable-rules reference and the vectorised backend),
one parcel at a time (`Evaluator.decide`) and through the ledger pipeline (`decide`, `explain`).
"""

import datetime as dt
import json

import pytest

from conftest import ROOT
from conftest import RUNNER as runner
from landrules.cli import app
from landrules.decide.as_of import facts_as_of, frame_as_of, later_note
from landrules.decide.options import RunOptions
from landrules.decide.pipeline import decide_ledger
from landrules.rulebook.conditions import Atom
from landrules.rulebook.periods import offset_date

D = dt.date
AS_OF = D(2021, 10, 1)


# --- periods: one function, 民法典 第二百零二条 -----------------------------------------------------


@pytest.mark.parametrize("as_of, offset, latest_full_start", [
    (D(2021, 10, 1), "-1y", D(2020, 10, 1)),   # the corresponding day; a period ending today is full
    (D(2021, 2, 28), "-1y", D(2020, 2, 29)),   # a year from 2020-02-29 ends on 2021-02-28
    (D(2021, 3, 1), "-1y", D(2020, 3, 1)),
    (D(2022, 2, 28), "-2y", D(2020, 2, 29)),
    (D(2024, 2, 29), "-1y", D(2023, 2, 28)),
    (D(2024, 2, 28), "-1y", D(2023, 2, 28)),
    (D(2021, 2, 28), "-1m", D(2021, 1, 31)),   # a month from 01-31 ends on 02-28 (the month's last day)
    (D(2021, 4, 30), "-1m", D(2021, 3, 31)),
    (D(2021, 3, 30), "-1m", D(2021, 2, 28)),
    (D(2021, 10, 1), "-30d", D(2021, 9, 1)),
    (D(2021, 8, 31), "+6m", D(2022, 2, 28)),   # forwards: the last day of a period counted from as_of
    (D(2021, 10, 1), "+0d", D(2021, 10, 1)),
])
def test_offset_date_follows_the_civil_code(as_of, offset, latest_full_start):
    assert offset_date(as_of, offset) == latest_full_start


@pytest.mark.parametrize("start", [D(2019, 1, 31), D(2020, 2, 29), D(2020, 2, 28), D(2019, 12, 31), D(2020, 8, 31), D(2020, 10, 1)])
@pytest.mark.parametrize("years", [1, 2])
def test_a_period_is_full_exactly_from_its_last_day(start, years):
    """`start le as_of: -Ny` holds from the period's last day on (start + N years, clamped), not before."""
    from dateutil.relativedelta import relativedelta

    last = start + relativedelta(years=years)
    assert start <= offset_date(last, f"-{years}y")
    assert not start <= offset_date(last - dt.timedelta(days=1), f"-{years}y")


def test_the_resolver_binds_offsets_with_that_function(rulebook):
    bound = rulebook.resolver(D(2021, 2, 28)).bind(Atom(field="agreed_start_on", op="le", as_of="-1y"))
    assert bound.value == D(2020, 2, 29) and "民法典第二百零二条" in bound.source


@pytest.mark.parametrize("agreed, as_of, idle", [
    (D(2020, 2, 29), D(2021, 2, 28), True),
    (D(2020, 2, 29), D(2021, 2, 27), False),
    (D(2020, 3, 1), D(2021, 2, 28), False),
    (D(2020, 3, 1), D(2021, 3, 1), True),
    (D(2020, 8, 31), D(2021, 8, 31), True),
    (D(2020, 8, 31), D(2021, 8, 30), False),
])
def test_month_end_periods_on_both_engines(decide_both, agreed, as_of, idle):
    decision = decide_both(as_of=as_of, supplied_on=D(2019, 6, 1), agreed_start_on=agreed, idle_cause="enterprise")
    assert ("idle" in decision.categories) is idle
    assert ("idle_suspected" in decision.categories) is idle


# 2024-02-29, not 2020-02-29: the fee and recovery rules cite the plan's 2.3.2.2, in force from
# 2021-06-22 (contract §5 Revised, wave 3); from two full years recovery stands alone (graded 第十四条)
@pytest.mark.parametrize("as_of, fee, recovery", [
    (D(2025, 2, 27), False, False), (D(2025, 2, 28), True, False),
    (D(2026, 2, 27), True, False), (D(2026, 2, 28), False, True),
])
def test_fee_and_recovery_from_02_29_on_both_engines(decide_both, as_of, fee, recovery):
    decision = decide_both(as_of=as_of, supplied_on=D(2023, 6, 1), agreed_start_on=D(2024, 2, 29),
                           idle_identified=True, idle_cause="enterprise")
    assert ("idle_fee" in decision.outcome_codes) is fee
    assert ("recover_without_compensation" in decision.outcome_codes) is recovery


def test_exactly_one_year_after_the_agreed_start_with_a_finding_is_the_fee(decide_both):
    """Kept from the seed: a period that ends on the evaluation date is full."""
    found = dict(supplied_on=D(2019, 1, 1), idle_identified=True, idle_cause="enterprise")
    assert "idle_fee" in decide_both(agreed_start_on=D(2020, 10, 1), **found).outcome_codes
    assert "idle_fee" not in decide_both(agreed_start_on=D(2020, 10, 2), **found).outcome_codes


def test_exactly_one_third_developed_is_not_short(decide_both):
    """Kept: 不足三分之一 excludes one third itself."""
    base = dict(supplied_on=D(2017, 3, 1), agreed_start_on=D(2017, 9, 1), construction_started_on=D(2017, 10, 1),
                suspended_since=D(2019, 5, 1), invested_ratio=0.5, idle_cause="government")
    assert "idle" not in decide_both(developed_ratio=1 / 3, **base).categories
    assert "idle" in decide_both(developed_ratio=0.3333, **base).categories


# --- as of the date: later events are not yet events -----------------------------------------


def test_facts_as_of_sets_aside_later_events_and_keeps_the_agreed_start():
    facts = dict(approved_on=D(2020, 5, 1), supplied_on=D(2022, 3, 1), agreed_start_on=D(2022, 9, 1),
                 construction_started_on=D(2021, 10, 1), suspended_since=D(2021, 10, 2))
    viewed, notes = facts_as_of(facts, AS_OF)
    assert viewed == dict(approved_on=D(2020, 5, 1), agreed_start_on=D(2022, 9, 1), construction_started_on=D(2021, 10, 1))
    assert notes == ["供地日期 2022-03-01 晚于评估日 2021-10-01，按未发生处理", "中止开发日期 2021-10-02 晚于评估日 2021-10-01，按未发生处理"]
    assert facts_as_of(viewed, AS_OF) == (viewed, [])


def test_supplied_after_the_date_is_still_approved_unsupplied(decide_both):
    decision = decide_both(approved_on=D(2020, 5, 1), supplied_on=D(2022, 3, 1), agreed_start_on=D(2022, 9, 1),
                           land_use="industrial", standard_land=False)
    assert decision.categories == ["approved_unsupplied"]
    assert "digest_unsupplied" in decision.outcome_codes and "standard_land_missing" not in decision.outcome_codes
    assert decision.notes == ["供地日期 2022-03-01 晚于评估日 2021-10-01，按未发生处理"]
    later = decide_both(as_of=D(2022, 10, 1), approved_on=D(2020, 5, 1), supplied_on=D(2022, 3, 1),
                        agreed_start_on=D(2022, 9, 1), land_use="industrial", standard_land=False)
    assert later.categories == [] and later.outcome_codes == ["standard_land_missing"] and later.notes == []


def test_started_after_the_date_was_not_started_then(decide_both):
    decision = decide_both(supplied_on=D(2018, 1, 15), agreed_start_on=D(2019, 6, 30),
                           construction_started_on=D(2022, 4, 1), idle_cause="enterprise")
    assert decision.categories == ["idle", "idle_suspected"]
    assert {"investigate_idle", "urge_start_within_deadline"} <= set(decision.outcome_codes)
    assert decision.notes == ["开工日期 2022-04-01 晚于评估日 2021-10-01，按未发生处理"]


def test_approved_after_the_date_is_not_approved_land(decide_both):
    decision = decide_both(approved_on=D(2022, 1, 10), land_use="industrial")
    assert "approved_unsupplied" not in decision.categories and "digest_unsupplied" not in decision.outcome_codes
    assert decision.notes == ["批准日期 2022-01-10 晚于评估日 2021-10-01，按未发生处理：评估日时尚未批准为建设用地，不属于方案处置的范围"]
    assert decision.categories == [] and decision.outcome_codes == ["no_action"] and decision.needs == []


def test_suspended_after_the_date_is_not_idle_by_suspension(decide_both):
    decision = decide_both(supplied_on=D(2017, 3, 1), agreed_start_on=D(2017, 9, 1), construction_started_on=D(2017, 10, 1),
                           suspended_since=D(2022, 1, 1), developed_ratio=0.2, idle_cause="government", land_use="commercial")
    assert decision.categories == [] and decision.outcome_codes == ["no_action"]
    assert decision.notes == ["中止开发日期 2022-01-01 晚于评估日 2021-10-01，按未发生处理"]


def test_a_later_agreed_start_counts_as_written_with_no_note(decide_both):
    decision = decide_both(supplied_on=D(2021, 3, 1), agreed_start_on=D(2022, 3, 1), land_use="commercial")
    assert decision.categories == [] and decision.notes == []


def test_the_frame_view_equals_the_facts_view(rulebook):
    from landrules.core.values import columns_from_facts
    from landrules.ledger.validate.frame import ParsedFrame

    rows = [dict(supplied_on=D(2022, 3, 1), approved_on=D(2020, 1, 1)), dict(supplied_on=D(2019, 3, 1)), {}]
    parsed = ParsedFrame(n=3, rows=[2, 3, 4], columns=columns_from_facts(rows), notes={1: ("面积已换算",)})
    viewed = frame_as_of(parsed, AS_OF)
    assert [viewed.facts(i) for i in range(3)] == [facts_as_of(r, AS_OF)[0] for r in rows]
    assert viewed.notes == {0: (later_note("supplied_on", D(2022, 3, 1), AS_OF),), 1: ("面积已换算",)}
    assert parsed.facts(0)["supplied_on"] == D(2022, 3, 1)  # the chunk itself is left as it was
    assert frame_as_of(parsed, D(2022, 3, 1)) is parsed  # nothing later: the same chunk


LEDGER = """宗地编号,面积（亩）,批准日期,供地日期,约定动工日期,开工日期,土地用途,闲置原因
A,10,2020-05-01,2022年3月1日,2022-09-01,,工业,
B,12,2016-01-01,2018-01-15,2019-06-30,2022/4/1,商服,企业原因
C,8,2016-01-01,2018-01-15,2019-06-30,2019-05-01,商服,
"""


@pytest.mark.parametrize("engine", ["durable", "vectorized"])
def test_decide_notes_later_events_on_both_engines(rulebook, tmp_path, engine):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    decide_ledger(ledger, out, RunOptions(rulebook, AS_OF, engine=engine))
    records = {r["parcel_id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert records["A"]["categories"] == ["approved_unsupplied"]
    assert records["A"]["notes"] == ["供地日期 2022-03-01 晚于评估日 2021-10-01，按未发生处理"]
    assert records["B"]["categories"] == ["idle", "idle_suspected"]
    assert records["B"]["notes"] == ["开工日期 2022-04-01 晚于评估日 2021-10-01，按未发生处理"]
    assert records["C"]["notes"] == [] and records["C"]["categories"] == []


def test_explain_sees_the_parcel_as_of_the_date(tmp_path):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    result = runner.invoke(app, ["explain", str(ledger), "--parcel", "A", "--as-of", "2021-10-01", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["decision"]["notes"] == ["供地日期 2022-03-01 晚于评估日 2021-10-01，按未发生处理"]
    assert data["decision"]["categories"] == ["approved_unsupplied"]
    rule = next(t for t in data["trace"] if t["rule"] == "category.approved_unsupplied")
    assert rule["status"] == "fired"
    text = runner.invoke(app, ["explain", str(ledger), "--parcel", "A", "--as-of", "2021-10-01"], env={"COLUMNS": "200"})
    assert "备注：供地日期 2022-03-01 晚于评估日 2021-10-01，按未发生处理" in text.stdout


def test_sample_ledger_notes_its_later_supply(tmp_path):
    result = runner.invoke(app, ["decide", str(ROOT / "examples" / "shilong-ledger.csv"), "--as-of", "2021-10-01"])
    first = json.loads(next(line for line in result.stdout.splitlines() if line.startswith("{")))
    assert first["parcel_id"] == "SL-001" and first["notes"] == ["供地日期 2022-03-01 晚于评估日 2021-10-01，按未发生处理"]
