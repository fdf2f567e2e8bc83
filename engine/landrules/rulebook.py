"""The rulebook: policy + parameters + rules, loaded, cross-checked and hashed.

A rulebook that references a clause, field, parameter, category or outcome that does not
exist fails to load with every problem as `FILE:LINE: message`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .conditions import Condition, ConditionError, Resolver, atoms, parse_condition, split_categories
from .errors import Problem, RulebookError
from .parameters import Parameter
from .policy import CitedClause, Policy, load_policy
from .yamlio import YamlError, line_of, load_yaml

OUTCOMES_FILE = "outcomes.yaml"
PARAMETERS_FILE = "parameters.yaml"
BUILTIN_OUTCOMES = ("no_action", "needs_information", "invalid_record")


class Then(BaseModel):
    """What a rule concludes: a derived category, or an outcome with its deadline and units."""

    model_config = ConfigDict(extra="forbid")

    category: str | None = Field(None, description="derive this category (a category rule)")
    outcome: str | None = Field(None, description="conclude this outcome code (a disposal rule)")
    deadline: dt.date | None = Field(
        None, description="explicit deadline; default: the 完成时限 of the first cited clause with one"
    )
    deadline_text: str | None = Field(None, description="the wording the explicit deadline comes from")
    responsible: list[str] | None = Field(
        None, description="explicit 责任单位; default: those of the first cited clause with them"
    )


class RuleSpec(BaseModel):
    """A rule as written in YAML (the `when` is parsed separately, with line numbers)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str = Field(description="短标题（中文）")
    cites: list[str] = Field(min_length=1, description='"DOC CLAUSE", e.g. 平龙政办〔2021〕36号 2.3.2.2')
    when: Any
    then: Then
    ask_when_unknown: bool = Field(
        True,
        description="when a fact the rule needs is missing, conclude needs_information (default) "
        "or, if false, treat the rule as not applying",
    )
    note: str | None = None


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
    files: tuple[Path, ...] = field(default=())

    @cached_property
    def hash(self) -> str:
        """sha256 over every policy and rules file, by name and content."""
        digest = hashlib.sha256()
        for path in sorted(self.files, key=lambda p: (p.parent.name, p.name)):
            digest.update(f"{path.parent.name}/{path.name}\0".encode())
            digest.update(path.read_bytes())
            digest.update(b"\0")
        return "sha256:" + digest.hexdigest()

    def param_value(self, param_id: str, when: dt.date) -> tuple[Any, dt.date]:
        param = self.parameters[param_id]
        dated = param.value_at(when) or param.values[0]
        return dated.value, dated.since

    def resolver(self, as_of: dt.date) -> Resolver:
        return Resolver(as_of, self.param_value)

    @cached_property
    def rules_by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}


def parse_citation(ref: str, policy: Policy) -> CitedClause:
    ref = str(ref).strip()
    doc, _, clause = ref.rpartition(" ")
    if not doc:
        raise ValueError(f'citation {ref!r} is not "DOC CLAUSE", e.g. "平龙政办〔2021〕36号 2.3.2.2"')
    if doc not in policy.doc_numbers:
        raise ValueError(f"citation {ref!r}: no document {doc!r} in policy/ (have: {', '.join(sorted(policy.doc_numbers))})")
    cited = policy.get(doc, clause)
    if cited is None:
        raise ValueError(f"citation {ref!r}: document {doc} has no clause {clause!r}")
    return cited


def load_rulebook(rules_dir: Path, policy_dir: Path) -> Rulebook:
    """Load and cross-check a rulebook; raises RulebookError listing every problem."""
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

    categories, outcomes = _load_catalogue(rules_dir / OUTCOMES_FILE, raw_files, problems)
    parameters = _load_parameters(rules_dir / PARAMETERS_FILE, raw_files, policy, problems)
    rules = []
    for name, (path, raw) in raw_files.items():
        if name in (OUTCOMES_FILE, PARAMETERS_FILE):
            continue
        rules += _load_rules(path, raw, policy, parameters, categories, outcomes, problems)
    _check_rulebook(rules, problems)
    if problems:
        raise RulebookError(problems)
    files = tuple(sorted(policy_dir.glob("*.yaml")) + [p for p, _ in raw_files.values()])
    return Rulebook(policy, parameters, tuple(rules), categories, outcomes, files)


def _load_catalogue(path: Path, raw_files, problems) -> tuple[dict[str, str], dict[str, str]]:
    if path.name not in raw_files:
        problems.append(Problem(str(path), 1, "missing: the catalogue of categories and outcomes"))
        return {}, {}
    raw = raw_files[path.name][1]
    if not isinstance(raw, dict) or set(raw) - {"categories", "outcomes"}:
        problems.append(Problem(str(path), 1, "expected only the keys categories and outcomes"))
        return {}, {}
    out = []
    for key in ("categories", "outcomes"):
        table = raw.get(key) or {}
        for code, label in table.items():
            if not isinstance(label, str) or not label.strip():
                problems.append(Problem(str(path), line_of(raw, (key, code)), f"{key[:-1]} {code} has no Chinese label"))
        out.append({str(k): str(v) for k, v in table.items()})
    for code in BUILTIN_OUTCOMES:
        if code not in out[1]:
            problems.append(Problem(str(path), line_of(raw, ("outcomes",)), f"built-in outcome {code} needs a label"))
    return out[0], out[1]


def _load_parameters(path: Path, raw_files, policy: Policy, problems) -> dict[str, Parameter]:
    if path.name not in raw_files:
        return {}
    raw = raw_files[path.name][1]
    table = raw.get("parameters") if isinstance(raw, dict) else None
    if not isinstance(table, dict):
        problems.append(Problem(str(path), 1, "expected a mapping `parameters:` of parameter id to definition"))
        return {}
    params = {}
    for pid, body in table.items():
        try:
            param = Parameter.model_validate(body)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ("parameters", pid, *err["loc"])
                problems.append(Problem(str(path), line_of(raw, loc), f"parameter {pid}: {_loc(err['loc'])}{err['msg']}"))
            continue
        for ref in param.cites:
            try:
                parse_citation(ref, policy)
            except ValueError as exc:
                problems.append(Problem(str(path), line_of(raw, ("parameters", pid, "cites")), f"parameter {pid}: {exc}"))
        params[str(pid)] = param
    return params


def _loc(loc) -> str:
    return ".".join(str(p) for p in loc) + ": " if loc else ""


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
            for err in exc.errors():
                problems.append(Problem(str(path), line_of(raw, ("rules", index, *err["loc"])), f"rule: {_loc(err['loc'])}{err['msg']}"))
            continue
        where = f"rule {spec.id}"
        before = len(problems)
        cites = []
        for ref in spec.cites:
            try:
                cites.append(parse_citation(ref, policy))
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
        for atom in atoms(when):
            if getattr(atom, "param", None) and atom.param not in parameters:
                problems.append(Problem(str(path), line_of(item, ("when",)), f"{where}: unknown parameter {atom.param!r}"))
            if getattr(atom, "category", None) and atom.category not in categories:
                problems.append(Problem(str(path), line_of(item, ("when",)), f"{where}: unknown category {atom.category!r}"))
        then = spec.then
        if (then.category is None) == (then.outcome is None):
            problems.append(Problem(str(path), then_line, f"{where}: then needs exactly one of category or outcome"))
        elif then.category is not None and then.category not in categories:
            problems.append(Problem(str(path), then_line, f"{where}: unknown category {then.category!r}"))
        elif then.outcome is not None and (then.outcome not in outcomes or then.outcome in BUILTIN_OUTCOMES):
            problems.append(Problem(str(path), then_line, f"{where}: unknown outcome code {then.outcome!r}"))
        if len(problems) > before:
            continue
        deadline = then.deadline or next((c.deadline.date for c in cites if c.deadline), None)
        responsible = then.responsible or next((list(c.responsible) for c in cites if c.responsible), [])
        rules.append(Rule(
            id=spec.id, title=spec.title, cites=tuple(cites), when=when,
            joins=tuple(joins), condition=condition, category=then.category, outcome=then.outcome,
            deadline=deadline if then.outcome else None, responsible=tuple(responsible) if then.outcome else (),
            source=f"{path}:{line}", asks=spec.ask_when_unknown,
        ))
    return rules


def _check_rulebook(rules: list[Rule], problems: list[Problem]) -> None:
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in seen:
            path, line = rule.source.rsplit(":", 1)
            problems.append(Problem(path, int(line), f"duplicate rule id {rule.id} (first at {seen[rule.id].source})"))
        seen.setdefault(rule.id, rule)
    derived = {r.category for r in rules if r.category}
    for rule in rules:
        for cat in rule.joins:
            if cat not in derived:
                path, line = rule.source.rsplit(":", 1)
                problems.append(Problem(path, int(line), f"rule {rule.id}: no rule derives category {cat!r}"))
        if rule.category and rule.joins:
            path, line = rule.source.rsplit(":", 1)
            problems.append(Problem(path, int(line), f"rule {rule.id}: a category rule may not depend on another category"))
