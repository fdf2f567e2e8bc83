"""A rulebook as it travels to a worker: its files' bytes and its hash, loaded once per worker."""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from landrules.rulebook.load import load_rulebook
from landrules.rulebook.model import Rulebook


class RulebookMismatch(RuntimeError):
    """The rulebook a worker loaded is not the one the client sent."""


@dataclass(frozen=True)
class RulebookBundle:
    hash: str
    files: tuple[tuple[str, str, bytes], ...]  # (role: policy|rules, file name, content)

    @classmethod
    def of(cls, rulebook: Rulebook) -> RulebookBundle:
        files = tuple(sorted((role, path.name, path.read_bytes()) for role, path in rulebook.files))
        bundle = cls(rulebook.hash, files)
        return bundle


_LOADED: dict[str, tuple[Rulebook, tempfile.TemporaryDirectory]] = {}
_LOCK = threading.Lock()


def rulebook_on_worker(bundle: RulebookBundle) -> Rulebook:
    """The bundle's rulebook, written to a temporary folder and loaded once per process; its hash
    must equal the one the client computed (else RulebookMismatch: a corrupted or altered copy)."""
    with _LOCK:
        if bundle.hash in _LOADED:
            return _LOADED[bundle.hash][0]
        folder = tempfile.TemporaryDirectory(prefix="landrules-rulebook-")
        root = Path(folder.name)
        for role, name, content in bundle.files:
            (root / role).mkdir(exist_ok=True)
            (root / role / name).write_bytes(content)
        (root / "rules").mkdir(exist_ok=True)
        (root / "policy").mkdir(exist_ok=True)
        rulebook = load_rulebook(root / "rules", root / "policy")
        if rulebook.hash != bundle.hash:
            folder.cleanup()
            raise RulebookMismatch(f"规则库校验失败：收到 {rulebook.hash}，应为 {bundle.hash}")
        _LOADED[bundle.hash] = (rulebook, folder)
        return rulebook
