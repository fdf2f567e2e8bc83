"""The steps of progress between two quarters (contract §7): two quarters' parcel, compared as
`landrules progress` compares two recorded runs.

    假如 上季（评估日 2021-10-01）的地块：   | 字段 | 值 | …
    而且 本季（评估日 2022-01-01）的地块：   | 字段 | 值 | …     (or: 本季（评估日 …）台账中没有该地块)
    当 比较两季进展
    那么 进展为"销号"
    而且 销号原因为"供地"

Each quarter is a one-row ledger decided and recorded (decide --record) into a store in memory,
and the two runs are compared by `record.progress.compare`: the same code as the command."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from landrules.bdd import vocabulary as vocab
from landrules.bdd.context import Engine
from landrules.bdd.registry import define, q
from landrules.bdd.state import DEFAULT_AREA_MU, DEFAULT_PARCEL_ID, ScenarioState, table_cells
from landrules.bdd.vocabulary import ScenarioFailure, VocabularyError

_QUARTER = {"上季": "from", "本季": "to", "previous quarter": "from", "this quarter": "to"}


@define(
    "given", r"(?P<quarter>上季|本季)（评估日(?:期)?为?\s*(?P<day>[^）]+)）的地块\s*[:：]?",
    r"(?P<quarter>previous quarter|this quarter) \(evaluation date (?P<day>[^)]+)\) parcel\s*:?",
    example_zh="上季（评估日 2021-10-01）的地块：", example_en="previous quarter (evaluation date 2021-10-01) parcel:",
    table=True,
)
def quarter_parcel(scenario_state: ScenarioState, quarter: str, day: str, datatable: list[list[str]] | None = None) -> None:
    side = _QUARTER[quarter]
    cells = table_cells(datatable)
    if side == "to" and scenario_state.quarters.get("from", (None, None))[1]:  # 本季 repeats 上季's cells but those it gives
        cells = {**scenario_state.quarters["from"][1], **cells}
    scenario_state.quarters[side] = (vocab.date(day), cells)


@define(
    "given", r"(?P<quarter>上季|本季)（评估日(?:期)?为?\s*(?P<day>[^）]+)）台账中没有该地块",
    r"(?P<quarter>previous quarter|this quarter) \(evaluation date (?P<day>[^)]+)\) the ledger lacks the parcel",
    example_zh="本季（评估日 2022-01-01）台账中没有该地块", example_en="this quarter (evaluation date 2022-01-01) the ledger lacks the parcel",
)
def quarter_without_parcel(scenario_state: ScenarioState, quarter: str, day: str) -> None:
    scenario_state.quarters[_QUARTER[quarter]] = (vocab.date(day), None)


@define(
    "when", r"比较两季进展", r"the two quarters are compared",
    example_zh="比较两季进展", example_en="the two quarters are compared",
)
def compare_quarters(scenario_state: ScenarioState, landrules_engine: Engine) -> None:
    from landrules.decide.options import RunOptions
    from landrules.decide.pipeline import decide_ledger
    from landrules.record.progress import compare
    from landrules.record.recorder import RunInfo, RunRecorder
    from landrules.record.runs import resolve_run
    from landrules.record.store import Store

    quarters = scenario_state.quarters
    if "from" not in quarters or "to" not in quarters:
        raise VocabularyError("比较进展需要两季：请写“假如 上季（评估日 …）的地块：”与“而且 本季（评估日 …）的地块：”")
    rulebook = landrules_engine.rulebook
    store = Store.open(":memory:")
    try:
        with tempfile.TemporaryDirectory(prefix="landrules-progress-") as tmp:
            for label, side in (("上季", "from"), ("本季", "to")):
                when, cells = quarters[side]
                ledger = _ledger(Path(tmp) / f"{side}.csv", cells)
                recorder = RunRecorder(store, RunInfo(label, when, ledger, []), rulebook)
                recorder.begin()

                def on_chunk(frame, decided, headers, recorder=recorder):
                    recorder.info.headers, recorder.info.names = list(headers), [str(c) for c in frame.columns]
                    recorder.add(frame, decided)

                result = decide_ledger(ledger, Path(tmp) / f"{side}-out.csv", RunOptions(rulebook, when), on_chunk=on_chunk)
                recorder.finish(result.summary)
        progress = compare(store, resolve_run(store, "上季"), resolve_run(store, "本季"))
        rows = store.con.execute("SELECT class, class_label, reason, note FROM progress").fetchall()
    finally:
        store.close()
    scenario_state.progress = [dict(zip(("class", "label", "reason", "note"), r)) for r in rows]
    del progress


def _ledger(path: Path, cells: dict[str, str] | None) -> Path:
    row = dict(cells or {})
    row.setdefault("parcel_id", DEFAULT_PARCEL_ID)
    if not row.get("area_mu", "").strip() and not row.get("area_m2", "").strip():
        row["area_mu"] = DEFAULT_AREA_MU
    names = list(row) if cells is not None else ["parcel_id", "area_mu"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        if cells is not None:
            writer.writerow([row[n] for n in names])
    return path


def _the_parcel(state: ScenarioState) -> dict:
    if state.progress is None:
        raise VocabularyError("还没有比较进展：请在“那么”之前写“当 比较两季进展”")
    if len(state.progress) != 1:
        shown = "、".join(p["label"] for p in state.progress)
        raise ScenarioFailure(f"两季的地块未对应为同一宗，而是 {len(state.progress)} 宗：{shown}")
    return state.progress[0]


@define(
    "then", r"进展为\s*" + q("label"), r"the progress is " + q("label"),
    example_zh='进展为"销号"', example_en='the progress is "销号"',
)
def progress_is(scenario_state: ScenarioState, label: str) -> None:
    parcel = _the_parcel(scenario_state)
    if label not in (parcel["label"], parcel["class"]):
        raise ScenarioFailure(f"进展应为“{label}”，实际为“{parcel['label']}”" + (f"（{parcel['reason']}）" if parcel["reason"] else ""))


@define(
    "then", r"销号原因为\s*" + q("reason"), r"the reason it is struck off is " + q("reason"),
    example_zh='销号原因为"供地"', example_en='the reason it is struck off is "供地"',
)
def reason_is(scenario_state: ScenarioState, reason: str) -> None:
    parcel = _the_parcel(scenario_state)
    if parcel["reason"] != reason:
        raise ScenarioFailure(f"销号原因应为“{reason}”，实际为“{parcel['reason'] or '（无，进展为' + parcel['label'] + '）'}”")


@define(
    "then", r"说明中写明\s*" + q("text"), r"the note says " + q("text"),
    example_zh='说明中写明"按批准文号、坐落、面积对应"', example_en='the note says "按批准文号、坐落、面积对应"',
)
def note_says(scenario_state: ScenarioState, text: str) -> None:
    parcel = _the_parcel(scenario_state)
    if text not in (parcel["note"] or ""):
        raise ScenarioFailure(f"说明中没有“{text}”，实际说明：{parcel['note'] or '（无）'}")
