"""lint's messages, as data: one entry per message, in Chinese (the default, for officers) and
English (`LANDRULES_LANG=en`, or `landrules lint --lang en`). Code builds a message with
`say(KEY, **values)`; the words live in the catalogue only.

Every message lint prints is in the catalogue. This file holds the reading of YAML, one rule's
fields, values and conditions, and the engine's limits; messages_load.py the files as they load
and are cross-checked (rule files, outcomes.yaml, parameters.yaml, policy/); messages_lint.py the
analysis. CATALOGUE is all three. What stays English is only text lint quotes inside a Chinese
message: the YAML parser's description of a syntax error, the operating system's reason a file
cannot be read, and pydantic's words for a rare type error no entry here names.
"""

from __future__ import annotations

import os

from landrules.rulebook.messages.lint import LINT_MESSAGES
from landrules.rulebook.messages.load import LOAD_MESSAGES

LANG_ENV = "LANDRULES_LANG"
LANGUAGES = ("zh", "en")

CORE_MESSAGES: dict[str, dict[str, str]] = {
    "yaml_syntax": {
        "zh": "YAML 语法错误（{problem}）{hint_zh}；本文件未读入，其余检查待改正后再做",
        "en": "YAML syntax error: {problem}{hint_en}; the file was not read, the other checks wait for the fix",
    },
    "yaml_full_width": {
        "zh": "：第 {line} 行用了全角冒号“：”，YAML 只认半角冒号加空格“: ”",
        "en": " (line {line} has a full-width colon '：'; YAML needs ': ')",
    },
    "yaml_tab": {
        "zh": "：第 {line} 行含制表符（Tab），YAML 的缩进只能用空格",
        "en": " (line {line} holds a tab; YAML indents with spaces only)",
    },
    "unknown_key": {
        "zh": "不认识的键 `{key}`{where_zh}{hint_zh}",
        "en": "unknown key `{key}`{where_en}{hint_en}",
    },
    "missing_key": {
        "zh": "缺少 `{key}`",
        "en": "missing `{key}`",
    },
    "full_width": {
        "zh": "`{written}` 中用了全角标点{marks}；YAML 只认半角：写成 `{fixed}`（冒号后留一个空格）",
        "en": "`{written}` uses full-width punctuation {marks}; YAML needs half-width: write `{fixed}` (a space after the colon)",
    },
    "unknown_field": {
        "zh": "不认识的字段 {field!r}{hint_zh}（字段写英文名或台账中文表头，见契约 §3）",
        "en": "unknown field {field!r}{hint_en}",
    },
    "unknown_clause": {
        "zh": "引用 {ref!r}：{doc} 中没有条款 {clause!r}{hint_zh}（条款编号写作 12、2.3.2.2，见 policy/ 中的 id）",
        "en": "citation {ref!r}: document {doc} has no clause {clause!r}{hint_en}",
    },
    "unknown_parameter": {
        "zh": "不认识的参数 {param!r}{hint_zh}（参数须先在 parameters.yaml 中定义）",
        "en": "unknown parameter {param!r}{hint_en}",
    },
    "number_not_date": {
        "zh": "{where}：{value!r} 是数字，不是日期；日期写作 2021-12-31（年-月-日，用短横线）",
        "en": "{where}: {value!r} is a number, not a date; write dates as 2021-12-31",
    },
    "not_a_value": {
        "zh": "{value!r} 不是 {field} 的取值；可选（写代码或中文均可）：{choices}",
        "en": "{value!r} is not a value of {field}; one of {choices}",
    },
    "does_not_fit": {
        "zh": "{value!r} 不符合 {field} 的类型（{type_zh}）{fix}",
        "en": "{value!r} does not fit {field}, which is {type}{fix}",
    },
    "fix.date": {"zh": "；日期写作 2018-12-31", "en": "; write a date as 2018-12-31"},
    "fix.bool": {"zh": "；写 true（是）或 false（否）", "en": "; write true or false"},
    "fix.number": {"zh": "；写数字，如 100", "en": "; write a number such as 100"},
    "fix.ratio": {"zh": "；写 0 到 1 之间的数，如 0.25", "en": "; write a number between 0 and 1"},
    "not_finite_value": {
        "zh": "{value!r} 不是有限的数（not finite），{field} 不能与之比较；写实际数值，如 100",
        "en": "{value!r} is not a number {field} can be compared with (not finite); write a number such as 100",
    },
    "unknown_category": {
        "zh": "不认识的类别 {code!r}{hint_zh}（类别须先在 outcomes.yaml 的 categories 中登记）",
        "en": "unknown category {code!r}{hint_en}",
    },
    "unknown_outcome": {
        "zh": "不认识的处置代码 {code!r}{hint_zh}（处置代码须先在 outcomes.yaml 的 outcomes 中登记）",
        "en": "unknown outcome code {code!r}{hint_en}",
    },
    "unknown_top_key": {
        "zh": "不认识的顶层键 `{key}`{hint_zh}；{file_zh}最外层只能写 {allowed}",
        "en": "unknown top-level key `{key}`{hint_en}; {file_en} holds only {allowed}",
    },
    "not_finite_parameter": {
        "zh": "{value} 不是门槛可取的数（not finite：非数或无穷大）；写实际数值，如 200",
        "en": "{value} is not a number a threshold can have (not finite); write a number such as 200",
    },
    "yaml_too_deep": {
        "zh": "嵌套超过 {limit} 层；规则的 `when` 用不着这么深（把 `all` 里的 `all` 合并，或拆成几条规则）",
        "en": "nested more than {limit} levels deep; a rule's `when` needs far fewer (merge an `all` inside an `all`, or split the rule)",
    },
    "yaml_cycle": {
        "zh": "别名（*名称）引用了包含它自己的节点（循环引用）",
        "en": "an alias refers to the node that holds it (a cycle)",
    },
    "yaml_too_large": {
        "zh": "这一处用锚点和别名（&名称 / *名称）展开后有 {total:,} 项，超过规则文件的上限 {limit:,}；"
              "把条件直接写出来，确有需要时调高环境变量 {env}",
        "en": "this part holds {total:,} entries once its aliases (*name) are expanded, more than the {limit:,} "
              "a rulebook file may hold; write the conditions out, or raise {env}",
    },
    "too_deep": {
        "zh": "all/any 交替嵌套 {depth} 层（最多 {limit} 层；`all` 里的 `all`、`any` 里的 `any` 会合并，不计层数）；拆成几条规则",
        "en": "all/any groups nest {depth} levels deep (at most {limit}, once an `all` in an `all` and an `any` in an "
              "`any` are merged); split the rule into several rules",
    },
    "engine_too_large": {
        "zh": "条件太复杂，durable-rules 引擎装不下：需要 {size} 个表达式位置，一条引擎规则只有 {limit} 个"
              "（每个 all/any 组占 2 个；可“需补充信息”的规则，`all` 中每个比较也各占 2 个）；拆成两条规则，或减少嵌套{hint_zh}",
        "en": "its condition is too large for the durable-rules engine: it needs {size} expression slots where one engine "
              "rule has {limit} (each all/any group takes 2, and, while the rule may ask for missing data, so does each "
              "comparison inside an `all`); split it into two rules, or nest fewer all/any groups{hint_en}",
    },
    "engine_hint_ask": {
        "zh": "，或写 `ask_when_unknown: false`（不要求补充信息的规则占用更少）",
        "en": " or set `ask_when_unknown: false` (a rule that may not ask costs the engine less)",
    },
    "rule": {"zh": "规则 {id}", "en": "rule {id}"},
    "parameter": {"zh": "参数 {id}", "en": "parameter {id}"},
    "did_you_mean": {"zh": "；是否想写 {name}？", "en": "; did you mean {name}?"},
    "in_where": {"zh": "（在 {parent} 中）", "en": " in {parent}"},
    # yamlio.py: reading a file, and pydantic's errors in words
    "cannot_read": {"zh": "读不出文件（{error}）；核对文件是否存在、能否打开", "en": "cannot read file: {error}"},
    "not_utf8": {"zh": "文件不是 UTF-8 编码（{error}）；用编辑器另存为 UTF-8", "en": "cannot read file: {error}"},
    "yaml_error": {"zh": "YAML 错误（{error}）；检查本文件的格式", "en": "YAML error: {error}"},
    "yaml_duplicate_key": {"zh": "键 {key!r} 在同一处写了两次；删去或合并其中一个", "en": "duplicate key {key!r}"},
    "yaml_not_a_date": {
        "zh": "{value!r} 不是有效的日期；日期写作 2021-12-31",
        "en": "{value!r} is not a date; write dates as 2021-12-31",
    },
    "at": {"zh": "{where}：{text}", "en": "{where}: {text}"},
    "not_a_date": {
        "zh": "{value!r} 不是日期；日期写作 2021-12-31（年-月-日，用短横线）",
        "en": "{value!r} is not a date; write dates as 2021-12-31",
    },
    "not_empty": {"zh": "不能为空；至少写一项", "en": "must not be empty"},
    "not_bool": {"zh": "{value!r} 不是 true 或 false；写 true（是）或 false（否）", "en": "{value!r} is not true or false"},
    "not_in_form": {
        "zh": "{value!r} 的写法不符合要求（{pattern}）",
        "en": "{value!r} is not in the expected form {pattern}",
    },
    "not_in_form.id": {
        "zh": "{value!r} 不能作规则编号；只用英文字母、数字、下划线，以点分层，如 idle.enterprise.fee",
        "en": "{value!r} is not in the expected form {pattern}",
    },
    "invalid": {"zh": "写法不对（{text}）；对照 docs/rules.zh.md 中的例子改写", "en": "{text}"},
    "invalid.string_type": {"zh": "应写文字", "en": "{text}"},
    "invalid.list_type": {"zh": "应写成列表，如 [甲, 乙]", "en": "{text}"},
    "invalid.dict_type": {"zh": "应写成“键: 值”的形式，如 {{label: 中文名称}}", "en": "{text}"},
    "invalid.model_type": {"zh": "应写成“键: 值”的形式（写法见 docs/rules.zh.md 的例子）", "en": "{text}"},
    "invalid.float_type": {"zh": "应写数字，如 100", "en": "{text}"},
    "invalid.float_parsing": {"zh": "应写数字，如 100", "en": "{text}"},
    # conditions.py and periods.py: one condition of a rule
    "cond_not_mapping": {
        "zh": "条件须写成“键: 值”，如 `{{field: idle_cause, op: eq, value: enterprise}}`，不能是 {raw!r}",
        "en": "a condition must be a mapping, not {raw!r}",
    },
    "cond_empty_group": {
        "zh": "`{key}:` 后须写条件列表，至少一个条件",
        "en": "{key}: needs a non-empty list of conditions",
    },
    "cond_unknown_keys": {
        "zh": "条件中不认识的键 {keys}；条件只写 field、op，以及 value、param、as_of、other_field 中的一项",
        "en": "unknown key(s) {keys} in a condition",
    },
    "cond_unknown": {
        "zh": "不认识的条件（键：{keys}）；条件写 field/op、category、all、any 或 not",
        "en": "unknown condition with keys {keys}; expected field/op, category, all, any or not",
    },
    "cond_unknown_op": {
        "zh": "不认识的运算符 {op!r}；运算符写以下之一：{ops}",
        "en": "unknown operator {op!r}; one of {ops}",
    },
    "cond_no_operand_allowed": {
        "zh": "{op}（{op_zh}）不带比较对象；删去 value、param、as_of 或 other_field",
        "en": "{op} takes no value",
    },
    "cond_one_operand": {
        "zh": "{field} {op}：value、param、as_of、other_field 须写且只写一项",
        "en": "{field} {op}: give exactly one of value, param, as_of, other_field",
    },
    "cond_not_orderable": {
        "zh": "{field}（类型：{type_zh}）不能比大小，{op} 只用于数字和日期；改用 eq、ne、in 或 not_in",
        "en": "{field} is {type}; {op} needs a number or a date",
    },
    "cond_as_of_not_date": {
        "zh": "as_of 只与日期比较，{field}（类型：{type_zh}）不是日期字段；改用 value 或 param",
        "en": "as_of compares dates, but {field} is {type}",
    },
    "cond_cannot_compare": {
        "zh": "{field} 与 {other} 类型不同，不能相互比较；other_field 写同类型的字段",
        "en": "cannot compare {field} with {other}",
    },
    "cond_takes_list": {
        "zh": "{op} 的 value 须写成列表，如 `value: [government, enterprise]`",
        "en": "{op} takes a list",
    },
    "cond_takes_one": {
        "zh": "{op} 的 value 只写一个值；要写几个值时改用 in 或 not_in",
        "en": "{op} takes a single value",
    },
    "cond_param_type": {
        "zh": "参数只能是数字或日期，{field}（类型：{type_zh}）不能与参数比较；改用 value",
        "en": "parameters hold numbers or dates; {field} is {type}",
    },
    "cond_category_nested": {
        "zh": "`category:` 只能直接写在规则最外层的 `all` 里；把它移到最外层的 `all` 中",
        "en": "a category condition may only stand directly in the rule's top-level all",
    },
    "offset_form": {
        "zh": "日期偏移 {offset!r} 写法不对；写作 -1y（一年前）、+6m（六个月后）或 -30d（三十天前）",
        "en": "date offset {offset!r} is not like -1y, +6m or -30d",
    },
    "offset_far": {
        "zh": "日期偏移 {offset!r} 离评估日超过 200 年；写实际需要的期间，如 -2y",
        "en": "date offset {offset!r} reaches more than 200 years from the evaluation date",
    },
}
CATALOGUE: dict[str, dict[str, str]] = {**CORE_MESSAGES, **LOAD_MESSAGES, **LINT_MESSAGES}  # each key once (tested)

FULL_WIDTH = {"：": ":", "，": ",", "；": ";", "（": "(", "）": ")", "［": "[", "］": "]", "｛": "{", "｝": "}", "　": " "}
_MARK_NAMES = {"：": "冒号「：」", "，": "逗号「，」", "；": "分号「；」", "（": "括号「（」", "）": "括号「）」",
               "［": "方括号「［」", "］": "方括号「］」", "｛": "花括号「｛」", "｝": "花括号「｝」", "　": "全角空格"}


TYPE_ZH = {"date": "日期", "bool": "是/否", "number": "数字", "ratio": "比例", "enum": "枚举", "text": "文字"}


def language() -> str:
    """The language of lint's messages: $LANDRULES_LANG (`en`), else Chinese."""
    return "en" if os.environ.get(LANG_ENV, "").strip().lower().startswith("en") else "zh"


def say(message: str, **values) -> str:
    """The catalogue's `message` in the current language, filled with `values`."""
    return say_in(language(), message, **values)


def say_in(lang: str, message: str, **values) -> str:
    """The catalogue's `message` in `lang` (a part of another message carries both languages)."""
    return CATALOGUE[message][lang].format(**values)


def hint(name: str | None) -> dict[str, str]:
    """`hint_zh` / `hint_en` values for a did-you-mean suggestion (empty when none)."""
    if not name:
        return {"hint_zh": "", "hint_en": ""}
    return {"hint_zh": CATALOGUE["did_you_mean"]["zh"].format(name=name), "hint_en": CATALOGUE["did_you_mean"]["en"].format(name=name)}


def full_width_marks(text: str) -> list[str]:
    return [c for c in dict.fromkeys(str(text)) if c in FULL_WIDTH]


def full_width(written: str) -> str:
    """The message for a key typed with full-width punctuation, naming each mark."""
    marks = full_width_marks(written)
    fixed = "".join(FULL_WIDTH.get(c, c) for c in written).replace(":", ": ").replace(":  ", ": ").strip()
    names = "、".join(_MARK_NAMES[c] for c in marks) if language() == "zh" else " ".join(repr(c) for c in marks)
    return say("full_width", written=written, marks=names, fixed=fixed)
