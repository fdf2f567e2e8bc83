"""Messages of the rulebook's files as they load and are cross-checked (rulebook/load.py,
catalogue.py, parameters.py, policy.py), in Chinese and English. messages.py merges them into
its one CATALOGUE; build them with `say(KEY, **values)`. A value named `x_zh` / `x_en` is the
piece of `x` in that language."""

from __future__ import annotations

LOAD_MESSAGES: dict[str, dict[str, str]] = {
    # load.py: the folders, rule files, `then`, `needs`, parameters used by rules
    "dir_not_found": {
        "zh": "找不到{what_zh}文件夹；核对路径，或用 `--{what} 文件夹` 指定",
        "en": "{what} directory not found",
    },
    "no_catalogue": {
        "zh": "缺少类别和处置措施目录 outcomes.yaml；在规则文件夹中建立它（写 kinds、categories、outcomes）",
        "en": "missing: the catalogue of categories and outcomes",
    },
    "no_rules_list": {
        "zh": "规则文件的最外层应是列表 `rules:`；第一行写 `rules:`，其下每条规则以 `- id:` 开头",
        "en": "expected a list `rules:`",
    },
    "then_one_of": {
        "zh": "`then` 中 category（类别）和 outcome（处置措施）须写且只写一项",
        "en": "then needs exactly one of category or outcome",
    },
    "needs_missing": {
        "zh": "结论为 needs_information（需补充信息）时须用 `needs: [...]` 写明要补充的台账字段，"
              "如 `then: {{outcome: needs_information, needs: [supplied_on]}}`",
        "en": "outcome needs_information needs `needs: [...]`, the ledger fields to collect "
              "(e.g. `then: {{outcome: needs_information, needs: [supplied_on]}}`)",
    },
    "needs_unknown_field": {
        "zh": "`needs` 中不认识的字段 {name!r}{hint_zh}（写台账字段的英文名，如 supplied_on）",
        "en": "needs: unknown field {name!r}{hint_en}",
    },
    "needs_no_deadline": {
        "zh": "需补充信息（needs_information）不设完成时限；删去 `{key}`",
        "en": "needs_information has no deadline (需补充信息不设完成时限); remove deadline",
    },
    "needs_no_ask": {
        "zh": "结论为需补充信息的规则，自身条件缺少信息时一律视为不适用，不再要求补充；删去 `ask_when_unknown`",
        "en": "a rule that concludes needs_information does not ask in turn when its own condition is unknown; "
              "remove ask_when_unknown",
    },
    "needs_elsewhere": {
        "zh": "`needs` 只能与 `outcome: needs_information` 连用；其他规则缺少信息时会自动要求补充所缺字段，删去 `needs`",
        "en": "`needs` goes only with `outcome: needs_information`; a rule that cannot be decided for want of data "
              "asks for the missing fields by itself",
    },
    "param_kind_mismatch": {
        "zh": "{field} 是{kind_zh}，参数 {param} 的取值却是{holds_zh}（{value}），二者不能比较；改用{kind_zh}参数，或改正字段",
        "en": "{field} is a {kind} but parameter {param} holds {holds} ({value}); they cannot be compared",
    },
    "param_ratio_outside": {
        "zh": "{field} 是 0 到 1 之间的比例，参数 {param} 却有超出这一范围的取值；参数写成比例，如 0.25（不是 25）",
        "en": "{field} is a ratio between 0 and 1 but parameter {param} has a value outside it",
    },
    "duplicate_rule": {
        "zh": "规则编号 {id} 重复（第一次出现在 {source}）；给其中一条改用新的编号",
        "en": "duplicate rule id {id} (first at {source})",
    },
    "not_derived": {
        "zh": "没有规则得出类别 {category!r}；补写得出该类别的类别规则，或改正 `category:`",
        "en": "no rule derives category {category!r}",
    },
    "category_on_category": {
        "zh": "类别规则不能依据另一个类别；把 `category:` 换成那个类别的条件本身",
        "en": "a category rule may not depend on another category",
    },
    # catalogue.py: rules/outcomes.yaml
    "label_empty": {
        "zh": "{what_zh} {code} 没有中文名称；写上中文名称（决定书和台账中显示）",
        "en": "{what} {code} has no Chinese label",
    },
    "label_no_chinese": {
        "zh": "{what_zh} {code} 的名称 {label!r} 没有中文；决定书和台账显示的是名称，写成中文",
        "en": "{what} {code}: label {label!r} has no Chinese; officers read the labels",
    },
    "kind_no_chinese": {
        "zh": "处置类别 {code} 的名称 {label!r} 没有中文；写成中文名称，如 征缴土地闲置费",
        "en": "kind {code}: label {label!r} has no Chinese",
    },
    "unknown_kind": {
        "zh": "处置措施 {code} 的 kind {kind!r} 不是已登记的处置类别{hint_zh}（已登记：{kinds}；新的处置类别先在 `kinds:` 中登记）",
        "en": "outcome {code}: unknown kind {kind!r}{hint_en} (kinds: {kinds})",
    },
    "builtin_label": {
        "zh": "缺少内置处置代码 {code} 的中文名称；在 `outcomes:` 中写 `{code}: {label}`",
        "en": "built-in outcome {code} needs a label",
    },
    # parameters.py: rules/parameters.yaml
    "param_table": {
        "zh": "parameters.yaml 的最外层应是 `parameters:`，其下逐个写“参数编号: 参数定义”",
        "en": "expected a mapping `parameters:` of parameter id to definition",
    },
    "param_value_bool": {
        "zh": "参数的取值是数字或日期，不能写 true/false",
        "en": "a parameter value is a number or a date, not true/false",
    },
    "param_order": {
        "zh": "取值按 `from`（施行日期）从早到晚排列，同一日期只写一行（新的取值加在最后一行之下）",
        "en": "list the values by increasing `from` date, each date once (add a new value below the last)",
    },
    "param_mixed": {
        "zh": "取值 {value} 是{this_zh}，第一个取值却是{first_zh}；同一参数的取值须同为数字或同为日期",
        "en": "value {value} is a {this} but the first value is a {first}; every value of a parameter is of one kind",
    },
    "param_unit": {
        "zh": "单位是 {unit}，取值 {value!r} 却不是{what_zh}；单位为“日期”时取值写日期（如 2021-12-31），否则写数字",
        "en": "unit is {unit} but value {value!r} is not {what}",
    },
    # policy.py: policy/*.yaml and citations
    "milestone_not_in_text": {
        "zh": "分步时限 {word!r} 不在完成时限原文 {text!r} 中；when、what 照原文摘录",
        "en": "milestone {word!r} is not in the 完成时限 as printed: {text!r}",
    },
    "milestone_first_date": {
        "zh": "完成时限的 date {date} 与第一步的日期 {first} 不同（引用该条款的规则取第一步的日期）；两处写成同一日期",
        "en": "date {date} is not the first milestone's date {first} (a rule citing the clause takes the first)",
    },
    "in_force_order": {
        "zh": "施行期间 in_force 的 to（{until}）早于 from（{since}）；to 写失效前最后一日，不得早于 from",
        "en": "in_force: `to` ({until}) is before `from` ({since})",
    },
    "milestone_order": {
        "zh": "分步时限（milestones）须按日期从早到晚排列",
        "en": "milestones go in date order",
    },
    "text_or_paragraphs": {
        "zh": "一个条款只写 text（原文）或 paragraphs（分段原文）中的一项，不能两项都写",
        "en": "a clause has either text or paragraphs, not both",
    },
    "citation_form": {
        "zh": "引用 {ref!r} 的写法不对；写作“文号 条款编号”，中间空一格，如 平龙政办〔2021〕36号 2.3.2.2",
        "en": 'citation {ref!r} is not "DOC CLAUSE", e.g. "平龙政办〔2021〕36号 2.3.2.2"',
    },
    "no_document": {
        "zh": "引用 {ref!r}：policy/ 中没有文件 {doc!r}（现有：{have}）；文号须与政策文件的 `doc:` 一字不差（注意〔〕和“号”）",
        "en": "citation {ref!r}: no document {doc!r} in policy/ (have: {have})",
    },
    "no_policy": {
        "zh": "政策文件夹中没有政策文件（*.yaml）；核对 `--policy` 指定的文件夹",
        "en": "no policy documents (*.yaml) found",
    },
    "duplicate_document": {
        "zh": "文件 {doc} 已在 {other} 中录入；同一文号只录入一次，删去其中一个",
        "en": "document {doc} also in {other}",
    },
    "duplicate_clause": {
        "zh": "条款编号 {id} 重复；按原文序号改正该条款的 `id:`",
        "en": "duplicate clause id {id}",
    },
}
