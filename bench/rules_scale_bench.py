"""A large rulebook on a large ledger: time and peak RSS of `decide` on both engines.

    python bench/rules_scale_bench.py [--rules 500] [--rows 50000] [--engines vectorized,durable] [--keep DIR]

Builds a rulebook of the shipped rules plus generated, lint-clean ones (rules joining the
categories idle and low_efficiency, some with nested any/all, comparisons between fields and
long conditions) up to --rules rules in all, and a synthetic ledger of --rows rows
(ledger_bench.generate). Each engine decides the ledger in its own process (peak RSS is its
own); the outputs of the engines must be identical. Prints rules, rows, seconds, rows/s and
peak RSS per engine. The issue's bound: 500 rules on 50 000 rows within 2 GiB on both engines.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ledger_bench import AS_OF, ROOT, generate, run  # noqa: E402


def extra_rules(count: int) -> str:
    """`count` generated rules, in four shapes; each concludes the outcome of the rules it
    resembles, so they add no conflicting disposals."""
    out = ["rules:"]
    for i in range(count):
        shape = i % 4
        if shape == 0:
            when = (f"        - category: idle\n        - {{field: idle_cause, op: eq, value: enterprise}}\n"
                    f"        - {{field: output_per_mu, op: ge, value: {i % 400}}}")
            then = "urge_start_within_deadline"
        elif shape == 1:
            when = (f"        - category: idle\n        - {{field: idle_cause, op: eq, value: enterprise}}\n"
                    f"        - any:\n            - {{field: tax_per_mu, op: in, value: [{i % 9}, {i % 7}, 0]}}\n"
                    f"            - {{field: plot_ratio, op: lt, other_field: committed_plot_ratio}}\n"
                    f"            - all: [{{field: invested_ratio, op: lt, value: 0.{i % 9 + 1}}}, "
                    f"{{field: agreed_start_on, op: le, as_of: -{i % 5 + 1}y}}]")
            then = "urge_start_within_deadline"
        elif shape == 2:
            when = (f"        - category: low_efficiency\n        - {{field: output_per_mu, op: lt, value: {i % 300 + 1}}}\n"
                    f"        - {{field: tax_per_mu, op: lt, value: {i % 50 + 1}}}")
            then = "low_efficiency_redevelopment"
        else:  # a long condition: more comparisons than one engine rule holds while it may ask
            atoms = "\n".join(f"        - {{field: output_per_mu, op: ge, value: {i % 300 + k}}}" for k in range(16))
            when = f"        - category: low_efficiency\n{atoms}"
            then = "low_efficiency_redevelopment"
        out.append(f"""  - id: generated.r{i}
    title: 生成的规则{i}
    cites: [平龙政办〔2021〕36号 2.3.2.2]
    when:
      all:
{when}
    then: {{outcome: {then}}}""")
    return "\n".join(out) + "\n"


def build_rulebook(folder: Path, total: int) -> Path:
    rules = folder / "rules"
    shutil.rmtree(rules, ignore_errors=True)
    shutil.copytree(ROOT / "rules", rules)
    shipped = sum(text.count("\n  - id: ") for text in (p.read_text(encoding="utf-8") for p in rules.glob("*.yaml")))
    (rules / "generated.yaml").write_text(extra_rules(max(0, total - shipped)), encoding="utf-8")
    return rules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules", type=int, default=500)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--engines", default="vectorized,durable")
    parser.add_argument("--keep", type=Path, default=None, help="keep the rulebook, ledger and outputs in DIR")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="rules-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    rules = build_rulebook(folder, args.rules)
    ledger = folder / f"ledger-{args.rows}.csv"
    generate(ledger, args.rows)
    lint = run("lint", [sys.executable, "-m", "landrules", "lint", "--rules", str(rules)])
    print(f"rulebook: {args.rules} rules, lint {lint['seconds']:.1f} s, peak {lint['peak_mib']:.0f} MiB")
    outputs = {}
    for engine in args.engines.split(","):
        out = folder / f"{engine}.csv"
        argv = [sys.executable, "-m", "landrules", "decide", str(ledger), "--rules", str(rules), "-o", str(out),
                "--as-of", AS_OF, "--engine", engine]
        result = run(f"decide --engine {engine}", argv)
        outputs[engine] = out.read_bytes()
        within = "within" if result["peak_mib"] <= 2048 else "OVER"
        print(f"{engine:>10}: {args.rows:,} rows in {result['seconds']:.1f} s ({args.rows / result['seconds']:,.0f} rows/s), "
              f"peak RSS {result['peak_mib']:.0f} MiB ({within} 2 GiB)")
    if len(outputs) > 1:
        same = len(set(outputs.values())) == 1
        print(f"engines agree on every row: {'yes' if same else 'NO'}")
        if not same:
            raise SystemExit(1)
    if args.keep is None:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
