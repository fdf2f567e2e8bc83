"""Policy scenarios: Gherkin features (Chinese or English) run with pytest-bdd.

- `steps`      the generic step vocabulary (a new scenario needs no Python);
- `vocabulary` how the words of a step are read: outcomes, categories, fields, citations, dates;
- `context`    the per-run settings (which rulebook) and the coverage recorder;
- `plugin`     the pytest plugin: step definitions, the "unknown step" message, scenario records;
- `binding`    turns every feature under a folder into pytest tests;
- `suite`      the test module `landrules check` runs; `runner` runs it and reports coverage.
"""

from pathlib import Path


def suite_path() -> Path:
    """The file of `landrules.bdd.suite` (without importing it: importing binds scenarios)."""
    return Path(__file__).resolve().parent / "suite.py"
