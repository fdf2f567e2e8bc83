"""How the words of a scenario step are read.

Officers write outcomes and categories by code (`idle_fee`), by their Chinese label, or by a
part of the label that names one only (`征缴土地闲置费`); fields by English name or Chinese
header (contract §3); documents by number (`平龙政办〔2021〕36号`) or short form (`36号`,
`53号令`); dates in any form a ledger accepts. A word that names nothing, or more than one
thing, is an error that lists what exists: a typo must never make a check pass silently.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from landrules.core import fields
from landrules.ledger.read.reader import canonical_header
from landrules.ledger.validate.parcel import CellError, parse_cell
from landrules.rulebook.model import Rulebook

QUOTE_OPEN, QUOTE_CLOSE, NOT_QUOTE = "[\"“「『]", "[\"”」』]", "[^\"”」』]"
QUOTED = re.compile(f"{QUOTE_OPEN}({NOT_QUOTE}+){QUOTE_CLOSE}")
LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")
CLAUSE_ID = re.compile(r"(?:\d+(?:\.\d+)*|annex)(?:#p\d+)?")
CITATION = re.compile(r"(?P<doc>.+?)\s*(?P<clause>" + CLAUSE_ID.pattern + r")")


class ScenarioFailure(AssertionError):
    """An expectation the decision does not meet; the message is for officers.

    Steps raise it explicitly rather than using `assert`: pytest rewrites asserts in plugin
    modules and would append Python to the officer's message.
    """


class VocabularyError(ScenarioFailure):
    """A word in a step that names nothing or several things; the message is for officers."""


_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』")


def normalise(text: str) -> str:
    """Compare names without width, spacing or quote differences: 按"标准地"出让 = 按标准地出让."""
    return "".join(unicodedata.normalize("NFKC", text).split()).translate(_QUOTES)


def quoted_items(text: str) -> list[str]:
    """`"甲"、"乙"` -> ["甲", "乙"]; ASCII and Chinese quotes alike."""
    items = QUOTED.findall(text)
    if not items:
        raise VocabularyError(f'没有读到加引号的名称：{text}（写作 "名称"，多个用、分隔）')
    return [i.strip() for i in items]


def plain_items(text: str) -> list[str]:
    """`国土资源局、产业集聚区管委会` -> the two names (quotes optional)."""
    return QUOTED.findall(text) or [t for t in LIST_SEPARATORS.split(text.strip()) if t]


def _resolve(text: str, table: dict[str, str], what: str) -> str:
    """A code of `table` (code -> Chinese label) named by code, label, or a unique part of one."""
    key = normalise(text)
    for code, label in table.items():
        if key == normalise(code) or key == normalise(label):
            return code
    hits = [code for code, label in table.items() if key and key in normalise(label)]
    if len(hits) == 1:
        return hits[0]
    known = "；".join(f"{label}（{code}）" for code, label in table.items())
    if hits:
        names = "、".join(f"{table[c]}（{c}）" for c in hits)
        raise VocabularyError(f"“{text}”可以指多个{what}：{names}，请写得更具体")
    raise VocabularyError(f"没有名为“{text}”的{what}。可用的{what}：{known}")


def outcome(text: str, rulebook: Rulebook) -> str:
    return _resolve(text, rulebook.outcomes, "处置措施")


def category(text: str, rulebook: Rulebook) -> str:
    return _resolve(text, rulebook.categories, "类别")


def field_name(text: str) -> str:
    name = canonical_header(text.strip())
    if name is None:
        known = "、".join(f.zh for f in fields.FIELDS)
        raise VocabularyError(f"没有名为“{text}”的字段。可用的字段（中文表头或英文字段名）：{known}")
    return name


def field_label(name: str) -> str:
    return fields.BY_NAME[name].zh


def date(text: str) -> dt.date:
    try:
        value = parse_cell("approved_on", text)
    except CellError as exc:
        raise VocabularyError(f"日期“{text}”无法识别：{exc.detail}") from None
    if value is None:
        raise VocabularyError("缺少日期")
    return value


def _doc_aliases(doc: str) -> set[str]:
    aliases = {normalise(doc)}
    number = re.search(r"(\d+)号$", doc)
    if number:
        aliases |= {f"{number.group(1)}号", f"第{number.group(1)}号"}
        if "令" in doc:
            aliases |= {f"{number.group(1)}号令", f"第{number.group(1)}号令"}
    return aliases


def document(text: str, rulebook: Rulebook) -> str:
    key = normalise(text)
    docs = sorted(rulebook.policy.doc_numbers)
    hits = [d for d in docs if key in _doc_aliases(d)]
    if len(hits) == 1:
        return hits[0]
    raise VocabularyError(f"没有文号为“{text}”的文件。可用的文件：{'、'.join(docs)}（也可简写为 36号、53号令）")


def citation(text: str, rulebook: Rulebook) -> tuple[str, str]:
    """`平龙政办〔2021〕36号 2.3.2.2` -> (document number, clause id); the clause must exist."""
    match = CITATION.fullmatch(text.strip())
    if match is None:
        raise VocabularyError(f"“{text}”不是“文号 条款”的写法，例如：平龙政办〔2021〕36号 2.3.2.2")
    doc = document(match.group("doc"), rulebook)
    clause = match.group("clause")
    if rulebook.policy.get(doc, clause) is None:
        raise VocabularyError(f"{doc} 没有条款 {clause}（条款编号写法见 policy/ 中的条款树，例如 2.3.2.1#p2）")
    return doc, clause


def clause_matches(cited: str, expected: str) -> bool:
    """A citation of a clause's paragraph (`2.3.2.1#p2`) also cites the clause (`2.3.2.1`)."""
    return cited == expected or (cited.startswith(expected + "#") and "#" not in expected)
