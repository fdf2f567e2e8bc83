"""The JSON Schemas: generated from the models, shipped up to date, valid for every shipped YAML
file, strict enough to reject the broken copies lint rejects; editors are pointed at them."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import POLICY, ROOT, RULES
from landrules.cli import app
from landrules.rulebook.schema import SCHEMAS, generate, render, rulebook_names
from landrules.rulebook.yamlio import YamlError, load_yaml

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extra")

SHIPPED = ROOT / "schemas"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def schema_for(path: Path) -> str:
    if path.parent.name == "policy":
        return "policy.schema.json"
    return {"parameters.yaml": "parameters.schema.json", "outcomes.yaml": "outcomes.schema.json"}.get(path.name, "rules.schema.json")


def shipped_yaml():
    return sorted(RULES.glob("*.yaml")) + sorted(POLICY.glob("*.yaml"))


def as_editor_sees_it(node):
    """YAML 1.2 (the language server's) reads 2021-12-31 as text, not a date."""
    if isinstance(node, dict):
        return {str(k): as_editor_sees_it(v) for k, v in node.items()}
    if isinstance(node, list):
        return [as_editor_sees_it(v) for v in node]
    if isinstance(node, dt.date):
        return node.isoformat()
    return node


def validator(filename: str):
    schema = json.loads((SHIPPED / filename).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def errors(path: Path) -> list[str]:
    data = as_editor_sees_it(load_yaml(path))
    return [e.message for e in validator(schema_for(path)).iter_errors(data)]


def test_shipped_schemas_equal_freshly_generated_ones():
    fresh = generate(rulebook_names(RULES, POLICY))
    assert sorted(fresh) == sorted(p.name for p in SHIPPED.glob("*.json")) == sorted(SCHEMAS)
    for name, schema in fresh.items():
        assert (SHIPPED / name).read_text(encoding="utf-8") == render(schema), f"schemas/{name} is stale: run `landrules schema`"


def test_schema_command_writes_the_same_files(tmp_path):
    result = CliRunner().invoke(app, ["schema", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    for name in SCHEMAS:
        assert (tmp_path / "out" / name).read_text(encoding="utf-8") == (SHIPPED / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("path", shipped_yaml(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_yaml_file_is_valid(path):
    assert errors(path) == []


@pytest.mark.parametrize("path", shipped_yaml(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_yaml_file_names_its_schema(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = MODELINE.match(first)
    assert match, f"{path.name} should start with the yaml-language-server modeline"
    assert match.group(1) == f"../schemas/{schema_for(path)}"


def test_vscode_settings_map_every_shipped_file_to_its_schema():
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    for path in shipped_yaml():
        relative = f"{path.parent.name}/{path.name}"
        matching = [schema for schema, globs in mapping.items()
                    if any(Path(relative).match(g) for g in ([globs] if isinstance(globs, str) else globs))]
        assert matching == [f"./schemas/{schema_for(path)}"], (relative, matching)


BROKEN = [
    ("misspelt field", "{field: idle_cause, op: eq, value: enterprise}", "{field: idle_cuase, op: eq, value: enterprise}"),
    ("clause that does not exist", "cites: [平龙政办〔2021〕36号 2.3.2.2]", "cites: [平龙政办〔2021〕36号 2.3.2.7]"),
    ("unknown key", "    title: 因企业原因闲置：督促企业限期开工建设", "    titel: 因企业原因闲置：督促企业限期开工建设"),
    ("unknown outcome", "then: {outcome: idle_fee}", "then: {outcome: idle_fees}"),
    ("unknown operator", "{field: idle_cause, op: eq, value: enterprise}", "{field: idle_cause, op: equals, value: enterprise}"),
]


@pytest.mark.parametrize("case, old, new", BROKEN, ids=[b[0] for b in BROKEN])
def test_schema_rejects_broken_copies(tmp_path, case, old, new):
    path = tmp_path / "idle.yaml"
    text = (RULES / "idle.yaml").read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert errors(path)


def test_schema_rejects_unknown_parameter_and_date_written_as_number(tmp_path):
    path = tmp_path / "categories.yaml"
    text = (RULES / "categories.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("param: idle.max_invested_ratio", "param: idle.max_investd_ratio"), encoding="utf-8")
    assert errors(path)
    path = tmp_path / "parameters.yaml"
    text = (RULES / "parameters.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("{from: 2021-06-22, value: 200}", "{from: 20210622, value: 200}"), encoding="utf-8")
    assert errors(path)


def test_a_broken_yaml_line_cannot_be_validated_at_all(tmp_path):
    path = tmp_path / "idle.yaml"
    text = (RULES / "idle.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("then: {outcome: idle_fee}", "then: {outcome: idle_fee", 1), encoding="utf-8")
    with pytest.raises(YamlError):
        load_yaml(path)
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(path.read_text(encoding="utf-8"))


def test_conditions_are_the_real_recursive_union():
    schema = json.loads((SHIPPED / "rules.schema.json").read_text(encoding="utf-8"))
    when = schema["$defs"]["RuleSpec"]["properties"]["when"]
    assert {b["$ref"] for b in when["anyOf"]} == {f"#/$defs/{n}" for n in ("Atom", "CategoryAtom", "All", "AnyOf", "Not")}
    atom = schema["$defs"]["Atom"]["properties"]
    assert "idle_cause" in atom["field"]["enum"] and atom["op"]["enum"][0] == "eq"
    assert "not" in schema["$defs"]["Not"]["properties"]
