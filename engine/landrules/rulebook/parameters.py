"""Parameters: thresholds with a description, unit, citation and dated values (OpenFisca-style).

A threshold changes by a dated edit, never by overwriting: a new value is ADDED with the day it
takes effect, so a decision for an earlier date is decided as it was. Evaluation takes the value
in force on the evaluation date; before the first value takes effect there is none, and a
condition on the parameter is undecided (see `Resolver`): it never borrows a later value.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from landrules.rulebook.messages import say
from landrules.rulebook.policy import Policy
from landrules.rulebook.problems import Problem
from landrules.rulebook.yamlio import line_of, ref, unknown_top_keys, validation_problems

DATE_UNIT = "日期"


class DatedValue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    since: dt.date = Field(alias="from", description="施行日期：自这一天起采用此值（YYYY-MM-DD）")
    value: Union[float, dt.date, list[str]] = Field(
        description="取值：数字，或日期（YYYY-MM-DD），或一组文字（如规划图层的字段名、用地用海分类代码）")
    provisional: bool | None = Field(
        None, description="此值是否为暂定值；不写则沿用参数的 provisional（区级标准出台后写 false）"
    )
    reference: str | None = Field(None, description="此值的出处，如区级标准的文号和日期")
    note: str | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _a_finite_number_or_a_date(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(say("param_value_bool"))
        if isinstance(value, list):
            return [str(v) for v in value]
        number = value
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                return value
        if isinstance(number, (int, float)) and not _finite(number):
            shown = value if isinstance(value, str) else {"nan": ".nan", "inf": ".inf", "-inf": "-.inf"}.get(str(number), str(number)[:20])
            raise ValueError(say("not_finite_parameter", value=shown))
        return value


def _finite(number: int | float) -> bool:
    try:
        return math.isfinite(number)
    except OverflowError:  # an int beyond any float
        return False


class Parameter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(description="这个门槛是什么（中文）")
    unit: str = Field(description="单位，如 万元/亩、比例、日期")
    cites: list[ref("citation")] = Field(
        min_length=1, description="依据条款，写作“文号 条款编号”，如 平龙政办〔2021〕36号 2.3.3"
    )
    provisional: bool = Field(
        False, description="暂定值：方案交由区级标准确定（二、(二)1.），在区级数值出台前暂用的默认值"
    )
    note: str | None = None
    values: list[DatedValue] = Field(
        min_length=1, description="按施行日期从早到晚排列的取值；改门槛时新增一行，不要改旧行"
    )

    @field_validator("values")
    @classmethod
    def _ascending(cls, values: list[DatedValue]) -> list[DatedValue]:
        dates = [v.since for v in values]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError(say("param_order"))
        return values

    def value_at(self, when: dt.date) -> DatedValue | None:
        """The value in force on `when`, or None before the first value takes effect."""
        current = None
        for dated in self.values:
            if dated.since <= when:
                current = dated
        return current

    def in_force(self, when: dt.date) -> DatedValue:
        """The value in force on `when`; before the first value, the first value."""
        return self.value_at(when) or self.values[0]  # for display (pages, explain): decisions use value_at

    def is_provisional(self, dated: DatedValue) -> bool:
        return self.provisional if dated.provisional is None else dated.provisional

    @property
    def holds_dates(self) -> bool:
        return isinstance(self.values[0].value, dt.date)


class ParametersFile(BaseModel):
    """rules/parameters.yaml"""

    model_config = ConfigDict(extra="forbid", title="landrules parameters")

    parameters: dict[str, Parameter] = Field(description="参数编号 → 参数定义")


PARAMETER_KEYS = tuple(sorted(set(Parameter.model_fields) | {"from", "value", "provisional", "reference", "note"}))


def load_parameters(
    path: Path, raw: Any, policy: Policy, problems: list[Problem], refused: set[str] | None = None
) -> dict[str, Parameter]:
    """The parameters of `raw` (parameters.yaml as loaded); problems are appended, not raised.
    The ids of parameters refused go to `refused` (a rule using one is not reported again)."""
    table = raw.get("parameters") if isinstance(raw, dict) else None
    if not isinstance(table, dict):
        problems.append(Problem(str(path), 1, say("param_table")))
        return {}
    problems += unknown_top_keys(path, raw, ("parameters",), "parameters.yaml ", "parameters.yaml")
    params = {}
    for pid, body in table.items():
        try:
            param = Parameter.model_validate(body)
        except ValidationError as exc:
            problems += validation_problems(
                path, raw, exc, ("parameters", pid), say("parameter", id=pid) + ": ", PARAMETER_KEYS
            )
            if refused is not None:
                refused.add(str(pid))
            continue
        for citation in param.cites:
            try:
                policy.cite(citation)
            except ValueError as exc:
                problems.append(Problem(str(path), line_of(raw, ("parameters", pid, "cites")), say("parameter", id=pid) + f": {exc}"))
        problems += _check_value_types(path, raw, str(pid), param)
        params[str(pid)] = param
    return params


def _check_value_types(path: Path, raw: Any, pid: str, param: Parameter) -> list[Problem]:
    """All values of one kind (numbers or dates), and dates exactly when the unit says 日期."""
    out = []
    dates, where = param.holds_dates, say("parameter", id=pid) + ": "
    if any(isinstance(dated.value, list) for dated in param.values):
        return []  # a list of texts (field names, class codes): read by the map, not compared by rules
    for index, dated in enumerate(param.values):
        line = line_of(raw, ("parameters", pid, "values", index))
        if isinstance(dated.value, dt.date) != dates:
            out.append(Problem(str(path), line, where + say(
                "param_mixed", value=dated.value, this="number" if dates else "date", this_zh="数字" if dates else "日期",
                first="date" if dates else "number", first_zh="日期" if dates else "数字")))
        elif (param.unit.strip() == DATE_UNIT) != isinstance(dated.value, dt.date):
            date_unit = param.unit.strip() == DATE_UNIT
            out.append(Problem(str(path), line, where + say(
                "param_unit", unit=param.unit, value=dated.value, what="a date (YYYY-MM-DD)" if date_unit else "a number",
                what_zh="日期（YYYY-MM-DD）" if date_unit else "数字")))
    return out
