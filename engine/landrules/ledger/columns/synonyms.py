"""The headers real ledgers use for the catalogue's fields (contract §3, "Real ledgers").

Data beside the field catalogue (`fields.py`), read by `ledger/headers.py`: each synonym names
exactly one field (tests/test_headers.py checks that no header stands for two). Headers are
compared after normalisation (full-width to half-width, spaces dropped, lower case), and a
trailing bracket — a unit or a note such as `（年月日）` — is read apart, so list each header
once, without brackets.

Areas are the exception: their unit decides the field. `AREA_BASES` are the words that name an
area; with a unit in the header (`面积（公顷）`, `用地面积(㎡)`, `面积亩`) they become area_mu,
area_m2 or area_ha (`AREA_UNITS`). Without a unit they name no field: the ledger reader reports
such a column as a look-alike, it does not guess the unit.

`area_ha` is not a catalogue field: a column of 公顷 is converted to area_mu (1 公顷 = 15 亩)
when the ledger is read, and each converted decision notes it.
"""

from __future__ import annotations

# field -> headers besides the catalogue's own English name and Chinese header
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "parcel_id": ("电子监管号", "地块编号", "宗地号", "宗地代码", "宗地编码", "地块编码", "地块号"),
    "location": ("土地坐落", "坐落位置", "宗地坐落", "宗地位置", "地块位置", "土地位置", "项目位置"),
    "holder": ("用地单位名称", "土地使用权人", "使用权人", "受让人", "受让单位", "用地企业", "用地企业名称", "权利人"),
    "project": ("项目", "项目名", "建设项目名称", "批次名称", "批次或项目名称"),
    "land_use": ("用途", "规划用途", "用地性质", "批准用途", "供地用途", "土地用途分类"),
    "project_source": ("项目来源方式",),
    "approved_on": ("批准时间", "批复时间", "批复日期", "用地批准时间", "用地批准日期", "农转用批准时间",
                    "农转用批准日期", "征收批准日期", "批准用地时间"),
    "supplied_on": ("供地时间", "合同签订日期", "合同签订时间", "出让合同签订日期", "出让合同签订时间",
                    "取得土地使用权时间", "取得土地使用权日期", "划拨决定书日期", "供应时间", "供应日期"),
    "supply_method": ("供应方式", "土地供应方式", "供地类型", "取得方式", "土地取得方式"),
    "construction_started_on": ("实际开工时间", "实际开工日期", "开工时间", "实际动工时间", "实际动工日期",
                                "实际动工开发日期"),
    "agreed_start_on": ("约定开工时间", "约定开工日期", "约定动工开发日期", "约定动工开发时间", "约定动工时间",
                        "合同约定开工时间", "合同约定开工日期", "合同约定动工日期"),
    "developed_ratio": ("已开发面积比例", "开发面积占比", "已开发比例", "已开发面积占总面积比例"),
    "invested_ratio": ("已投资比例", "已投资额比例", "投资额占比", "已投资占比", "已投资额占总投资额比例"),
    "suspended_since": ("停工日期", "停工时间", "中止开发时间", "中止开发建设日期", "中止建设日期"),
    "idle_identified": ("是否闲置", "是否认定闲置", "已认定为闲置土地", "是否已认定闲置", "认定闲置"),
    "idle_cause": ("闲置原因类型", "闲置成因", "造成闲置原因"),
    "recovery_agreed": ("是否协商一致收回", "协商一致收回"),
    "land_status_unchanged": ("土地现状未改变", "现状未改变", "土地利用现状未变"),
    "expropriation_infeasible": ("无法征收或不再征收", "确实无法征收", "是否确实无法征收或不再征收"),
    "filed_with_province": ("是否报省厅备案", "是否已报省厅备案", "省厅备案", "已报省厅备案情况"),
    "conforms_spatial_plan": ("是否符合国土空间规划", "符合规划", "是否符合规划"),
    "conforms_industry_policy": ("是否符合产业准入政策", "符合产业政策", "是否符合产业政策"),
    "operating_well": ("是否运营良好",),
    "contract_performance": ("履约评价", "履约情况评价"),
    "output_per_mu": ("亩均产值",),
    "tax_per_mu": ("亩均税收贡献",),
    "investment_per_mu": ("投资强度", "亩均投资", "亩均固定资产投资"),
    "plot_ratio": (),
    "standard_land": ("是否标准地", "是否标准地出让", "标准地"),
    "committed_investment_per_mu": ("承诺投资强度",),
    "committed_tax_per_mu": (),
    "committed_plot_ratio": (),
    "land_price": ("出让价款", "划拨价款", "成交价款", "出让金", "土地出让金", "出让价格", "成交价格"),
}

# Words that name an area; the unit in the header picks the field.
AREA_BASES: tuple[str, ...] = ("面积", "用地面积", "宗地面积", "土地面积", "地块面积")
# unit as written (after normalisation) -> the field its column fills
AREA_UNITS: dict[str, str] = {
    "亩": "area_mu",
    "平方米": "area_m2", "平米": "area_m2", "m2": "area_m2", "m²": "area_m2", "㎡": "area_m2",
    "公顷": "area_ha", "ha": "area_ha", "hm2": "area_ha", "hm²": "area_ha",
}
AREA_FIELDS = ("area_mu", "area_m2", "area_ha")
AREA_HA_HEADER = "面积（公顷）"  # how messages name area_ha
# whole headers naming an area with its unit in the word
AREA_HEADERS: dict[str, str] = {"亩数": "area_mu", "area_ha": "area_ha", "面积公顷": "area_ha"}

# Fields whose header may carry a unit that must be this one (a different unit is refused, never
# read as if it were this one: 元/亩 is not 万元/亩).
FIELD_UNITS: dict[str, tuple[str, ...]] = {
    name: ("万元/亩",)
    for name in ("output_per_mu", "tax_per_mu", "investment_per_mu", "committed_investment_per_mu", "committed_tax_per_mu")
}
FIELD_UNITS["land_price"] = ("万元",)  # 出让价款（元） is refused, never read as 万元

# Cell texts of real ledgers for vocabulary values (besides the labels, the codes, a trailing
# 用地, and cells.SYNONYMS): the land-use classes of the national land survey (GB/T 21010) and
# the supply methods as published, where each names one code without doubt. 工矿仓储用地 is left
# to a column map's `values`: it joins 工业 with 采矿 and 仓储.
VALUE_SYNONYMS: dict[str, dict[str, str]] = {
    "land_use": {
        "城镇住宅用地": "residential", "商业服务业用地": "commercial", "商业用地": "commercial",
        "商务金融用地": "commercial", "公共管理与公共服务用地": "public_service", "公共服务设施用地": "public_service",
        "公用设施用地": "infrastructure", "交通运输用地": "infrastructure",
    },
    "supply_method": {
        "协议出让": "transfer", "挂牌出让": "transfer", "招标出让": "transfer", "拍卖出让": "transfer",
        "招拍挂出让": "transfer", "招拍挂": "transfer", "有偿出让": "transfer", "划拨供地": "allocation",
        "行政划拨": "allocation",
    },
    "project_source": {"招商项目": "investment_attraction", "招商引资项目": "investment_attraction"},
}
