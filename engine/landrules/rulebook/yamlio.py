"""YAML loading that remembers where every mapping and list came from (file and line), and
pydantic validation errors turned into `FILE:LINE: message` problems officers can read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from landrules.rulebook.problems import Problem, did_you_mean


class Marked(dict):
    """A mapping that knows its source line (1-based) and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]


class MarkedList(list):
    line: int = 0


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The safe loader, libyaml's C parser where PyYAML has it (lint parses 5x faster)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Marked:
    loader.flatten_mapping(node)
    out = Marked()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[str(key)] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> MarkedList:
    out = MarkedList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    return out


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode):
    """A date-shaped scalar that is no date (2021-13-01) is a problem at its line, not a crash."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a date; write dates as 2021-12-31", node.start_mark
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class YamlError(Exception):
    """A YAML file that cannot be parsed; str() is `FILE:LINE: message`."""

    def __init__(self, path: Path | str, line: int, message: str):
        self.path, self.line, self.message = str(path), line, message
        super().__init__(f"{path}:{line}: {message}")


def load_yaml(path: Path, encodings: tuple[str, ...] = ("utf-8",)) -> Any:
    """Parse a YAML file read in the first of `encodings` that decodes it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise YamlError(path, 1, f"cannot read file: {exc}") from None
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            error = exc
    else:
        raise YamlError(path, 1, f"cannot read file: {error}") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(path, line, f"YAML syntax error: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise YamlError(path, 1, f"YAML error: {exc}") from None


def line_of(node: Any, loc: tuple[Any, ...]) -> int:
    """The line of the deepest node along `loc` (a pydantic error location) that has one."""
    line = getattr(node, "line", 1) or 1
    for step in loc:
        if isinstance(node, dict) and step in node:
            line = getattr(node, "key_lines", {}).get(str(step), line)
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            break
        line = getattr(node, "line", line) or line
    return line


# --------------------------------------------------------------------------- friendly messages

_DATE_ERRORS = {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}


def friendly(err: dict, keys: tuple[str, ...] = ()) -> str:
    """A pydantic error in words for officers: `where: what is wrong (and how to write it)`."""
    loc = tuple(err.get("loc", ()))
    where = ".".join(str(p) for p in loc)
    kind, value = err.get("type", ""), err.get("input")
    last = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        parent = ".".join(str(p) for p in loc[:-1])
        return f"unknown key `{last}`{' in ' + parent if parent else ''}{did_you_mean(last, keys, lambda k: f'`{k}`')}"
    if kind == "missing":
        return f"missing `{where}`"
    if kind in _DATE_ERRORS or (kind in ("float_type", "float_parsing") and last == "value"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f"{where}: {value!r} is a number, not a date; write dates as 2021-12-31"
        if kind in _DATE_ERRORS:
            return f"{where}: {value!r} is not a date; write dates as 2021-12-31"
    if kind == "too_short":
        return f"{where}: must not be empty"
    if kind in ("bool_type", "bool_parsing"):
        return f"{where}: {value!r} is not true or false"
    if kind == "string_pattern_mismatch":
        return f"{where}: {value!r} is not in the expected form {err.get('ctx', {}).get('pattern', '')}"
    msg = err.get("msg", "invalid")
    if kind == "value_error" and "error" in err.get("ctx", {}):
        msg = str(err["ctx"]["error"])
    return f"{where}: {msg}" if where else msg


def validation_problems(path, raw, exc, loc_prefix: tuple = (), what: str = "", keys: tuple[str, ...] = ()):
    """Every error of a pydantic ValidationError as a Problem at its own line."""
    out = []
    for err in exc.errors():
        err = dict(err)
        # union members repeat the location with the member's name: drop those steps
        err["loc"] = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        line = line_of(raw, (*loc_prefix, *err["loc"]))
        out.append(Problem(str(path), line, f"{what}{friendly(err, keys)}"))
    return out


def ref(kind: str, **field_kwargs: Any) -> Any:
    """A text that names one of the rulebook's own things (kind: citation, outcome, category,
    parameter, field). The generated JSON Schema lists the rulebook's current names there, so an
    editor completes them and flags a misspelling while the officer types (see schema.py)."""
    from typing import Annotated

    from pydantic import Field

    return Annotated[str, Field(json_schema_extra={"x-enum": kind}, **field_kwargs)]
