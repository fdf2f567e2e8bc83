"""Defining a step once in Chinese and once in English, and listing every step that exists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pytest_bdd import given, parsers, then, when

from landrules.bdd.vocabulary import NOT_QUOTE, QUOTE_CLOSE, QUOTE_OPEN

_DECORATORS = {"given": given, "when": when, "then": then}
KEYWORDS = {"given": ("假如", "Given"), "when": ("当", "When"), "then": ("那么", "Then")}


def q(group: str) -> str:
    """A quoted name, ASCII or Chinese quotes, as the named group `group`."""
    return f"{QUOTE_OPEN}(?P<{group}>{NOT_QUOTE}+){QUOTE_CLOSE}"


@dataclass(frozen=True)
class StepForm:
    kind: str  # given / when / then
    zh: str  # an example as an officer writes it, without the keyword
    en: str
    table: bool = False  # takes a 字段 | 值 table
    zh_pattern: str = ""  # the regular expressions the step text must match
    en_pattern: str = ""

    def lines(self) -> tuple[str, str]:
        zh_kw, en_kw = KEYWORDS[self.kind]
        suffix = "（附 字段 | 值 表）" if self.table else ""
        return f"{zh_kw} {self.zh}{suffix}", f"{en_kw} {self.en}{' (with a field | value table)' if self.table else ''}"


STEPS: list[StepForm] = []


def define(kind: str, zh: str, en: str, *, example_zh: str, example_en: str, table: bool = False) -> Callable:
    """Register `fn` for the Chinese and the English pattern (regular expressions, full match)."""

    def deco(fn: Callable) -> Callable:
        for pattern in (zh, en):
            # stacklevel=2: the step fixture goes into the module that applies @define
            _DECORATORS[kind](parsers.re(pattern), stacklevel=2)(fn)
        STEPS.append(StepForm(kind, example_zh, example_en, table, zh, en))
        return fn

    return deco


def available_steps() -> str:
    """Every step, Chinese and English, one a line: for the "unknown step" message and the guide."""
    out = []
    for form in STEPS:
        zh, en = form.lines()
        out.append(f"  {zh}\n      {en}")
    return "\n".join(out)
