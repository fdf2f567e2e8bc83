"""The loaded rulebook: rules, their citations, and the Rulebook that backends translate."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

from landrules.rulebook.catalogue import Catalogue
from landrules.rulebook.conditions import Atom, Condition, Resolver, atoms
from landrules.rulebook.parameters import Parameter
from landrules.rulebook.policy import ALWAYS, CitedClause, InForce, Policy
from landrules.rulebook.problems import Problem

NEEDS_INFORMATION = "needs_information"  # the one built-in outcome a rule may conclude (with `needs`)
OUTCOMES_FILE = "outcomes.yaml"
PARAMETERS_FILE = "parameters.yaml"
RULE_ID = r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_-]+)*$"


@dataclass(frozen=True)
class Rule:  # frozen, yet `window` is a cached_property: the dataclass keeps a __dict__
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
    in_force: InForce | None = None  # the rule's own days in force, as written (`in_force:`)
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    atom_lines: Mapping[Any, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def path(self) -> str:
        return self.source.rsplit(":", 1)[0]

    @property
    def line(self) -> int:
        return int(self.source.rsplit(":", 1)[1])

    @cached_property
    def window(self) -> InForce:
        """The days the rule applies: its own `in_force`, within every cited clause's (no
        outcome rests on a document, or a clause, not in force)."""
        window = self.in_force or ALWAYS
        for clause in self.cites:
            window = window.narrowed(clause.in_force)
        return window

    def in_force_on(self, day: dt.date) -> bool:
        return self.window.holds(day)

    @property
    def asks_for_information(self) -> bool:
        """The rule concludes needs_information itself (a triage rule), naming `needs`."""
        return self.outcome == NEEDS_INFORMATION

    @property
    def produces(self) -> str:
        return f"category:{self.category}" if self.category else f"outcome:{self.outcome}"

    @cached_property
    def fields_read(self) -> tuple[str, ...]:
        """The parcel fields the rule's conditions compare, in the order they appear (each once)."""
        names = (n for atom in atoms(self.when) if isinstance(atom, Atom) for n in (atom.field, atom.other_field) if n)
        return tuple(dict.fromkeys(names))

    @property
    def fields_needed(self) -> tuple[str, ...]:
        """`fields_read` and the fields the rule asks for by name (`needs`)."""
        return tuple(dict.fromkeys((*self.fields_read, *self.needs)))


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

    def param_value(self, param_id: str, when: dt.date) -> tuple[Any, dt.date | None]:
        """The value in force on `when` and the date it took effect; (None, the first value's
        date) when no value is in force yet: a condition on it is undecided, never decided by a
        later value (contract §5 Revised, wave 3)."""
        param = self.parameters[param_id]
        dated = param.value_at(when)
        if dated is None:
            return None, param.values[0].since
        return dated.value, dated.since

    def in_force_on(self, when: dt.date) -> tuple[Rule, ...]:
        """The rules that apply on `when` (their window, see Rule.window)."""
        return tuple(r for r in self.rules if r.in_force_on(when))

    def notes_on(self, when: dt.date) -> list[str]:
        """What the rulebook sets aside on `when`, for every decision's notes: documents not in
        force (no outcome rests on them), parameters with no value in force yet."""
        notes = []
        for document in self.policy.not_in_force(when):
            window = document.window
            if window.since and when < window.since:
                notes.append(f"{document.doc}自{window.since}起施行，评估日 {when} 早于此日，不据以处置")
            else:
                notes.append(f"{document.doc}施行至{window.until}，评估日 {when} 已失效，不据以处置")
        for pid, param in self.parameters.items():
            if param.value_at(when) is None and any(r.in_force_on(when) for r in self.rules_using(pid)):
                notes.append(f"参数 {pid}（{param.description}）自{param.values[0].since}起才有取值，"
                             f"评估日 {when} 无施行中的取值，依赖它的条件未判定")
        return notes

    def rules_using(self, param_id: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if any(getattr(a, "param", None) == param_id for a in atoms(r.when)))

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
