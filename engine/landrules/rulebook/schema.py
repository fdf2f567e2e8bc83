"""JSON Schemas for the files officers edit, generated from the pydantic models that load them.

    rules.schema.json        rules/*.yaml (files of rules)       rulebook.RulesFile
    parameters.schema.json   rules/parameters.yaml               parameters.ParametersFile
    outcomes.schema.json     rules/outcomes.yaml                 catalogue.Catalogue
    policy.schema.json       policy/*.yaml                       policy.Document

Editors with the YAML language server (VS Code's YAML extension and others) validate and
complete while typing, via the modeline at the top of each file
(`# yaml-language-server: $schema=../schemas/rules.schema.json`) or `.vscode/settings.json`.

Where a model marks a text as naming one of the rulebook's own things (yamlio.ref: a clause
citation, an outcome code, a category, a parameter, a ledger field, a disposal kind, what a
rule may conclude: the outcome codes and needs_information), the
schema lists the rulebook's current names, so a misspelt clause id is flagged as it is typed.
That is why the shipped `schemas/` must be regenerated (`landrules schema`) after adding a
clause, an outcome code, a category or a parameter; a test checks they are up to date.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from landrules.core import fields
from landrules.rulebook.catalogue import BUILTIN_OUTCOMES, Catalogue, load_catalogue
from landrules.rulebook.model import NEEDS_INFORMATION, OUTCOMES_FILE, PARAMETERS_FILE
from landrules.rulebook.parameters import ParametersFile, load_parameters
from landrules.rulebook.policy import Document, load_policy
from landrules.rulebook.spec import RulesFile
from landrules.rulebook.yamlio import YamlError, load_yaml

DIALECT = "http://json-schema.org/draft-07/schema#"  # understood by every YAML language server
SCHEMAS: dict[str, tuple[type, str]] = {
    "rules.schema.json": (RulesFile, "landrules: a file of rules (rules/*.yaml)"),
    "parameters.schema.json": (ParametersFile, "landrules: parameters (rules/parameters.yaml)"),
    "outcomes.schema.json": (Catalogue, "landrules: categories, outcome codes and kinds (rules/outcomes.yaml)"),
    "policy.schema.json": (Document, "landrules: a policy document as a clause tree (policy/*.yaml)"),
}


def rulebook_names(rules_dir: Path, policy_dir: Path) -> dict[str, list[str]]:
    """The names the schemas list, read leniently: a broken rule file does not matter here, and
    a broken catalogue or parameters file only leaves its names out."""
    problems: list = []
    policy, _ = load_policy(Path(policy_dir))
    names: dict[str, list[str]] = {
        "citation": policy.citations,
        "field": [f.name for f in (*fields.FIELDS, *fields.DERIVED)],  # derived facts too (approved_after_as_of)
    }
    raw = _load(Path(rules_dir) / OUTCOMES_FILE)
    if raw is not None:
        catalogue = load_catalogue(Path(rules_dir) / OUTCOMES_FILE, raw, problems)
        names["outcome"] = [c for c in catalogue.outcomes if c not in BUILTIN_OUTCOMES]
        # what a rule's `then: {outcome: …}` may name: the codes, and needs_information (with `needs`)
        names["conclusion"] = names["outcome"] + [NEEDS_INFORMATION]
        names["category"] = list(catalogue.categories)
        names["kind"] = list(catalogue.kinds)
    raw = _load(Path(rules_dir) / PARAMETERS_FILE)
    if raw is not None:
        names["parameter"] = list(load_parameters(Path(rules_dir) / PARAMETERS_FILE, raw, policy, problems))
    return names


def _load(path: Path) -> Any:
    try:
        return load_yaml(path) if path.is_file() else None
    except YamlError:
        return None


def generate(names: dict[str, list[str]]) -> dict[str, dict]:
    """File name -> JSON Schema, with the marked texts filled in from `names`."""
    out = {}
    for filename, (model, title) in SCHEMAS.items():
        schema = model.model_json_schema()
        _fill(schema, names)
        out[filename] = {"$schema": DIALECT, "title": title, **{k: v for k, v in schema.items() if k != "title"}}
    return out


def render(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_schemas(out_dir: Path, rules_dir: Path, policy_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, schema in generate(rulebook_names(rules_dir, policy_dir)).items():
        path = out_dir / filename
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


def _fill(node: Any, names: dict[str, list[str]]) -> None:
    if isinstance(node, list):
        for item in node:
            _fill(item, names)
        return
    if not isinstance(node, dict):
        return
    kind = node.pop("x-enum", None)
    values = names.get(kind) if kind else None
    if values:
        if node.get("type") == "string" or ("type" not in node and "anyOf" not in node):
            node["enum"] = list(values)
        for branch in node.get("anyOf", ()):
            if branch.get("type") == "string":
                branch["enum"] = list(values)
    for value in node.values():
        _fill(value, names)
