"""lint's analysis messages (rulebook/lint.py: overrides, kinds, rules that can never apply,
conflicting disposals, gaps, `unhandled`), in Chinese and English. messages.py merges them into
its one CATALOGUE; build them with `say(KEY, **values)`. A value named `x_zh` / `x_en` is the
piece of `x` in that language."""

from __future__ import annotations

LINT_MESSAGES: dict[str, dict[str, str]] = {
    "rule_outlives_clause": {
        "zh": "规则 {id} 的施行期间（{rule}）超出所引 {doc} {clause} 的施行期间（{clause_in_force}）：规则施行而所引条款尚未施行或已失效；"
              "评估日在条款施行期间之外的，本规则不适用。核对规则的 in_force 或所引条款",
        "en": "rule {id} is in force ({rule}) while the clause it cites, {doc} {clause}, is not ({clause_in_force}); "
              "on such dates the rule does not apply",
    },
    "override_self": {
        "zh": "规则 {id} 的 `overrides` 写了它自己；删去这一项（`overrides` 只写被本规则排除的其他规则）",
        "en": "rule {id} overrides itself",
    },
    "override_unknown": {
        "zh": "规则 {id} 的 `overrides` 写了 {target!r}，但没有这条规则{hint_zh}（写被排除规则 `- id:` 后的编号）",
        "en": "rule {id} overrides {target!r}, but there is no such rule{hint_en}",
    },
    "override_category": {
        "zh": "规则 {id} 的 `overrides` 写了 {target}，但 {which} 得出的是类别；例外（`overrides`）只用于处置规则之间，删去这一项",
        "en": "rule {id} overrides {target}: overrides are between disposal rules, and {which} concludes a category",
    },
    "override_no_effect": {
        "zh": "规则 {id} 的 `overrides` 写了 {target}（{source}），但两条规则不可能适用于同一宗地，这项例外不起作用；"
              "核对两条规则的条件，或删去这一项",
        "en": "rule {id} overrides {target} ({source}), but the two can never apply to the same parcel, so the "
              "override has no effect",
    },
    "override_circle": {
        "zh": "`overrides` 互相排除成环：{chain}；例外规则不能反过来被它所排除的规则排除，删去环上的一项",
        "en": "overrides go round in a circle: {chain}; an exception cannot also be overridden by the rule it excepts",
    },
    "no_kind": {
        "zh": "处置措施 {outcome}（规则 {id} 得出）没有处置类别（kind）；在 outcomes.yaml 中写成 "
              "`{outcome}: {{label: …, kind: …}}`，kind 取以下之一：{kinds}",
        "en": "outcome {outcome} (concluded by rule {id}) has no kind; write `{outcome}: {{label: …, kind: …}}` "
              "with one of the kinds: {kinds}",
    },
    "no_kinds_yet": {
        "zh": "无（尚未登记任何处置类别，先在 outcomes.yaml 的 `kinds:` 中登记）",
        "en": "none declared yet",
    },
    "asks_required": {
        "zh": "规则 {id} 要求补充 {label}，但这条规则只在 {label} 已填写时才适用，要求补充它没有意义；"
              "`needs` 中改写规则适用时可能为空的字段，或删去这一项",
        "en": "rule {id} asks for {label}, but it applies only when {label} is filled in; ask for a field the rule "
              "finds empty, or drop it from `needs`",
    },
    "never_no_category": {
        "zh": "规则 {id} 永远不会适用：没有规则得出它所依据的类别；补写得出该类别的类别规则，或改正 `category:`",
        "en": "rule {id} can never apply: no rule derives the categories it joins",
    },
    "never_conflict": {
        "zh": "规则 {id} 永远不会适用：它对 {label} 的条件不可能同时满足：{parts}{more}；改正相互矛盾的条件",
        "en": "rule {id} can never apply: its conditions on {label} cannot all hold: {parts}{more}",
    },
    "parts_sep": {"zh": "；", "en": "; "},
    "from_category": {"zh": "（来自类别 {category}）", "en": " (from category {category})"},
    "never_more": {
        "zh": "（该类别的其他认定途径也都如此）",
        "en": " (and likewise every other way its categories can arise)",
    },
    "atom_param": {"zh": "参数 {param}", "en": "parameter {param}"},
    "atom_as_of": {"zh": "评估日 {offset}", "en": "evaluation date {offset}"},
    "conflict": {
        "zh": "规则 {a}（{source}）和 {b} 可能同时适用于同一宗地{example}，给出处置类别 {kind}（{kind_label}）的两种不同处置："
              "{outcome_a} 和 {outcome_b}；让两条规则的条件互斥，或者若一条是另一条的例外，在 {b} 上写 "
              "`overrides: [{a}]`（或反过来）",
        "en": "rules {a} ({source}) and {b} can both apply to one parcel{example} and give it two different disposals "
              "of kind {kind}（{kind_label}）: {outcome_a} and {outcome_b}; make their conditions exclusive, or if one "
              "is an exception to the other say so with `overrides: [{a}]` on {b} (or the other way round)",
    },
    "conflict_example": {"zh": "（例如 {pinned} 时）", "en": " (e.g. when {pinned})"},
    "gap": {
        "zh": "类别 {category}（{label}）有遗漏：{field} = {values} 没有任何规则处理（这类宗地会得到“无需处置”），"
              "按该字段分别处置的规则有 {rules}；补一条规则，或者若方案确未作规定，在 outcomes.yaml 类别 {category} "
              "下写 `unhandled: {{{name}: [...]}}`",
        "en": "gap in category {category}（{label}）: no rule handles {field} = {values}; rules that dispatch on it: "
              "{rules}. Add a rule, or, if the plan is silent on it, list the value under `unhandled: {{{name}: [...]}}` "
              "of category {category} in outcomes.yaml",
    },
    "unhandled_not_field": {
        "zh": "类别 {category} 的 `unhandled` 中 {name!r} 不是台账字段{hint_zh}（写台账字段的英文名，如 idle_cause）",
        "en": "category {category}: unhandled: {name!r} is not a ledger field{hint_en}",
    },
    "unhandled_not_enum": {
        "zh": "类别 {category} 的 `unhandled` 中 {name!r} 的类型是{type_zh}，不是枚举{hint_zh}；"
              "`unhandled` 只列枚举字段（如 idle_cause、land_use）的取值",
        "en": "category {category}: unhandled: {name!r} is {type}, not an enumeration{hint_en}",
    },
    "unhandled_not_value": {
        "zh": "类别 {category} 的 `unhandled` 中 {code!r} 不是 {field} 的取值；可选（写代码或中文均可）：{choices}",
        "en": "category {category}: {code!r} is not a value of {field}; one of {choices}",
    },
    "unhandled_handled": {
        "zh": "类别 {category} 的 `unhandled` 列了 {field} = {value}，但规则 {rule} 已处理这一取值；从 `unhandled` 中删去",
        "en": "category {category}: {field} = {value} is listed as unhandled, but rule {rule} handles it; "
              "remove it from `unhandled`",
    },
}
