"""Where the rulebook is: options, then LANDRULES_RULES / LANDRULES_POLICY, then the bundle."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # landrules/
_CHECKOUT = _PACKAGE.parent.parent  # engine/landrules -> repository root


def bundled(name: str) -> Path:
    """A folder shipped with landrules: the wheel's copy, else the checkout's own."""
    inside = _PACKAGE / "_bundled" / name
    return inside if inside.is_dir() else _CHECKOUT / name


def rules_dir(option: Path | None = None) -> Path:
    return _pick(option, "LANDRULES_RULES", "rules")


def policy_dir(option: Path | None = None) -> Path:
    return _pick(option, "LANDRULES_POLICY", "policy")


def _pick(option: Path | None, env: str, name: str) -> Path:
    if option is not None:
        return Path(option)
    if os.environ.get(env):
        return Path(os.environ[env])
    return bundled(name)
