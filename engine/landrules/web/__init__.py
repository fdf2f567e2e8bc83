"""The officers' workbench in a browser and the JSON decision API (`landrules serve`).

FastAPI + Jinja2 server-rendered pages, every asset bundled (no CDN). The pages call the same
code the commands do: the chunk loop (decide/chunks.py) with the session's run options
(`Session.options`: date, sheet, uploaded column map), the column report of `decide`, decide's writers and the bulletin writer of `report` for downloads,
`diff`'s result and wording for the what-if. No decision logic lives here.
"""
