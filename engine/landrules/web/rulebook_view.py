"""The rulebook as officers read it: documents as clause trees, rules in words, parameters
with dated values, and the scenarios covering each rule and clause."""

from __future__ import annotations

import datetime as dt

from landrules.rulebook.conditions import All, AnyOf, CategoryAtom, Not, Trace, evaluate
from landrules.decide.explain import describe
from landrules.rulebook.model import Rule, Rulebook


def base_clause(clause: str) -> str:
    return clause.split("#", 1)[0]


def rules_citing(rulebook: Rulebook) -> dict[tuple[str, str], list[Rule]]:
    """(doc, clause id) -> the rules citing it or one of its paragraphs."""
    out: dict[tuple[str, str], list[Rule]] = {}
    for rule in rulebook.rules:
        for c in rule.cites:
            for key in {(c.doc, c.clause), (c.doc, base_clause(c.clause))}:
                out.setdefault(key, [])
                if rule not in out[key]:
                    out[key].append(rule)
    return out


def scenarios_by(coverage: dict) -> tuple[dict[str, list[dict]], dict[tuple[str, str], list[dict]]]:
    """rule id -> scenarios that make it fire; (doc, clause) -> scenarios whose decision cites it."""
    by_rule: dict[str, list[dict]] = {}
    by_clause: dict[tuple[str, str], list[dict]] = {}
    for sc in coverage.get("scenarios", []):
        for rule in sc["rules"]:
            by_rule.setdefault(rule, []).append(sc)
        for ref in sc["clauses"]:
            doc, clause = ref.rsplit(" ", 1)
            for key in {(doc, clause), (doc, base_clause(clause))}:
                if sc not in by_clause.setdefault(key, []):
                    by_clause[key].append(sc)
    return by_rule, by_clause


def documents(rulebook: Rulebook) -> list[dict]:
    """Each document with its clause tree flattened depth-first (each node with its depth)."""
    citing = rules_citing(rulebook)
    out = []
    for document in rulebook.policy.documents:
        nodes: list[dict] = []
        for clause in document.clauses:
            _flatten(rulebook, citing, document.doc, clause, 0, nodes)
        out.append({"doc": document.doc, "title": document.title, "issuer": document.issuer,
                    "date": document.date, "paraphrase": document.paraphrase, "nodes": nodes})
    return out


def _flatten(rulebook: Rulebook, citing, doc: str, clause, depth: int, nodes: list[dict]) -> None:
    """Append `clause` and, depth first, its children to `nodes`."""
    cited = rulebook.policy.get(doc, clause.id)
    nodes.append({
        "id": clause.id, "number": clause.number, "heading": clause.heading, "depth": depth,
        "paragraphs": clause.paragraphs or ([clause.text] if clause.text else []),
        "responsible": list(cited.responsible) if cited else [],
        "deadline": cited.deadline.text if cited and cited.deadline else None,
        "own_terms": bool(clause.responsible or clause.deadline),
        "rules": citing.get((doc, clause.id), []),
    })
    for child in clause.children:
        _flatten(rulebook, citing, doc, child, depth + 1, nodes)


def conditions_in_words(rulebook: Rulebook, rule: Rule, as_of: dt.date) -> list[tuple[int, str]]:
    """(depth, words) for each condition of the rule, parameters resolved on `as_of`."""
    trace = evaluate(rule.when, {}, set(), rulebook.resolver(as_of))
    out: list[tuple[int, str]] = []

    def walk(t: Trace, depth: int) -> None:
        if isinstance(t.cond, (All, AnyOf, Not)):
            out.append((depth, "全部满足：" if isinstance(t.cond, All) else "任一满足：" if isinstance(t.cond, AnyOf) else "不满足："))
            for child in t.children or ():
                walk(child, depth + 1)
        elif isinstance(t.cond, CategoryAtom):
            out.append((depth, f"已认定类别为 {rulebook.categories.get(t.cond.category, t.cond.category)}"))
        else:
            out.append((depth, describe(t)))

    walk(trace, 0)
    return out


def rule_parameters(rulebook: Rulebook, rule: Rule) -> list[tuple[str, object]]:
    """The parameters a rule's conditions compare against: (id, Parameter)."""
    from landrules.rulebook.conditions import Atom, atoms

    ids = dict.fromkeys(a.param for a in atoms(rule.when) if isinstance(a, Atom) and a.param)
    return [(p, rulebook.parameters[p]) for p in ids]
