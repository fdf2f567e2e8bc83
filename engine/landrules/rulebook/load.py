"""The rulebook: policy + parameters + rules, loaded, cross-checked, analysed and hashed.

A rulebook that references a clause, field, parameter, category or outcome that does not
exist, or that lint's analysis rejects (lint.py: rules that can never apply, conflicting
disposals, gaps, bad overrides), fails to load with every problem as `FILE:LINE: message`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from landrules.core import fields
from landrules.core.fields import FieldType
from landrules.rulebook.catalogue import BUILTIN_OUTCOMES, Catalogue, load_catalogue
from landrules.rulebook.conditions import (
    Atom,
    CategoryAtom,
    ConditionError,
    located_atoms,
    parse_condition,
    split_categories,
)
from landrules.rulebook.lint import analyse as lint_analyse
from landrules.rulebook.nesting import depth, flatten
from landrules.rulebook.model import (
    NEEDS_INFORMATION,
    OUTCOMES_FILE,
    PARAMETERS_FILE,
    Rule,
    Rulebook,
)
from landrules.rulebook.parameters import Parameter, load_parameters
from landrules.rulebook.policy import load_policy
from landrules.rulebook.messages import hint, say
from landrules.rulebook.problems import Problem, RulebookError, closest
from landrules.rulebook.spec import RULE_KEYS, RuleSpec
from landrules.rulebook.yamlio import YamlError, line_of, load_yaml, unknown_top_keys, validation_problems


MAX_DEPTH = 12  # all/any levels of one condition; durable-rules holds 15 in all (see backends/durable.py)


def load_rulebook(rules_dir: Path, policy_dir: Path, *, analyse: bool = True) -> Rulebook:
    """Load, cross-check and (unless `analyse` is false) lint a rulebook; raises RulebookError
    listing every problem. The analysis runs once the rulebook is structurally sound."""
    rules_dir, policy_dir = Path(rules_dir), Path(policy_dir)
    problems: list[Problem] = []
    for directory, what, what_zh in ((rules_dir, "rules", "规则（rules）"), (policy_dir, "policy", "政策文件（policy）")):
        if not directory.is_dir():
            raise RulebookError([Problem(str(directory), 1, say("dir_not_found", what=what, what_zh=what_zh))])
    policy, policy_problems = load_policy(policy_dir)
    problems += policy_problems

    raw_files: dict[str, tuple[Path, Any]] = {}
    unreadable = False
    for path in sorted(rules_dir.glob("*.yaml")):
        try:
            raw_files[path.name] = (path, load_yaml(path))
        except YamlError as exc:
            problems.append(Problem(exc.path, exc.line, exc.message))
            unreadable = True

    if unreadable:  # a file not read makes every cross-check speak of what it would have held
        raise RulebookError(problems)
    catalogue = _load_catalogue(rules_dir / OUTCOMES_FILE, raw_files, problems)
    categories, outcomes = catalogue.category_labels, catalogue.outcome_labels
    parameters: dict[str, Parameter] = {}
    refused: set[str] = set()  # parameters already reported: rules using them are not reported again
    if PARAMETERS_FILE in raw_files:
        parameters = load_parameters(*raw_files[PARAMETERS_FILE], policy, problems, refused)
    rules = []
    for name, (path, raw) in raw_files.items():
        if name in (OUTCOMES_FILE, PARAMETERS_FILE):
            continue
        rules += _load_rules(path, raw, policy, parameters, categories, outcomes, problems, refused)
    _check_rulebook(rules, problems)
    if problems:
        raise RulebookError(problems)
    files = tuple([("policy", p) for p in sorted(policy_dir.glob("*.yaml"))] + [("rules", p) for p, _ in raw_files.values()])
    rulebook = Rulebook(policy, parameters, tuple(rules), categories, outcomes, files, catalogue)
    if analyse:
        problems = lint_analyse(rulebook)
        if any(not p.warning for p in problems):
            raise RulebookError(problems)
        rulebook.warnings = tuple(sorted(problems))
    return rulebook


def _load_catalogue(path: Path, raw_files, problems) -> Catalogue:
    if path.name not in raw_files:
        problems.append(Problem(str(path), 1, say("no_catalogue")))
        return Catalogue(categories={}, outcomes={})
    return load_catalogue(path, raw_files[path.name][1], problems)


def _load_rules(path, raw, policy, parameters, categories, outcomes, problems, refused=frozenset()) -> list[Rule]:
    items = raw.get("rules") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        problems.append(Problem(str(path), getattr(raw, "line", 1), say("no_rules_list")))
        return []
    problems += unknown_top_keys(path, raw, ("rules",), "规则文件", "a rules file")
    rules = []
    for index, item in enumerate(items):
        line = getattr(item, "line", 1)
        try:
            spec = RuleSpec.model_validate(item)
        except ValidationError as exc:
            name = item.get("id") if isinstance(item, dict) else None
            problems += validation_problems(path, raw, exc, ("rules", index), say("rule", id=name) + ": " if name else say("rule", id="").strip() + ": ", RULE_KEYS)
            continue
        where = say("rule", id=spec.id)
        before = len(problems)
        cites = []
        for citation in spec.cites:
            try:
                cites.append(policy.cite(citation))
            except ValueError as exc:
                problems.append(Problem(str(path), line_of(item, ("cites",)), f"{where}: {exc}"))
        try:
            written = parse_condition(spec.when, line_of(item, ("when",)))
            when = flatten(written)  # decides the same, nests less (the engine bounds nesting)
            joins, condition = split_categories(when)
        except ConditionError as exc:
            problems.append(Problem(str(path), exc.line, f"{where}: {exc.message}"))
            continue
        except ValueError as exc:
            problems.append(Problem(str(path), line_of(item, ("when",)), f"{where}: {exc}"))
            continue
        if depth(when) > MAX_DEPTH:
            problems.append(Problem(str(path), line_of(item, ("when",)), (
                f"{where}: " + say("too_deep", depth=depth(when), limit=MAX_DEPTH))))
            continue
        then_line = line_of(item, ("then",))
        atom_lines: dict[Any, int] = {}
        for atom, atom_line in located_atoms(item["when"], written, line_of(item, ("when",))):
            atom_lines.setdefault(atom, atom_line)
            if isinstance(atom, Atom) and atom.param is not None and atom.param not in refused:
                message = _check_param(atom, parameters)
                if message:
                    problems.append(Problem(str(path), atom_line, f"{where}: {message}"))
            if isinstance(atom, CategoryAtom) and atom.category not in categories:
                problems.append(Problem(str(path), atom_line, f"{where}: " + say("unknown_category", code=atom.category, **hint(closest(atom.category, categories)))))
        then = spec.then
        if (then.category is None) == (then.outcome is None):
            problems.append(Problem(str(path), then_line, f"{where}: " + say("then_one_of")))
        elif then.category is not None and then.category not in categories:
            problems.append(Problem(str(path), then_line, f"{where}: " + say("unknown_category", code=then.category, **hint(closest(then.category, categories)))))
        elif then.outcome is not None and then.outcome != NEEDS_INFORMATION and (
            then.outcome not in outcomes or then.outcome in BUILTIN_OUTCOMES
        ):
            codes = [c for c in outcomes if c not in BUILTIN_OUTCOMES] + [NEEDS_INFORMATION]
            problems.append(Problem(str(path), then_line, f"{where}: " + say("unknown_outcome", code=then.outcome, **hint(closest(then.outcome, codes)))))
        problems += _check_needs(spec, path, item, where, then_line)
        if len(problems) > before:
            continue
        # `deadline: null` written out: no deadline, not the cited clause's (a start date is not one)
        inherited = "deadline" not in then.model_fields_set
        deadline = next((c.deadline.date for c in cites if c.deadline), None) if inherited else then.deadline
        responsible = then.responsible or next((list(c.responsible) for c in cites if c.responsible), [])
        disposal = then.outcome is not None and then.outcome != NEEDS_INFORMATION  # needs_information: no deadline
        rules.append(Rule(
            id=spec.id, title=spec.title, cites=tuple(cites), when=when,
            joins=tuple(joins), condition=condition, category=then.category, outcome=then.outcome,
            deadline=deadline if disposal else None, responsible=tuple(responsible) if then.outcome else (),
            source=f"{path}:{line}", asks=spec.ask_when_unknown and then.outcome != NEEDS_INFORMATION,
            overrides=tuple(spec.overrides), needs=tuple(dict.fromkeys(then.needs or ())), in_force=spec.in_force,
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
            out.append(Problem(str(path), then_line, f"{where}: " + say("needs_missing")))
        for name in then.needs or ():
            if name not in fields.BY_NAME:
                near = closest(name, fields.BY_NAME)
                out.append(Problem(str(path), needs_line, f"{where}: " + say(
                    "needs_unknown_field", name=name, **hint(fields.BY_NAME[near].label() if near else None))))
        if then.deadline is not None or then.deadline_text is not None:
            key = "deadline" if then.deadline else "deadline_text"
            out.append(Problem(str(path), line_of(item, ("then", key)), f"{where}: " + say("needs_no_deadline", key=key)))
        if "ask_when_unknown" in spec.model_fields_set and spec.ask_when_unknown:
            out.append(Problem(str(path), line_of(item, ("ask_when_unknown",)), f"{where}: " + say("needs_no_ask")))
    elif then.needs is not None:
        out.append(Problem(str(path), needs_line, f"{where}: " + say("needs_elsewhere")))
    return out


def _check_param(atom: Atom, parameters: dict[str, Parameter]) -> str | None:
    """Why `atom`'s parameter cannot be compared with its field, or None."""
    param = parameters.get(atom.param)
    if param is None:
        return say("unknown_parameter", param=atom.param, **hint(closest(atom.param, parameters)))
    spec = fields.BY_NAME[atom.field]
    if (spec.type is FieldType.DATE) != param.holds_dates:
        date = spec.type is FieldType.DATE
        return say("param_kind_mismatch", field=spec.label(), param=atom.param, value=param.values[-1].value,
                   kind="date" if date else "number", kind_zh="日期" if date else "数字",
                   holds="dates" if param.holds_dates else "numbers", holds_zh="日期" if param.holds_dates else "数字")
    if spec.type is FieldType.RATIO and any(isinstance(v.value, float) and not 0 <= v.value <= 1 for v in param.values):
        return say("param_ratio_outside", field=spec.label(), param=atom.param)
    return None


def _check_rulebook(rules: list[Rule], problems: list[Problem]) -> None:
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in seen:
            problems.append(Problem(rule.path, rule.line, say("duplicate_rule", id=rule.id, source=seen[rule.id].source)))
        seen.setdefault(rule.id, rule)
    derived = {r.category for r in rules if r.category}
    for rule in rules:
        for cat in rule.joins:
            if cat not in derived:
                problems.append(Problem(rule.path, rule.line, say("rule", id=rule.id) + ": " + say("not_derived", category=cat)))
        if rule.category and rule.joins:
            problems.append(Problem(rule.path, rule.line, say("rule", id=rule.id) + ": " + say("category_on_category")))
