"""Progress between two recorded runs (contract §7), computed in DuckDB over the runs' tables.

Every parcel of either run falls in exactly one class, decided in this order:

- new (新增)            in TO, not in FROM;
- removed (移出)        in FROM, not in TO: a parcel may not leave the 台账 unexplained;
- resolved (销号)       in FROM with a measure to take, in TO with none (`no_action`), with the
                        reason the changed facts show (供地, 开工, 收回, 完成手续, 盘活, 认定不闲置);
- changed (措施变化)    categories, outcome codes or deadlines differ;
- newly_overdue (新逾期) overdue in TO, not in FROM;
- unchanged (未变).

A measure is any outcome but no_action, needs_information and invalid_record. Parcels are
matched by id (a repeated id by its occurrence); the ones left are matched by their identifying
cells (批准文号 + 坐落 + 面积) and carry a note naming both ids. Each class has its 宗数 and the
area in FROM and in TO, so the areas add up to each run's total.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from landrules.record.run_facts import run_facts
from landrules.record.runs import Run
from landrules.record.store import Store

CLASSES = {
    "removed": "移出", "new": "新增", "resolved": "销号",
    "changed": "措施变化", "newly_overdue": "新逾期", "unchanged": "未变",
}
NOT_MEASURES = ("no_action", "needs_information", "invalid_record")

# The 销号 reasons, each a condition on f (FROM) and t (TO): facts and decisions (order = shown order).
REASONS = (
    ("完成手续", "f.cats LIKE '%used_before_supplied%' AND f.supplied_on IS NULL AND t.supplied_on IS NOT NULL"),
    ("供地", "coalesce(f.cats, '') NOT LIKE '%used_before_supplied%' AND f.supplied_on IS NULL AND t.supplied_on IS NOT NULL"),
    ("开工", "(f.construction_started_on IS NULL AND t.construction_started_on IS NOT NULL) OR "
             "t.developed_ratio > coalesce(f.developed_ratio, 0)"),
    ("收回", "(f.codes LIKE '%recover%' OR f.recovery_agreed) AND coalesce(f.holder, '') <> coalesce(t.holder, '')"),
    ("盘活", "f.cats LIKE '%low_efficiency%' AND coalesce(t.cats, '') NOT LIKE '%low_efficiency%'"),
    # land recovered is 收回, not also found not idle (the finding goes with the recovery)
    ("认定不闲置", "f.cats LIKE '%idle%' AND t.idle_identified = false AND f.idle_identified IS DISTINCT FROM false "
                   "AND coalesce(f.holder, '') = coalesce(t.holder, '')"),
)
FACTS = ("supplied_on", "construction_started_on", "developed_ratio", "recovery_agreed", "holder", "idle_identified",
         "approved_on", "location")
NO_FACT_REASON = "事实未见变化（规则库或评估日不同）"


def _measure(codes: str) -> str:
    quoted = ", ".join(f"'{c}'" for c in NOT_MEASURES)
    return f"(len(list_filter(string_split(coalesce({codes}, ''), '; '), lambda c: c <> '' AND c NOT IN ({quoted}))) > 0)"


def _overdue(overdue: str) -> str:
    return f"coalesce({overdue} LIKE '%:是%', false)"


@dataclass
class ClassCount:
    code: str
    label: str
    parcels: int = 0
    from_area_mu: float = 0.0
    to_area_mu: float = 0.0


@dataclass
class Rate:
    key: str
    with_measures_area_mu: float
    resolved_area_mu: float
    parcels: int
    resolved: int

    @property
    def rate(self) -> float | None:
        return self.resolved_area_mu / self.with_measures_area_mu if self.with_measures_area_mu else None


@dataclass
class Progress:
    """The comparison, kept in the connection's temporary table `progress` (one row a parcel)."""

    store: Store
    before: Run
    after: Run
    classes: list[ClassCount] = field(default_factory=list)
    rates: dict[str, list[Rate]] = field(default_factory=dict)  # by category / responsible / year
    tax: dict[str, dict] = field(default_factory=dict)  # "from"/"to": mean, target, area, below

    @property
    def removed(self) -> int:
        return next(c.parcels for c in self.classes if c.code == "removed")

    def listed(self, code: str, limit: int | None = None) -> list[dict]:
        """Parcels of one class: id, reason, area, note, FROM and TO outcome codes, deadlines."""
        sql = (f"SELECT parcel_id, reason, area_mu, note, f_codes, t_codes, f_deadline, t_deadline, t_overdue, f_row, t_row "
               f"FROM progress WHERE class = ? ORDER BY coalesce(f_row, t_row){'' if limit is None else f' LIMIT {int(limit)}'}")
        names = ("parcel_id", "reason", "area_mu", "note", "from_codes", "to_codes", "from_deadline", "to_deadline",
                 "to_overdue", "from_row", "to_row")
        return [dict(zip(names, r)) for r in self.store.con.execute(sql, [code]).fetchall()]

    def jsonl_query(self) -> str:
        """One JSON line per parcel (contract §7), removed first, then in TO's order."""
        return f"""
            SELECT '{{"parcel_id":' || coalesce(to_json(p.parcel_id)::VARCHAR, 'null')
                || ',"class":"' || p.class || '","class_label":"' || p.class_label || '"'
                || ',"reason":' || coalesce(to_json(p.reason)::VARCHAR, 'null')
                || ',"area_mu":' || coalesce(to_json(p.area_mu)::VARCHAR, 'null')
                || ',"from":' || coalesce(fr.record, 'null') || ',"to":' || coalesce(tr.record, 'null')
                || ',"note":' || coalesce(to_json(p.note)::VARCHAR, 'null') || '}}' AS line
            FROM progress p
            LEFT JOIN (SELECT row, record FROM decision_records WHERE run_id = {self.before.id}) fr ON fr.row = p.f_row
            LEFT JOIN (SELECT row, record FROM decision_records WHERE run_id = {self.after.id}) tr ON tr.row = p.t_row
            ORDER BY p.class <> 'removed', coalesce(p.t_row, p.f_row + 1e12)"""

    def flat_query(self) -> str:
        """The table of CSV / XLSX: Chinese headers."""
        return """
            SELECT parcel_id AS 宗地编号, class_label AS 进展, reason AS 销号原因, area_mu AS "面积（亩）", note AS 说明,
                   f_cats AS 上期类别, f_codes AS 上期处置措施, f_deadline AS 上期完成时限,
                   t_cats AS 本期类别, t_codes AS 本期处置措施, t_deadline AS 本期完成时限, t_overdue AS 本期逾期,
                   t_responsible AS 责任单位, class AS class_code
            FROM progress ORDER BY class <> 'removed', coalesce(t_row, f_row + 1e12)"""


def _side(store: Store, run_id: int) -> str:
    """One run's parcels: facts (read from the run's chunks, `run_facts`, registered as
    `_facts_<run>`), decision columns, whether a measure is to be taken and whether overdue
    (worked out once per distinct decision text, not once per row)."""
    store.con.register(f"_facts_{int(run_id)}", run_facts(store, run_id, ["area_mu", *FACTS], approval_doc=True))
    doc = "r.approval_doc"
    facts = ", ".join(f"r.{name}" for name in FACTS)
    return f"""
        WITH t AS (
            SELECT text_id, categories AS cats, outcome_codes AS codes, deadline, overdue, responsible,
                   {_measure('outcome_codes')} AS measure, {_overdue('overdue')} AS late
            FROM decision_texts WHERE run_id = {int(run_id)}),
        -- a repeated id's rows are matched in order (its nth row with the other run's nth); the
        -- window runs over the repeated ids' rows only: over every row it cost most of `progress`
        repeated AS (
            SELECT row, row_number() OVER (PARTITION BY parcel_id ORDER BY row) AS nth
            FROM decisions WHERE run_id = {int(run_id)} AND parcel_id IN (
                SELECT parcel_id FROM decisions WHERE run_id = {int(run_id)} GROUP BY parcel_id HAVING count(*) > 1))
        SELECT d.row, d.parcel_id, r.area_mu, {facts},
               t.cats, t.codes, t.deadline, t.overdue, t.responsible, t.measure, t.late,
               coalesce(repeated.nth, 1) AS nth,
               CASE WHEN r.location IS NOT NULL AND r.area_mu IS NOT NULL
                    THEN concat_ws('|', coalesce({doc}, ''), r.location, round(r.area_mu, 4)::VARCHAR)
               END AS ident
        FROM decisions d
        JOIN t ON t.text_id = d.text_id
        JOIN _facts_{int(run_id)} r ON r.row = d.row
        LEFT JOIN repeated ON repeated.row = d.row
        WHERE d.run_id = {int(run_id)}"""


def compare(store: Store, before: Run, after: Run) -> Progress:
    con = store.con
    for side, run in (("side_f", before), ("side_t", after)):
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {side} AS {_side(store, run.id)}")
        finally:
            con.unregister(f"_facts_{int(run.id)}")
    con.execute("""CREATE OR REPLACE TEMP TABLE by_id AS
        SELECT f.row AS f_row, t.row AS t_row FROM side_f f FULL JOIN side_t t
        ON f.parcel_id = t.parcel_id AND f.nth = t.nth""")
    con.execute("""CREATE OR REPLACE TEMP TABLE by_ident AS
        WITH uf AS (SELECT row, ident, row_number() OVER (PARTITION BY ident ORDER BY row) AS k FROM side_f
                    WHERE ident IS NOT NULL AND row IN (SELECT f_row FROM by_id WHERE t_row IS NULL)),
             ut AS (SELECT row, ident, row_number() OVER (PARTITION BY ident ORDER BY row) AS k FROM side_t
                    WHERE ident IS NOT NULL AND row IN (SELECT t_row FROM by_id WHERE f_row IS NULL))
        SELECT uf.row AS f_row, ut.row AS t_row FROM uf JOIN ut USING (ident, k)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE pairs AS
        SELECT f_row, t_row, false AS by_ident FROM by_id WHERE f_row IS NOT NULL AND t_row IS NOT NULL
        UNION ALL SELECT f_row, t_row, true FROM by_ident
        UNION ALL SELECT f_row, NULL, false FROM by_id WHERE t_row IS NULL AND f_row NOT IN (SELECT f_row FROM by_ident)
        UNION ALL SELECT NULL, t_row, false FROM by_id WHERE f_row IS NULL AND t_row NOT IN (SELECT t_row FROM by_ident)""")
    reasons = ", ".join(f"CASE WHEN {cond} THEN '{name}' END" for name, cond in REASONS)
    labels = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in CLASSES.items())
    con.execute(f"""CREATE OR REPLACE TEMP TABLE progress AS
        WITH j AS (
            SELECT p.f_row, p.t_row, p.by_ident,
                   coalesce(t.parcel_id, f.parcel_id) AS parcel_id, f.parcel_id AS f_id, t.parcel_id AS t_id,
                   f.area_mu AS f_area, t.area_mu AS t_area,
                   f.cats AS f_cats, t.cats AS t_cats, f.codes AS f_codes, t.codes AS t_codes,
                   f.deadline AS f_deadline, t.deadline AS t_deadline, f.overdue AS f_overdue, t.overdue AS t_overdue,
                   f.responsible AS f_responsible, t.responsible AS t_responsible,
                   year(coalesce(f.approved_on, t.approved_on)) AS approved_year,
                   coalesce(f.measure, false) AS f_measure,
                   CASE
                     WHEN p.f_row IS NULL THEN 'new'
                     WHEN p.t_row IS NULL THEN 'removed'
                     WHEN f.measure AND t.codes = 'no_action' THEN 'resolved'
                     WHEN f.cats IS DISTINCT FROM t.cats OR f.codes IS DISTINCT FROM t.codes
                          OR f.deadline IS DISTINCT FROM t.deadline THEN 'changed'
                     WHEN t.late AND NOT f.late THEN 'newly_overdue'
                     ELSE 'unchanged'
                   END AS class,
                   -- the 销号 reasons, looked for only where a measure became none
                   CASE WHEN f.measure AND t.codes = 'no_action' THEN concat_ws('、', {reasons}) END AS found_reasons
            FROM pairs p
            LEFT JOIN side_f f ON f.row = p.f_row
            LEFT JOIN side_t t ON t.row = p.t_row
        )
        SELECT *, CASE class {labels} END AS class_label,
               CASE WHEN class = 'resolved' THEN coalesce(nullif(found_reasons, ''), '{NO_FACT_REASON}') END AS reason,
               coalesce(t_area, f_area) AS area_mu,
               CASE WHEN by_ident THEN '宗地编号由 ' || coalesce(f_id, '（空）') || ' 变为 ' || coalesce(t_id, '（空）')
                    || '，按批准文号、坐落、面积对应' END AS note
        FROM j""")
    result = Progress(store, before, after)
    counts = {r[0]: r[1:] for r in con.execute(
        "SELECT class, count(*), round(coalesce(sum(f_area), 0), 6), round(coalesce(sum(t_area), 0), 6) FROM progress GROUP BY class").fetchall()}
    result.classes = [ClassCount(code, label, *counts.get(code, (0, 0.0, 0.0))) for code, label in CLASSES.items()]
    result.rates = {
        "类别": _rates(con, "unnest(string_split(coalesce(f_cats, '（无类别）'), '; '))"),
        "责任单位": _rates(con, "unnest(string_split(coalesce(f_responsible, '（未定）'), '; '))"),
        "批准年度": _rates(con, "coalesce(approved_year::VARCHAR, '（不详）')"),
    }
    result.tax = {"from": _tax(store, before.id), "to": _tax(store, after.id)}
    return result


def _rates(con, key: str) -> list[Rate]:
    rows = con.execute(f"""
        SELECT k, round(sum(coalesce(f_area, 0)), 6), round(sum(CASE WHEN class = 'resolved' THEN coalesce(f_area, 0) ELSE 0 END), 6),
               count(*), count(*) FILTER (WHERE class = 'resolved')
        FROM (SELECT {key} AS k, f_area, class FROM progress WHERE f_measure) GROUP BY k ORDER BY k""").fetchall()
    return [Rate(*r) for r in rows]


def _tax(store: Store, run_id: int) -> dict:
    """亩均税收 of supplied industrial land as the run's summary counted it, and the target."""
    row = next(iter(store.con.execute("SELECT summary FROM runs WHERE id = ?", [run_id]).fetchall()), None)
    summary = json.loads(row[0]) if row and row[0] else {}
    tax = summary.get("tax") or {}
    known = tax.get("known_area_mu") or 0.0
    return {
        "mean": tax.get("tax_area", 0.0) / known if known else None,
        "target": summary.get("tax_target"),
        "count": tax.get("count", 0), "area_mu": tax.get("area_mu", 0.0),
        "below_target_count": tax.get("below_target_count", 0),
        "below_target_area_mu": tax.get("below_target_area_mu", 0.0),
    }
