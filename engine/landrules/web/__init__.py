"""The officers' workbench in a browser and the JSON decision API (`landrules serve`).

FastAPI + Jinja2 server-rendered pages, every asset bundled (no CDN). The features other faces
provide (column report, the officers' workbook, diff) are reached through `seams`, one
function each, so richer implementations can replace them without touching the pages.
"""
