"""YAML loading that remembers where every mapping and list came from (file and line), and
pydantic validation errors turned into `FILE:LINE: message` problems officers can read.

Bounded: a file nests at most MAX_YAML_DEPTH mappings and lists, and holds at most
`LANDRULES_YAML_MAX_NODES` (default DEFAULT_MAX_NODES) nodes once every alias (`*name`) is
counted as the whole anchored node it stands for. A few lines of anchors can stand for 10^8
conditions (an "alias bomb"); such a file is refused before anything walks it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from landrules.rulebook import messages
from landrules.rulebook.problems import Problem, closest


class Marked(dict):
    """A mapping that knows its source line (1-based) and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]


class MarkedList(list):
    line: int = 0


MAX_YAML_DEPTH = 100
DEFAULT_MAX_NODES = 1_000_000
MAX_NODES_ENV = "LANDRULES_YAML_MAX_NODES"


class _TooLarge(yaml.YAMLError):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message
        super().__init__(message)


def max_nodes() -> int:
    """The node bound in force: $LANDRULES_YAML_MAX_NODES, else DEFAULT_MAX_NODES."""
    raw = os.environ.get(MAX_NODES_ENV, "").strip()
    try:
        return max(1, int(raw)) if raw else DEFAULT_MAX_NODES
    except ValueError:
        return DEFAULT_MAX_NODES


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The safe loader, libyaml's C parser where PyYAML has it (lint parses 5x faster); the
    composed document is checked for depth and expanded size before anything is built."""

    def get_single_node(self):
        node = super().get_single_node()
        if node is not None:
            _check_expanded_size(node, max_nodes())
        return node


def _check_expanded_size(root: yaml.Node, limit: int) -> None:
    """Refuse a document nested deeper than MAX_YAML_DEPTH, or whose nodes, every alias
    expanded, number more than `limit`; name the line of the smallest node that alone exceeds
    it (where the aliases pile up)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node, depth: int = 1) -> int:
        if depth > MAX_YAML_DEPTH:
            raise _TooLarge(node.start_mark.line + 1, messages.say("yaml_too_deep", limit=MAX_YAML_DEPTH))
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise _TooLarge(node.start_mark.line + 1, messages.say("yaml_cycle"))
        open_nodes.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += size(child, depth + 1)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k, depth + 1) + size(v, depth + 1)
        open_nodes.discard(key)
        sizes[key] = total
        if total > limit:
            raise _TooLarge(node.start_mark.line + 1, messages.say("yaml_too_large", total=total, limit=limit, env=MAX_NODES_ENV))
        return total

    size(root)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Marked:
    loader.flatten_mapping(node)
    out = Marked()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, messages.say("yaml_duplicate_key", key=key), key_node.start_mark
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
            None, None, messages.say("yaml_not_a_date", value=node.value), node.start_mark
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
        raise YamlError(path, 1, messages.say("cannot_read", error=exc)) from None
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            error = exc
    else:
        raise YamlError(path, 1, messages.say("not_utf8", error=error)) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except _TooLarge as exc:
        raise YamlError(path, exc.line, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(path, line, _syntax_message(text, line, str(exc.problem or exc))) from None
    except yaml.YAMLError as exc:
        raise YamlError(path, 1, messages.say("yaml_error", error=exc)) from None


_FULL_WIDTH_KEY = re.compile(r"\s*(?:-\s*)?[^\s:：#{\[][^:：#]*：")  # the line's first colon is full-width


def _syntax_message(text: str, line: int, problem: str) -> str:
    """The parser's problem, with the officer's usual cause named when a line near it shows it:
    a full-width colon (typed with a Chinese input method) or a tab."""
    lines = text.splitlines()
    hint_zh = hint_en = ""
    # the line the parser names first, then the two above it; a full-width colon only where it
    # stands as a key's colon (a note's text may hold one: a TAB on the named line is the cause)
    for number in range(min(len(lines), line), max(1, line - 2) - 1, -1):
        written = lines[number - 1]
        key = "yaml_tab" if "\t" in written else "yaml_full_width" if _FULL_WIDTH_KEY.match(written) else None
        if key:
            hint_zh, hint_en = messages.say_in("zh", key, line=number), messages.say_in("en", key, line=number)
            break
    return messages.say("yaml_syntax", problem=problem, hint_zh=hint_zh, hint_en=hint_en)


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


def unknown_top_keys(path: Path, raw: Any, allowed: tuple[str, ...], file_zh: str, file_en: str) -> list[Problem]:
    """A top-level key a file does not know is an error, never silently ignored."""
    out = []
    for key in raw:
        if key not in allowed:
            line = getattr(raw, "key_lines", {}).get(str(key), 1)
            near = closest(key, allowed)
            out.append(Problem(str(path), line, messages.say(
                "unknown_top_key", key=key, file_zh=file_zh, file_en=file_en,
                allowed=", ".join(f"`{k}:`" for k in allowed), **messages.hint(f"`{near}`" if near else None))))
    return out


# --------------------------------------------------------------------------- friendly messages

_DATE_ERRORS = {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}


def friendly(err: dict, keys: tuple[str, ...] = ()) -> str:
    """A pydantic error in words for officers: `where: what is wrong (and how to write it)`."""
    loc = tuple(err.get("loc", ()))
    where = ".".join(str(p) for p in loc)
    kind, value = err.get("type", ""), err.get("input")
    last = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        if messages.full_width_marks(last):
            return messages.full_width(last)
        parent = ".".join(str(p) for p in loc[:-1])
        near = closest(last, keys)
        return messages.say(
            "unknown_key", key=last, **messages.hint(f"`{near}`" if near else None),
            where_zh=messages.CATALOGUE["in_where"]["zh"].format(parent=parent) if parent else "",
            where_en=messages.CATALOGUE["in_where"]["en"].format(parent=parent) if parent else "",
        )
    if kind == "missing":
        return messages.say("missing_key", key=where)
    if kind in _DATE_ERRORS or (kind in ("float_type", "float_parsing") and last == "value"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return messages.say("number_not_date", where=where, value=value)
        if kind in _DATE_ERRORS:
            return messages.say("at", where=where, text=messages.say("not_a_date", value=value))
    if kind == "too_short":
        return messages.say("at", where=where, text=messages.say("not_empty"))
    if kind in ("bool_type", "bool_parsing"):
        return messages.say("at", where=where, text=messages.say("not_bool", value=value))
    if kind == "string_pattern_mismatch":
        form = "not_in_form.id" if last == "id" else "not_in_form"
        return messages.say("at", where=where, text=messages.say(form, value=value, pattern=err.get("ctx", {}).get("pattern", "")))
    if kind == "value_error" and "error" in err.get("ctx", {}):
        msg = str(err["ctx"]["error"])  # our validators' messages, from the catalogue
    else:  # pydantic's own words: those the catalogue names, else quoted
        msg = messages.say(f"invalid.{kind}" if f"invalid.{kind}" in messages.CATALOGUE else "invalid", text=err.get("msg", "invalid"))
    return messages.say("at", where=where, text=msg) if where else msg


def validation_problems(path, raw, exc, loc_prefix: tuple = (), what: str = "", keys: tuple[str, ...] = ()):
    """Every error of a pydantic ValidationError as a Problem at its own line."""
    out = []
    errors = [dict(e) for e in exc.errors()]
    # a key typed with full-width punctuation (`then：`) is one mistake: its own message, not
    # also "missing `then`"
    typed = {(tuple(e["loc"][:-1]), re.split(r"[：，；（）［］｛｝　\s]", str(e["loc"][-1]))[0])
             for e in errors if e.get("type") == "extra_forbidden" and e["loc"] and messages.full_width_marks(e["loc"][-1])}
    errors = [e for e in errors if not (e.get("type") == "missing" and e["loc"] and (tuple(e["loc"][:-1]), str(e["loc"][-1])) in typed)]
    for err in errors:
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
