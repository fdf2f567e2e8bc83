"""The rulebook: policy + parameters + rules, loaded, cross-checked, analysed and hashed.

A rulebook that references a clause, field, parameter, category or outcome that does not
exist, or that lint's analysis rejects (lint.py: rules that can never apply, conflicting
disposals, gaps, bad overrides), fails to load with every problem as `FILE:LINE: message`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict, Field, SkipValidation, ValidationError

from . import fields
from .catalogue import BUILTIN_OUTCOMES, Catalogue, load_catalogue
from .conditions import (
    Atom, CategoryAtom, Condition, ConditionError, Resolver, located_atoms, parse_condition, split_categories,
)
from .errors import Problem, RulebookError, did_you_mean
from .fields import FieldType
from .parameters import Parameter, load_parameters
from .policy import CitedClause, Policy, load_policy
from .yamlio import YamlError, line_of, load_yaml, ref, validation_problems

NEEDS_INFORMATION = "needs_information"  # the one built-in outcome a rule may conclude (with `needs`)
OUTCOMES_FILE = "outcomes.yaml"
PARAMETERS_FILE = "parameters.yaml"
RULE_ID = r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_-]+)*$"


class Then(BaseModel):
    """What a rule concludes: a derived category, or an outcome with its deadline and units, or
    `needs_information` with the fields to collect (`needs`)."""

    model_config = ConfigDict(extra="forbid")

    category: ref("category") | None = Field(None, description="得出类别（类别规则），如 idle")
    outcome: ref("conclusion") | None = Field(
        None,
        description="得出处置（处置规则），如 idle_fee；或 needs_information（需补充信息），此时须用 needs 写明要补充的字段",
    )
    needs: list[ref("field")] | None = Field(
        None, min_length=1,
        description="只与 outcome: needs_information 连用：要求补充的台账字段（英文名），如 [approved_on, supplied_on]",
    )
    deadline: dt.date | None = Field(
        None, description="完成时限（YYYY-MM-DD）；不写则取第一个有完成时限的引用条款的时限。needs_information 不设完成时限"
    )
    deadline_text: str | None = Field(None, description="完成时限的原文表述")
    responsible: list[str] | None = Field(
        None, description="责任单位；不写则取第一个有责任单位的引用条款的责任单位"
    )


class RuleSpec(BaseModel):
    """A rule as written in YAML (the `when` is parsed separately, with line numbers)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=RULE_ID, description="规则编号：英文字母、数字、下划线，以点分层，如 idle.enterprise.fee")
    title: str = Field(description="短标题（中文）")
    cites: list[ref("citation")] = Field(
        min_length=1, description="依据条款，写作“文号 条款编号”，如 平龙政办〔2021〕36号 2.3.2.2"
    )
    when: SkipValidation[Condition] = Field(description="适用条件")
    then: Then = Field(description="结论：category（类别）或 outcome（处置）")
    overrides: list[str] = Field(
        default_factory=list,
        description="例外：本规则成立时，所列规则（一般规则）的处置不再适用。写被排除规则的编号",
    )
    ask_when_unknown: bool = Field(
        True,
        description="缺少所需信息时：true（默认）结论为“需补充信息”；false 视为不适用。"
        "结论本身为 needs_information 的规则不写此项（缺少信息时一律视为不适用）",
    )
    note: str | None = None


class RulesFile(BaseModel):
    """rules/*.yaml (a file of rules)"""

    model_config = ConfigDict(extra="forbid", title="landrules rules")

    rules: list[RuleSpec] = Field(description="规则列表")


RULE_KEYS = tuple(sorted(set(RuleSpec.model_fields) | set(Then.model_fields) | set(Atom.model_fields) | {"all", "any", "not", "category"}))


@dataclass(frozen=True)
class Citation:
    doc: str
    clause: str
    text: str


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    cites: tuple[CitedClause, ...]
    when: Condition
    joins: tuple[str, ...]  # categories the rule joins on
    condition: Condition | None  # the rest: conditions on parcel fields
    category: str | None
    outcome: str | None
    deadline: dt.date | None
    responsible: tuple[str, ...]
    source: str  # FILE:LINE
    asks: bool = True  # an undecided rule concludes needs_information
    overrides: tuple[str, ...] = ()  # rules whose outcomes this one suppresses when it fires
    needs: tuple[str, ...] = ()  # outcome needs_information: the fields it asks for when it fires
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    atom_lines: Mapping[Any, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def path(self) -> str:
        return self.source.rsplit(":", 1)[0]

    @property
    def line(self) -> int:
        return int(self.source.rsplit(":", 1)[1])

    @property
    def asks_for_information(self) -> bool:
        """The rule concludes needs_information itself (a triage rule), naming `needs`."""
        return self.outcome == NEEDS_INFORMATION

    @property
    def produces(self) -> str:
        return f"category:{self.category}" if self.category else f"outcome:{self.outcome}"

    @property
    def citations(self) -> tuple[Citation, ...]:
        return tuple(Citation(c.doc, c.clause, c.text) for c in self.cites)


@dataclass
class Rulebook:
    policy: Policy
    parameters: dict[str, Parameter]
    rules: tuple[Rule, ...]
    categories: dict[str, str]  # code -> 中文
    outcomes: dict[str, str]  # code -> 中文 label
    files: tuple[tuple[str, Path], ...] = field(default=())  # (role, path)
    catalogue: Catalogue | None = None  # kinds, categories' acknowledged gaps (outcomes.yaml)
    warnings: tuple[Problem, ...] = ()  # lint's warnings: the rulebook loads, but look at these

    @cached_property
    def hash(self) -> str:
        """sha256 over every policy and rules file, by role (policy/ or rules/), name and
        content: the same files give the same hash wherever their folders are or are called."""
        digest = hashlib.sha256()
        for role, path in sorted(self.files, key=lambda f: (f[0], f[1].name)):
            digest.update(f"{role}/{path.name}\0".encode())
            digest.update(path.read_bytes())
            digest.update(b"\0")
        return "sha256:" + digest.hexdigest()

    def param_value(self, param_id: str, when: dt.date) -> tuple[Any, dt.date]:
        """The value in force on `when` and the date it took effect (the first value before
        that; the trace says so)."""
        dated = self.parameters[param_id].in_force(when)
        return dated.value, dated.since

    def param_note(self, param_id: str, when: dt.date) -> str | None:
        param = self.parameters[param_id]
        return "暂定值，待区级标准确定" if param.is_provisional(param.in_force(when)) else None

    def resolver(self, as_of: dt.date) -> Resolver:
        return Resolver(as_of, self.param_value, self.param_note)

    @cached_property
    def rules_by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    @cached_property
    def overridden_by(self) -> dict[str, tuple[str, ...]]:
        """rule id -> ids of the rules that override it (its exceptions)."""
        out: dict[str, list[str]] = {}
        for rule in self.rules:
            for target in rule.overrides:
                out.setdefault(target, []).append(rule.id)
        return {k: tuple(v) for k, v in out.items()}


def load_rulebook(rules_dir: Path, policy_dir: Path, *, analyse: bool = True) -> Rulebook:
    """Load, cross-check and (unless `analyse` is false) lint a rulebook; raises RulebookError
    listing every problem. The analysis runs once the rulebook is structurally sound."""
    rules_dir, policy_dir = Path(rules_dir), Path(policy_dir)
    problems: list[Problem] = []
    for directory, what in ((rules_dir, "rules"), (policy_dir, "policy")):
        if not directory.is_dir():
            raise RulebookError([Problem(str(directory), 1, f"{what} directory not found")])
    policy, policy_problems = load_policy(policy_dir)
    problems += policy_problems

    raw_files: dict[str, tuple[Path, Any]] = {}
    for path in sorted(rules_dir.glob("*.yaml")):
        try:
            raw_files[path.name] = (path, load_yaml(path))
        except YamlError as exc:
            problems.append(Problem(exc.path, exc.line, exc.message))

    catalogue = _load_catalogue(rules_dir / OUTCOMES_FILE, raw_files, problems)
    categories, outcomes = catalogue.category_labels, catalogue.outcome_labels
    parameters: dict[str, Parameter] = {}
    if PARAMETERS_FILE in raw_files:
        parameters = load_parameters(*raw_files[PARAMETERS_FILE], policy, problems)
    rules = []
    for name, (path, raw) in raw_files.items():
        if name in (OUTCOMES_FILE, PARAMETERS_FILE):
            continue
        rules += _load_rules(path, raw, policy, parameters, categories, outcomes, problems)
    _check_rulebook(rules, problems)
    if problems:
        raise RulebookError(problems)
    files = tuple([("policy", p) for p in sorted(policy_dir.glob("*.yaml"))] + [("rules", p) for p, _ in raw_files.values()])
    rulebook = Rulebook(policy, parameters, tuple(rules), categories, outcomes, files, catalogue)
    if analyse:
        from .lint import analyse as lint_analyse  # lint reads the Rulebook built here

        problems = lint_analyse(rulebook)
        if any(not p.warning for p in problems):
            raise RulebookError(problems)
        rulebook.warnings = tuple(sorted(problems))
    return rulebook


def _load_catalogue(path: Path, raw_files, problems) -> Catalogue:
    if path.name not in raw_files:
        problems.append(Problem(str(path), 1, "missing: the catalogue of categories and outcomes"))
        return Catalogue(categories={}, outcomes={})
    return load_catalogue(path, raw_files[path.name][1], problems)


def _load_rules(path, raw, policy, parameters, categories, outcomes, problems) -> list[Rule]:
    items = raw.get("rules") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        problems.append(Problem(str(path), getattr(raw, "line", 1), "expected a list `rules:`"))
        return []
    rules = []
    for index, item in enumerate(items):
        line = getattr(item, "line", 1)
        try:
            spec = RuleSpec.model_validate(item)
        except ValidationError as exc:
            name = item.get("id") if isinstance(item, dict) else None
            problems += validation_problems(path, raw, exc, ("rules", index), f"rule {name}: " if name else "rule: ", RULE_KEYS)
            continue
        where = f"rule {spec.id}"
        before = len(problems)
        cites = []
        for citation in spec.cites:
            try:
                cites.append(policy.cite(citation))
            except ValueError as exc:
                problems.append(Problem(str(path), line_of(item, ("cites",)), f"{where}: {exc}"))
        try:
            when = parse_condition(spec.when, line_of(item, ("when",)))
            joins, condition = split_categories(when)
        except ConditionError as exc:
            problems.append(Problem(str(path), exc.line, f"{where}: {exc.message}"))
            continue
        except ValueError as exc:
            problems.append(Problem(str(path), line_of(item, ("when",)), f"{where}: {exc}"))
            continue
        then_line = line_of(item, ("then",))
        atom_lines: dict[Any, int] = {}
        for atom, atom_line in located_atoms(item["when"], when, line_of(item, ("when",))):
            atom_lines.setdefault(atom, atom_line)
            if isinstance(atom, Atom) and atom.param is not None:
                message = _check_param(atom, parameters)
                if message:
                    problems.append(Problem(str(path), atom_line, f"{where}: {message}"))
            if isinstance(atom, CategoryAtom) and atom.category not in categories:
                problems.append(Problem(str(path), atom_line, f"{where}: unknown category {atom.category!r}{did_you_mean(atom.category, categories)}"))
        then = spec.then
        if (then.category is None) == (then.outcome is None):
            problems.append(Problem(str(path), then_line, f"{where}: then needs exactly one of category or outcome"))
        elif then.category is not None and then.category not in categories:
            problems.append(Problem(str(path), then_line, f"{where}: unknown category {then.category!r}{did_you_mean(then.category, categories)}"))
        elif then.outcome is not None and then.outcome != NEEDS_INFORMATION and (
            then.outcome not in outcomes or then.outcome in BUILTIN_OUTCOMES
        ):
            codes = [c for c in outcomes if c not in BUILTIN_OUTCOMES] + [NEEDS_INFORMATION]
            problems.append(Problem(str(path), then_line, f"{where}: unknown outcome code {then.outcome!r}{did_you_mean(then.outcome, codes)}"))
        problems += _check_needs(spec, path, item, where, then_line)
        if len(problems) > before:
            continue
        deadline = then.deadline or next((c.deadline.date for c in cites if c.deadline), None)
        responsible = then.responsible or next((list(c.responsible) for c in cites if c.responsible), [])
        disposal = then.outcome is not None and then.outcome != NEEDS_INFORMATION  # needs_information: no deadline
        rules.append(Rule(
            id=spec.id, title=spec.title, cites=tuple(cites), when=when,
            joins=tuple(joins), condition=condition, category=then.category, outcome=then.outcome,
            deadline=deadline if disposal else None, responsible=tuple(responsible) if then.outcome else (),
            source=f"{path}:{line}", asks=spec.ask_when_unknown and then.outcome != NEEDS_INFORMATION,
            overrides=tuple(spec.overrides), needs=tuple(dict.fromkeys(then.needs or ())),
            key_lines=dict(getattr(item, "key_lines", {})), atom_lines=atom_lines,
        ))
    return rules


def _check_needs(spec: RuleSpec, path: Path, item: Any, where: str, then_line: int) -> list[Problem]:
    """A rule that concludes needs_information names the fields to collect, and nothing else does.
    It never asks in turn: when its own condition is unknown, it does not apply."""
    then, out = spec.then, []
    needs_line = line_of(item, ("then", "needs"))
    if then.outcome == NEEDS_INFORMATION:
        if not then.needs:
            out.append(Problem(str(path), then_line, (
                f"{where}: outcome needs_information needs `needs: [...]`, the ledger fields to collect "
                "(e.g. `then: {outcome: needs_information, needs: [supplied_on]}`)")))
        for name in then.needs or ():
            if name not in fields.BY_NAME:
                out.append(Problem(str(path), needs_line, (
                    f"{where}: needs: unknown field {name!r}"
                    f"{did_you_mean(name, fields.BY_NAME, lambda n: fields.BY_NAME[n].label())}")))
        if then.deadline is not None or then.deadline_text is not None:
            out.append(Problem(str(path), line_of(item, ("then", "deadline" if then.deadline else "deadline_text")), (
                f"{where}: needs_information has no deadline (需补充信息不设完成时限); remove deadline")))
        if "ask_when_unknown" in spec.model_fields_set and spec.ask_when_unknown:
            out.append(Problem(str(path), line_of(item, ("ask_when_unknown",)), (
                f"{where}: a rule that concludes needs_information does not ask in turn when its own "
                "condition is unknown; remove ask_when_unknown")))
    elif then.needs is not None:
        out.append(Problem(str(path), needs_line, (
            f"{where}: `needs` goes only with `outcome: needs_information`; a rule that cannot be decided "
            "for want of data asks for the missing fields by itself")))
    return out


def _check_param(atom: Atom, parameters: dict[str, Parameter]) -> str | None:
    """Why `atom`'s parameter cannot be compared with its field, or None."""
    param = parameters.get(atom.param)
    if param is None:
        return f"unknown parameter {atom.param!r}{did_you_mean(atom.param, parameters)}"
    spec = fields.BY_NAME[atom.field]
    if (spec.type is FieldType.DATE) != param.holds_dates:
        have = "dates" if param.holds_dates else "numbers"
        return (f"{spec.label()} is a {'date' if spec.type is FieldType.DATE else 'number'} but parameter "
                f"{atom.param} holds {have} ({param.values[-1].value}); they cannot be compared")
    if spec.type is FieldType.RATIO and any(isinstance(v.value, float) and not 0 <= v.value <= 1 for v in param.values):
        return f"{spec.label()} is a ratio between 0 and 1 but parameter {atom.param} has a value outside it"
    return None


def _check_rulebook(rules: list[Rule], problems: list[Problem]) -> None:
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in seen:
            problems.append(Problem(rule.path, rule.line, f"duplicate rule id {rule.id} (first at {seen[rule.id].source})"))
        seen.setdefault(rule.id, rule)
    derived = {r.category for r in rules if r.category}
    for rule in rules:
        for cat in rule.joins:
            if cat not in derived:
                problems.append(Problem(rule.path, rule.line, f"rule {rule.id}: no rule derives category {cat!r}"))
        if rule.category and rule.joins:
            problems.append(Problem(rule.path, rule.line, f"rule {rule.id}: a category rule may not depend on another category"))
