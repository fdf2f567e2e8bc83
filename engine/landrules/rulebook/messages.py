"""lint's messages, as data: one entry per message, in Chinese (the default, for officers) and
English (`LANDRULES_LANG=en`, or `landrules lint --lang en`). Code builds a message with
`say(KEY, **values)`; the words live here only.

Not every message is in the catalogue yet: those still written in code are English in both
languages (see docs/rules.zh.md for their meaning).
"""

from __future__ import annotations

import os

LANG_ENV = "LANDRULES_LANG"
LANGUAGES = ("zh", "en")

CATALOGUE: dict[str, dict[str, str]] = {
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
    "rule": {"zh": "规则 {id}", "en": "rule {id}"},
    "parameter": {"zh": "参数 {id}", "en": "parameter {id}"},
    "did_you_mean": {"zh": "；是否想写 {name}？", "en": "; did you mean {name}?"},
    "in_where": {"zh": "（在 {parent} 中）", "en": " in {parent}"},
}

FULL_WIDTH = {"：": ":", "，": ",", "；": ";", "（": "(", "）": ")", "［": "[", "］": "]", "｛": "{", "｝": "}", "　": " "}
_MARK_NAMES = {"：": "冒号「：」", "，": "逗号「，」", "；": "分号「；」", "（": "括号「（」", "）": "括号「）」",
               "［": "方括号「［」", "］": "方括号「］」", "｛": "花括号「｛」", "｝": "花括号「｝」", "　": "全角空格"}


TYPE_ZH = {"date": "日期", "bool": "是/否", "number": "数字", "ratio": "比例", "enum": "枚举", "text": "文字"}


def language() -> str:
    """The language of lint's messages: $LANDRULES_LANG (`en`), else Chinese."""
    return "en" if os.environ.get(LANG_ENV, "").strip().lower().startswith("en") else "zh"


def say(message: str, **values) -> str:
    """The catalogue's `message` in the current language, filled with `values`."""
    return CATALOGUE[message][language()].format(**values)


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
