"""The commands of the record of runs (contract §7): runs, progress, history, replay, `report
--run` (the bulletin of a recorded run), and what `decide --record` and `report --since` share (the store option, recording while deciding)."""

from landrules.cli.record import history, progress, replay, runs  # noqa: F401  (each module registers its command)
