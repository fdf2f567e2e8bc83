"""The test module `landrules check` runs: every scenario of the folder it was given.

pytest imports this module inside the check run; `runner` pushes the run's settings on
`context.ACTIVE` first and drops this module from `sys.modules` between runs.
"""

from landrules.bdd.binding import bind_scenarios
from landrules.bdd.context import ACTIVE

pytest_plugins = ["landrules.bdd.plugin"]

bind_scenarios(ACTIVE[-1].scenarios_dir, globals())
