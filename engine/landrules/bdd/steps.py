"""The "given" and "when" steps: the evaluation date, the parcel, deciding.

Each step exists in Chinese and in English (see `registry.define`); the patterns are regular
expressions matched against the whole step text.
"""

from __future__ import annotations

from landrules.bdd import vocabulary as vocab
from landrules.bdd.context import Engine, Recorder
from landrules.bdd.registry import define, q
from landrules.bdd.state import ScenarioState, table_cells
from landrules.bdd.vocabulary import VocabularyError
from landrules.ledger.validate.parcel import records_from_dicts


@define(
    "given", r"评估日(?:期)?为\s*(?P<day>.+)", r"the evaluation date is (?P<day>.+)",
    example_zh="评估日为 2021-10-01", example_en="the evaluation date is 2021-10-01",
)
def evaluation_date(scenario_state: ScenarioState, day: str) -> None:
    scenario_state.as_of = vocab.date(day)


@define(
    "given", r"一宗地块\s*[:：]?", r"a parcel\s*:?",
    example_zh="一宗地块：", example_en="a parcel:", table=True,
)
def parcel_from_table(scenario_state: ScenarioState, datatable: list[list[str]] | None = None) -> None:
    scenario_state.cells = table_cells(datatable)


@define(
    "given", r"示例\s*" + q("name") + r"\s*[:：]?", r"an example " + q("name") + r"\s*:?",
    example_zh='示例"符合条件的即用项目"：', example_en='an example "eligible project":', table=True,
)
def named_example(scenario_state: ScenarioState, name: str, datatable: list[list[str]] | None = None) -> None:
    scenario_state.examples[name] = table_cells(datatable)


@define(
    "given",
    r"一宗以示例\s*" + q("name") + r"\s*为基础的地块(?:\s*[,，]?\s*其中\s*[:：]?)?",
    r"a parcel like the example " + q("name") + r"(?:\s*,?\s*with\s*:?)?",
    example_zh='一宗以示例"符合条件的即用项目"为基础的地块，其中：',
    example_en='a parcel like the example "eligible project", with:',
    table=True,
)
def parcel_from_example(scenario_state: ScenarioState, name: str, datatable: list[list[str]] | None = None) -> None:
    if name not in scenario_state.examples:
        known = "、".join(f"“{n}”" for n in scenario_state.examples) or "（无）"
        raise VocabularyError(f"没有名为“{name}”的示例。已定义的示例：{known}（在“背景”中用“假如 示例\"名称\"：”定义）")
    cells = dict(scenario_state.examples[name])
    if datatable:
        cells.update(table_cells(datatable))
    scenario_state.cells = cells


@define(
    "given", r"该地块的\s*(?P<field>.+?)\s*为\s*" + q("value"), r"the parcel's (?P<field>.+?) is " + q("value"),
    example_zh='该地块的开工日期为"2018-12-31"', example_en='the parcel\'s construction_started_on is "2018-12-31"',
)
def set_field(scenario_state: ScenarioState, field: str, value: str) -> None:
    scenario_state.parcel_cells()[vocab.field_name(field)] = value


@define(
    "given", r"该地块的\s*(?P<field>.+?)\s*为空", r"the parcel's (?P<field>.+?) is empty",
    example_zh="该地块的运营良好为空", example_en="the parcel's operating_well is empty",
)
def clear_field(scenario_state: ScenarioState, field: str) -> None:
    scenario_state.parcel_cells()[vocab.field_name(field)] = ""


@define(
    "when", r"(?:按规则库)?作出决定", r"the parcel is decided",
    example_zh="按规则库作出决定", example_en="the parcel is decided",
)
def decide(scenario_state: ScenarioState, landrules_engine: Engine, landrules_recorder: Recorder) -> None:
    if scenario_state.as_of is None:
        raise VocabularyError("没有给出评估日：请写“假如 评估日为 2021-10-01”（可写在“背景”中）")
    row = scenario_state.row()
    record = records_from_dicts([row], source="场景")[0]
    if record.parcel is None:
        decision = landrules_engine.evaluator.invalid(record.parcel_id, record.errors, scenario_state.as_of)
        firing = None
    else:
        decision, firing = landrules_engine.decide(record.parcel_id, record.parcel.facts(), scenario_state.as_of)
    scenario_state.decision, scenario_state.firing = decision, firing
    landrules_recorder.record(landrules_engine.rulebook, decision, firing)
