"""The rulebook `diff` compares against: a folder, or a git revision of the current rulebook.

`--against RULES` is, in this order:
  * a folder holding `rules/` (and `policy/`): a checkout or a copy of one;
  * a rules folder (the current `--policy` is used with it);
  * a git revision (`HEAD`, `HEAD~1`, a tag, a commit) of the repository that holds the current
    rules folder. Its `rules/` and `policy/` (when the policy folder is in the same repository)
    are read with `git ls-tree` / `git show` into a temporary folder — the work tree is never
    checked out or touched — loaded, and the folder removed.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from landrules.rulebook.load import load_rulebook
from landrules.rulebook.model import Rulebook


class AgainstError(Exception):
    """RULES names neither a folder nor a revision; str() is one line, in Chinese."""


@dataclass
class Against:
    rulebook: Rulebook
    label: str  # how the report names it: the folder, or "git REV (abc1234)"


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise AgainstError("找不到 git 命令，无法按版本读取规则库") from None


def _repo_of(folder: Path) -> Path | None:
    done = _git(folder, "rev-parse", "--show-toplevel")
    return Path(done.stdout.decode().strip()).resolve() if done.returncode == 0 else None


def _export(repo: Path, commit: str, folder: Path, target: Path) -> bool:
    """Write `folder`'s files at `commit` under `target`; False when the revision lacks it."""
    prefix = folder.resolve().relative_to(repo).as_posix()
    listing = _git(repo, "ls-tree", "-r", "-z", "--name-only", commit, "--", prefix)
    names = [n for n in listing.stdout.decode().split("\0") if n] if listing.returncode == 0 else []
    if not names:
        return False
    target.mkdir(parents=True)
    for name in names:
        relative = Path(name).relative_to(prefix) if prefix not in ("", ".") else Path(name)
        blob = _git(repo, "show", f"{commit}:{name}")
        if blob.returncode != 0:
            raise AgainstError(f"git show {commit}:{name} 失败：{blob.stderr.decode().strip()}")
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(blob.stdout)
    return True


@contextlib.contextmanager
def _revision(rev: str, rules_dir: Path, policy_dir: Path) -> Iterator[tuple[Path, Path, str]]:
    repo = _repo_of(rules_dir)
    if repo is None:
        raise AgainstError(f"--against {rev!r} 既不是目录，也无法按 git 版本读取：规则目录 {rules_dir} 不在 git 仓库中")
    done = _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if done.returncode != 0:
        raise AgainstError(f"--against {rev!r} 既不是目录，也不是仓库 {repo} 中的 git 版本")
    commit = done.stdout.decode().strip()
    tmp = Path(tempfile.mkdtemp(prefix="landrules-against-"))
    try:
        rules = tmp / "rules"
        if not _export(repo, commit, rules_dir, rules):
            raise AgainstError(f"git 版本 {rev}（{commit[:7]}）中没有规则目录 {rules_dir.resolve().relative_to(repo)}")
        policy = policy_dir
        if _repo_of(policy_dir) == repo and _export(repo, commit, policy_dir, tmp / "policy"):
            policy = tmp / "policy"
        yield rules, policy, f"git {rev}（{commit[:7]}）"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_against(spec: str, rules_dir: Path, policy_dir: Path) -> Against:
    """The rulebook named by `spec` (see the module docstring). Raises AgainstError, or
    RulebookError when the rulebook found does not load."""
    folder = Path(spec)
    if folder.is_dir():
        if (folder / "rules").is_dir():
            policy = folder / "policy" if (folder / "policy").is_dir() else policy_dir
            return Against(_loaded(folder / "rules", policy), str(folder))
        return Against(_loaded(folder, policy_dir), str(folder))
    with _revision(spec, rules_dir, policy_dir) as (rules, policy, label):
        return Against(_loaded(rules, policy), label)


def _loaded(rules: Path, policy: Path) -> Rulebook:
    rulebook = load_rulebook(rules, policy)
    _ = rulebook.hash  # read the files now: a revision's temporary folder goes away
    return rulebook
