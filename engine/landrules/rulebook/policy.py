"""Policy documents as clause trees: what decisions cite. Nothing here decides."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from landrules.rulebook.messages import hint, say
from landrules.rulebook.problems import Problem, closest
from landrules.rulebook.yamlio import YamlError, load_yaml, validation_problems


class Milestone(BaseModel):
    """One dated step of a 完成时限 that names several (2.1.1: a framework by 2021年8月底, then
    全面实施 in 2021年下半年). `when` and `what` are the printed words, taken from the text."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    when: str = Field(description="the time as printed, e.g. 2021年8月底")
    what: str = Field(description="what is due then, as printed, e.g. 全面实施")
    date: dt.date = Field(description="the date it implies, e.g. 2021-08-31 (下半年: 12-31)")
    responsible: list[str] | None = Field(None, description="责任单位 of this step, when not the clause's")


class Deadline(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(description="完成时限 as printed, e.g. 2022年12月底前")
    date: dt.date = Field(
        description="the date it implies, e.g. 2022-12-31; with milestones, the first one's date: "
        "what a rule citing the clause takes as its deadline"
    )
    milestones: list[Milestone] | None = Field(
        None, description="the dated steps, in order, when the 完成时限 names more than one", min_length=2
    )

    @model_validator(mode="after")
    def _milestones_from_text(self) -> Deadline:
        for step in self.milestones or ():
            for word in (step.when, step.what):
                if word not in self.text:
                    raise ValueError(say("milestone_not_in_text", word=word, text=self.text))
        if self.milestones and self.date != self.milestones[0].date:
            raise ValueError(say("milestone_first_date", date=self.date, first=self.milestones[0].date))
        dates = [m.date for m in self.milestones or ()]
        if dates != sorted(dates):
            raise ValueError(say("milestone_order"))
        return self

    def steps(self, heading: str | None = None) -> tuple[Milestone, ...]:
        """The dated steps: the milestones, or the one deadline as a single step."""
        if self.milestones:
            return tuple(self.milestones)
        return (Milestone(when=self.text, what=heading or self.text, date=self.date),)


PERIODS = {"quarter": "季度", "half_year": "半年", "year": "年度"}


class Duty(BaseModel):
    """Something a clause gives a unit to do, listed by `landrules tasks` (contract §5 Revised,
    wave 3: every duty of the plan is a task, including those inside parcel clauses)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$", description="short id, unique in the clause: the task key is CLAUSE#ID")
    what: str = Field(description="the duty, in the clause's words")
    responsible: list[str] | None = Field(None, description="责任单位, when not the clause's")
    deadline: Deadline | None = Field(None, description="完成时限, when not the clause's")
    undated: bool = Field(False, description="the plan sets no date for it (一项持续或适时的工作)")
    every: str | None = Field(
        None, pattern="^(quarter|half_year|year)$",
        description="recurring: one task per calendar quarter / half-year / year, due on its last day",
    )
    reading: str | None = Field(None, description="how the duty's unit or date was read where the text is silent")


class InForce(BaseModel):
    """The days a document, clause or rule is in force: from `from` to `to`, both included;
    no `to`: still in force (contract §5 Revised, wave 3)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    since: dt.date | None = Field(None, alias="from", description="施行日期（含当日），YYYY-MM-DD")
    until: dt.date | None = Field(None, alias="to", description="失效前最后一日（含当日），不写即仍有效")

    @model_validator(mode="after")
    def _ordered(self) -> InForce:
        if self.since and self.until and self.until < self.since:
            raise ValueError(say("in_force_order", since=self.since, until=self.until))
        return self

    def holds(self, day: dt.date) -> bool:
        return (self.since is None or self.since <= day) and (self.until is None or day <= self.until)

    def within(self, other: InForce) -> bool:
        """Every day of this window is a day of `other`."""
        starts = other.since is None or (self.since is not None and self.since >= other.since)
        ends = other.until is None or (self.until is not None and self.until <= other.until)
        return starts and ends

    def narrowed(self, other: InForce) -> InForce:
        """The days of both windows."""
        since = max((d for d in (self.since, other.since) if d), default=None)
        until = min((d for d in (self.until, other.until) if d), default=None)
        return InForce(since=since, until=until)

    def text(self) -> str:
        if self.until:
            return f"{self.since or '…'} 至 {self.until}"
        return f"{self.since} 起" if self.since else "始终"


ALWAYS = InForce()


class Clause(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="dotted id of the document's numbering: 二、(三)2.(1) is 2.3.2.1")
    number: str | None = Field(None, description="the number as printed, e.g. （三）")
    heading: str | None = None
    text: str | None = Field(None, description="verbatim text (or paraphrase, see the document)")
    paragraphs: list[str] | None = Field(
        None, description="paragraphs citable on their own as ID#p1, ID#p2, …"
    )
    responsible: list[str] | None = Field(None, description="责任单位")
    deadline: Deadline | None = Field(None, description="完成时限")
    listed_as: str | None = Field(
        None, description="an annex: the line of the body that lists it (附件说明), as printed"
    )
    in_force: InForce | None = Field(
        None, description="when the clause is in force, if not the document's (an amended clause)"
    )
    duties: list[Duty] = Field(default_factory=list, description="the duties the clause gives, each a task")
    children: list[Clause] = Field(default_factory=list)

    @model_validator(mode="after")
    def _text_or_paragraphs(self) -> Clause:
        if self.text is not None and self.paragraphs is not None:
            raise ValueError(say("text_or_paragraphs"))
        return self

    @property
    def body(self) -> str:
        if self.paragraphs is not None:
            return "\n".join(self.paragraphs)
        return self.text or ""


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc: str = Field(description="document number exactly as printed, e.g. 平龙政办〔2021〕36号")
    title: str
    issuer: str
    date: dt.date
    effective: dt.date | None = None
    in_force: InForce | None = Field(
        None, description="施行期间 {from, to}; without it, from `effective`, else from `date`"
    )
    implements: list[str] = Field(default_factory=list)
    paraphrase: bool = Field(False, description="true when texts are paraphrases, not verbatim")
    preamble: str | None = None
    clauses: list[Clause]

    @property
    def window(self) -> InForce:
        return self.in_force or InForce(since=self.effective or self.date)


class CitedClause(BaseModel):
    """A citable unit (a clause or one of its paragraphs), with what it inherits."""

    model_config = ConfigDict(frozen=True)

    doc: str
    clause: str
    heading: str | None
    text: str
    responsible: tuple[str, ...]
    deadline: Deadline | None
    paraphrase: bool
    in_force: InForce = ALWAYS  # the clause's days in force (its document's, or its own)


class Policy:
    """All documents, indexed by (document number, clause id)."""

    def __init__(self, documents: list[Document]):
        self.documents = documents
        self.clauses: dict[tuple[str, str], CitedClause] = {}
        for document in documents:
            for clause in document.clauses:
                self._index(document, clause, (), None, document.window)

    def _index(self, document: Document, clause: Clause, responsible, deadline, window: InForce) -> None:
        window = window.narrowed(clause.in_force) if clause.in_force else window
        responsible = tuple(clause.responsible) if clause.responsible else responsible
        deadline = clause.deadline or deadline
        text = _full_text(clause)
        cited = CitedClause(
            doc=document.doc,
            clause=clause.id,
            heading=clause.heading,
            text=text,
            responsible=responsible,
            deadline=deadline,
            paraphrase=document.paraphrase,
            in_force=window,
        )
        self.clauses[(document.doc, clause.id)] = cited
        for n, paragraph in enumerate(clause.paragraphs or (), start=1):
            key = (document.doc, f"{clause.id}#p{n}")
            self.clauses[key] = cited.model_copy(update={"clause": key[1], "text": paragraph})
        for child in clause.children:
            self._index(document, child, responsible, deadline, window)

    def get(self, doc: str, clause: str) -> CitedClause | None:
        return self.clauses.get((doc, clause))

    def not_in_force(self, day: dt.date) -> list[Document]:
        """The documents not in force on `day` (not yet, or no longer)."""
        return [d for d in self.documents if not d.window.holds(day)]

    @property
    def doc_numbers(self) -> set[str]:
        return {d.doc for d in self.documents}

    @property
    def citations(self) -> list[str]:
        """Every citable reference, written the way rules cite it: `DOC CLAUSE`."""
        return [f"{doc} {clause}" for doc, clause in self.clauses]

    def cite(self, ref: str) -> CitedClause:
        """The clause a `DOC CLAUSE` reference names; ValueError saying what is wrong."""
        ref = str(ref).strip()
        doc, _, clause = ref.rpartition(" ")
        if not doc:
            raise ValueError(say("citation_form", ref=ref))
        if doc not in self.doc_numbers:
            raise ValueError(say("no_document", ref=ref, doc=doc, have=", ".join(sorted(self.doc_numbers))))
        cited = self.get(doc, clause)
        if cited is None and canonical_clause(clause):  # 第十二条, 二、(三)2.(2): as officers write them
            cited = self.get(doc, canonical_clause(clause))
        if cited is None:
            ids = [c for d, c in self.clauses if d == doc]
            raise ValueError(say("unknown_clause", ref=ref, doc=doc, clause=clause, **hint(closest(clause, ids))))
        return cited


POLICY_KEYS = tuple(sorted(
    set(Document.model_fields) | set(Clause.model_fields) | set(Deadline.model_fields) | set(Milestone.model_fields)
    | set(Duty.model_fields) | {"from", "to"}
))


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMERAL = r"[零〇一二两三四五六七八九十百]+"
_ARTICLE = re.compile(rf"^第({_NUMERAL}|\d+)条(?:第({_NUMERAL}|\d+)款)?(?:[（(]({_NUMERAL}|\d+)[）)]|第({_NUMERAL}|\d+)项)?$")
_OUTLINE = re.compile(rf"({_NUMERAL})、|[（(]({_NUMERAL})[）)]|(\d+)[.．、]|[（(](\d+)[）)]")


def chinese_number(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零三 → 103; Arabic digits pass through."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char == "百":
            total, current = total + (current or 1) * 100, 0
        elif char == "十":
            total, current = total + (current or 1) * 10, 0
        else:
            current = _DIGITS[char]
    return total + current


def canonical_clause(text: str) -> str | None:
    """A clause reference as officers write it, as the dotted id (contract §6), or None:
    第十二条 → 12, 第十四条（一）→ 14.1, 第二条第二款 → 2#p2, 二、(三)2.(2) → 2.3.2.2."""
    text = re.sub(r"\s+", "", str(text))
    match = _ARTICLE.match(text)
    if match:
        article, paragraph, item, item2 = match.groups()
        out = str(chinese_number(article))
        if item or item2:
            out += f".{chinese_number(item or item2)}"
        return out + (f"#p{chinese_number(paragraph)}" if paragraph else "")
    parts, end = [], 0
    for token in _OUTLINE.finditer(text):
        if token.start() != end:
            return None
        end = token.end()
        parts.append(str(chinese_number(next(g for g in token.groups() if g))))
    return ".".join(parts) if parts and end == len(text) and not text.isdigit() else None


def _full_text(clause: Clause) -> str:
    """A clause's text as cited: its own body, then its items (a parent article holds them)."""
    parts = [clause.body or (clause.heading or "")]
    for child in clause.children:
        lead = "".join(p for p in (child.number, child.heading) if p)
        parts.append(lead + _full_text(child) if child.body or child.children else lead)
    return "\n".join(p for p in parts if p)


def load_policy(directory: Path) -> tuple[Policy, list[Problem]]:
    """Load every `*.yaml` under `directory`; problems are returned, not raised."""
    problems: list[Problem] = []
    documents: list[Document] = []
    files = sorted(directory.glob("*.yaml"))
    if not files:
        problems.append(Problem(str(directory), 1, say("no_policy")))
    seen: dict[str, str] = {}
    for path in files:
        try:
            raw = load_yaml(path)
        except YamlError as exc:
            problems.append(Problem(exc.path, exc.line, exc.message))
            continue
        try:
            document = Document.model_validate(raw)
        except ValidationError as exc:
            problems += validation_problems(path, raw, exc, keys=POLICY_KEYS)
            continue
        if document.doc in seen:
            problems.append(Problem(str(path), 1, say("duplicate_document", doc=document.doc, other=seen[document.doc])))
            continue
        seen[document.doc] = str(path)
        ids: set[str] = set()
        _check_ids(document.clauses, raw.get("clauses", []), path, ids, problems)
        documents.append(document)
    return Policy(documents), problems


def _check_ids(clauses, raw_clauses, path: Path, ids: set[str], problems: list[Problem]) -> None:
    for clause, raw in zip(clauses, raw_clauses):
        if clause.id in ids:
            problems.append(Problem(str(path), getattr(raw, "line", 1), say("duplicate_clause", id=clause.id)))
        ids.add(clause.id)
        _check_ids(clause.children, raw.get("children", []) if isinstance(raw, dict) else [], path, ids, problems)
