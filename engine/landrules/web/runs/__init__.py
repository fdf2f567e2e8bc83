"""The workbench's record of runs (contract §7): the JSON API (GET /api/runs, /api/runs/{id}/decisions,
/api/progress) and the pages (记录本期台账, the recorded runs, one run, progress between two)."""
