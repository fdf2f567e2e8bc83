"""The ledger's field catalogue (contract §3): names, Chinese headers, types, vocabularies.

This is the bottom of the house: the rule loader checks field references against it, the
ledger reader maps headers with it, and parcel validation parses cells by its types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class FieldType(str, Enum):
    TEXT = "text"
    NUMBER = "number"  # >= 0 (positive for areas, see `positive`)
    RATIO = "ratio"  # 0..1
    DATE = "date"
    BOOL = "bool"
    ENUM = "enum"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    zh: str
    type: FieldType
    # enum code -> Chinese label (ENUM fields only)
    vocabulary: dict[str, str] = field(default_factory=dict)
    required: bool = False
    positive: bool = False  # number must be > 0, not merely >= 0
    derived: bool = False  # not a ledger column: made by the decision (see DERIVED)

    @property
    def orderable(self) -> bool:
        return self.type in (FieldType.NUMBER, FieldType.RATIO, FieldType.DATE)

    def label(self) -> str:
        """`name（中文）`, the way messages name a field for officers."""
        return f"{self.name}（{self.zh}）"


LAND_USE = {
    "industrial": "工业",
    "public_service": "公共服务",
    "infrastructure": "基础设施",
    "commercial": "商服",
    "residential": "住宅",
    "other": "其他",
}
PROJECT_SOURCE = {"investment_attraction": "招商引资", "other": "其他"}
SUPPLY_METHOD = {"transfer": "出让", "allocation": "划拨"}
IDLE_CAUSE = {
    "government": "政府原因",
    "petition_stability": "信访稳定",
    "enterprise": "企业原因",
    "shared_fault": "政企互有瑕疵",
    "force_majeure": "不可抗力",
}
CONTRACT_PERFORMANCE = {"good": "良好", "fair": "一般", "poor": "较差"}

_T = FieldType
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("parcel_id", "宗地编号", _T.TEXT, required=True),
    FieldSpec("location", "坐落", _T.TEXT),
    FieldSpec("holder", "用地单位", _T.TEXT),
    FieldSpec("project", "项目名称", _T.TEXT),
    FieldSpec("area_mu", "面积（亩）", _T.NUMBER, positive=True),
    FieldSpec("area_m2", "面积（平方米）", _T.NUMBER, positive=True),
    FieldSpec("land_use", "土地用途", _T.ENUM, LAND_USE),
    FieldSpec("project_source", "项目来源", _T.ENUM, PROJECT_SOURCE),
    FieldSpec("approved_on", "批准日期", _T.DATE),
    FieldSpec("supplied_on", "供地日期", _T.DATE),
    FieldSpec("supply_method", "供地方式", _T.ENUM, SUPPLY_METHOD),
    FieldSpec("construction_started_on", "开工日期", _T.DATE),
    FieldSpec("agreed_start_on", "约定动工日期", _T.DATE),
    FieldSpec("developed_ratio", "已开发面积占比", _T.RATIO),
    FieldSpec("invested_ratio", "已投资额占比", _T.RATIO),
    FieldSpec("suspended_since", "中止开发日期", _T.DATE),
    FieldSpec("idle_identified", "已认定闲置", _T.BOOL),
    FieldSpec("idle_cause", "闲置原因", _T.ENUM, IDLE_CAUSE),
    FieldSpec("recovery_agreed", "已协商一致收回", _T.BOOL),
    FieldSpec("land_status_unchanged", "土地利用现状未改变", _T.BOOL),
    FieldSpec("expropriation_infeasible", "确实无法征收或不再征收", _T.BOOL),
    FieldSpec("filed_with_province", "已报省厅备案", _T.BOOL),
    FieldSpec("conforms_spatial_plan", "符合国土空间规划", _T.BOOL),
    FieldSpec("conforms_industry_policy", "符合产业准入政策", _T.BOOL),
    FieldSpec("operating_well", "运营良好", _T.BOOL),
    FieldSpec("contract_performance", "履约情况", _T.ENUM, CONTRACT_PERFORMANCE),
    FieldSpec("output_per_mu", "亩均产出（万元/亩）", _T.NUMBER),
    FieldSpec("tax_per_mu", "亩均税收（万元/亩）", _T.NUMBER),
    FieldSpec("investment_per_mu", "亩均投资强度（万元/亩）", _T.NUMBER),
    FieldSpec("plot_ratio", "容积率", _T.NUMBER),
    FieldSpec("standard_land", "标准地出让", _T.BOOL),
    FieldSpec("committed_investment_per_mu", "承诺亩均投资强度", _T.NUMBER),
    FieldSpec("committed_tax_per_mu", "承诺亩均税收", _T.NUMBER),
    FieldSpec("committed_plot_ratio", "承诺容积率", _T.NUMBER),
    FieldSpec("land_price", "土地价款（万元）", _T.NUMBER),  # 出让价款 / 划拨价款: the base of 第十四条's fee
    # facts from the parcel's shape (contract §8, `decide --parcels`); a ledger may also carry them
    FieldSpec("geom_area_mu", "图形面积（亩）", _T.NUMBER),
    FieldSpec("area_gap_ratio", "台账与图形面积差率", _T.NUMBER),  # |ledger − shape| ÷ shape; may exceed 1
    FieldSpec("overlaps", "重叠宗地", _T.TEXT),  # ids joined by 、
    FieldSpec("inside_boundary_ratio", "集聚区边界内面积占比", _T.RATIO),
    FieldSpec("planned_industrial_ratio", "规划工业用地占比", _T.RATIO),
)

# the facts `decide --parcels/--boundary/--plan` adds from the shapes: no ledger column is expected
# for them, and rules read them only where they are present (rules/map.yaml)
MAP_FIELDS = frozenset({"geom_area_mu", "area_gap_ratio", "overlaps", "inside_boundary_ratio", "planned_industrial_ratio"})

# Facts the decision derives from the ledger's own (decide/as_of.py), which rules may test but no
# ledger carries: `approved_after_as_of` tells "approval set aside as later than the evaluation
# date" (contract §5 Revised, wave 3: not yet covered) from "approval date not filled in".
DERIVED: tuple[FieldSpec, ...] = (
    FieldSpec("approved_after_as_of", "批准日期晚于评估日", _T.BOOL, derived=True),
)

BY_NAME: dict[str, FieldSpec] = {f.name: f for f in (*FIELDS, *DERIVED)}

MU_PER_M2 = 15 / 10000  # 1 亩 = 10000/15 m²


def get(name: str) -> FieldSpec | None:
    return BY_NAME.get(name)


def zh_name(name: str) -> str:
    """A field by its Chinese name (供地日期), the name itself when it is no field."""
    spec = BY_NAME.get(name)
    return spec.zh if spec is not None else name


def display(spec: FieldSpec | None, value) -> str:
    """A value the way an officer writes it: 工业 not industrial, 是/否, 2018-12-31, 0.3333,
    123456 (not 1.235e+05: a 平方米 area or a 万元 price in digits)."""
    if value is None:
        return "（空）"
    if isinstance(value, (tuple, list)):
        return "、".join(display(spec, v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return number_text(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if spec is not None and spec.type is FieldType.ENUM:
        return spec.vocabulary.get(value, str(value))
    return str(value)


def number_text(value: float) -> str:
    """A number in digits, at most four decimals: 123456, 12.3457, 0.3333, 0.2; one too small
    for four decimals (or too large for digits) with four significant ones (1.234e-05)."""
    if value != value or value in (float("inf"), float("-inf")) or abs(value) >= 1e15:
        return f"{value:.4g}"
    if value.is_integer():
        return str(int(value))
    if abs(value) < 1e-4:
        return f"{value:.4g}"
    return f"{value:.4f}".rstrip("0").rstrip(".")


_FIELD_IN_TEXT = __import__("re").compile(r"\b([a-z][a-z0-9_]*)（([^（）]+)）")


def plain_words(text: str) -> str:
    """A message as an officer reads it: `land_use（土地用途）` (how messages name a field for the
    command line and the column map) becomes 土地用途; other text is left as it is."""
    def plain(match) -> str:
        spec = BY_NAME.get(match.group(1))
        return match.group(2) if spec is not None and spec.zh == match.group(2) else match.group(0)

    return _FIELD_IN_TEXT.sub(plain, text) if text else text
